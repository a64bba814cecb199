// One test runner for the whole course: server-level tests (no browser) and browser tests (Chromium).
import { existsSync } from "node:fs";
import { chromium, defineConfig } from "@playwright/test";

// Where Debian and Ubuntu put their Chromium (`apt-get install chromium`).
const SYSTEM_CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

// Playwright's own Chromium when it is installed (`npx playwright install chromium`), otherwise the system's.
// CHROMIUM_PATH overrides both.
function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) {
    return process.env.CHROMIUM_PATH;
  }
  if (existsSync(chromium.executablePath())) {
    return undefined;
  }
  return SYSTEM_CHROMIUM_PATHS.find((path) => existsSync(path));
}

// The sandbox cannot start as root (CI containers); the other flags stop Chromium from calling home.
const CHROMIUM_ARGS = [
  ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export default defineConfig({
  testMatch: ["**/tests/**/*.test.ts"],
  testIgnore: ["node_modules/**"],
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS },
    trace: "retain-on-failure",
  },
});
