// One test runner for the whole course: server-level tests (no browser) and browser tests (Chromium).
import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "./tools/chromium.ts";

// The steps' console lines (log.ts) would bury the test report; the tests that check them ask for them again.
process.env.QUIET ??= "1";

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
