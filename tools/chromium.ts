// Which Chromium to run, and with which flags: one choice for the browser tests and the benchmark.
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

// Where Debian and Ubuntu put their Chromium (`apt-get install chromium`).
const SYSTEM_CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

// Playwright's own Chromium when it is installed (`npx playwright install chromium`), otherwise the system's.
// CHROMIUM_PATH overrides both. `undefined` means "Playwright's own".
export function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) {
    return process.env.CHROMIUM_PATH;
  }
  if (existsSync(chromium.executablePath())) {
    return undefined;
  }
  return SYSTEM_CHROMIUM_PATHS.find((path) => existsSync(path));
}

// The sandbox cannot start as root (CI containers); the other flags stop Chromium from calling home.
export const CHROMIUM_ARGS = [
  ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
