// The test configuration of the homework: the course's own settings, for the acceptance tests of the exercises
// (homework/NN.K-words/*.test.ts) and the tests of the steps. `npm run homework -- NN.K` picks the files to run.
import { defineConfig } from "@playwright/test";
import course from "../playwright.config.ts";

export default defineConfig({
  ...course,
  testDir: "..",
  testMatch: ["homework/*/*.test.ts", "*/tests/**/*.test.ts"],
  reporter: [["list"]],
});
