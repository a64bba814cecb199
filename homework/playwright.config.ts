// The test configuration of the homework: the course's own settings, for the acceptance tests of the exercises
// (homework/NN.K-words/*.test.ts) and the tests of the steps. `npm run homework -- NN.K` picks the files to run.
import { defineConfig } from "@playwright/test";
import course from "../playwright.config.ts";

export default defineConfig({
  ...course,
  testDir: "..",
  testMatch: ["homework/*/*.test.ts", "*/tests/**/*.test.ts"],
  reporter: [["list"]],
  // A click on a button that is not there yet fails after 10 s instead of the test's 60 s: an exercise that is not
  // done fails sooner.
  use: { ...course.use, actionTimeout: 10_000 },
});
