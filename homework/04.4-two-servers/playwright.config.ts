// Runs this exercise's acceptance test with the course's settings, until `npm run homework` does it:
//   npx playwright test -c homework/04.4-two-servers
import { defineConfig } from "@playwright/test";
import course from "../../playwright.config.ts";

export default defineConfig({ ...course, testDir: ".", testMatch: ["acceptance.test.ts"] });
