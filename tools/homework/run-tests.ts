// Runs test files with the homework's test configuration and reads the outcome of every test from the JSON report.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestOutcome {
  file: string;
  title: string;
  passed: boolean;
  // Failed, then passed when run again (only when the run allows retries).
  flaky: boolean;
  // The first line of the error, for a test that failed.
  error: string;
}

export interface TestRun {
  outcomes: TestOutcome[];
  // Errors outside any test, for example a test file that does not compile.
  errors: string[];
}

export interface RunOptions {
  // Passed on to Playwright; without it Playwright picks the number of workers from the CPUs.
  workers?: number;
  // Only the report, not the line per test (for the proof, which runs many exercises).
  quiet?: boolean;
  // How many times a failed test runs again; Playwright then reports one that passed again as flaky.
  retries?: number;
}

// `paths` are files or folders relative to `root`, the repository (or a scratch copy of it).
export function runTests(root: string, paths: string[], options: RunOptions = {}): TestRun {
  const reportDir = mkdtempSync(join(tmpdir(), "homework-report-"));
  const reportFile = join(reportDir, "report.json");
  const args = [
    "playwright",
    "test",
    "-c",
    "homework/playwright.config.ts",
    `--reporter=${options.quiet ? "json" : "list,json"}`,
  ];
  if (options.workers) {
    args.push(`--workers=${options.workers}`);
  }
  if (options.retries) {
    args.push(`--retries=${options.retries}`);
  }
  spawnSync("npx", [...args, ...paths], {
    cwd: root,
    stdio: options.quiet ? "ignore" : "inherit",
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile },
  });
  if (!existsSync(reportFile)) {
    rmSync(reportDir, { recursive: true, force: true });
    return { outcomes: [], errors: ["Playwright wrote no report: the tests did not run."] };
  }
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
  rmSync(reportDir, { recursive: true, force: true });
  return {
    outcomes: report.suites.flatMap((suite) => outcomesOf(suite, [])),
    errors: (report.errors ?? []).map((error) => firstLine(error.message)),
  };
}

// The parts of Playwright's JSON report that are read here.
interface Report {
  suites: Suite[];
  errors?: { message: string }[];
}

interface Suite {
  title: string;
  file: string;
  specs: { title: string; ok: boolean; tests: { status: string; results: { error?: { message: string } }[] }[] }[];
  suites?: Suite[];
}

// A file's suite has the file's name as its title; a describe() block adds its title to the tests' titles.
function outcomesOf(suite: Suite, titles: string[]): TestOutcome[] {
  const ownTitles = suite.title === suite.file ? titles : [...titles, suite.title];
  const own = suite.specs.map((spec) => ({
    file: suite.file,
    title: [...ownTitles, spec.title].join(" › "),
    passed: spec.ok,
    flaky: spec.tests.some((test) => test.status === "flaky"),
    error: spec.ok ? "" : firstError(spec.tests),
  }));
  return [...own, ...(suite.suites ?? []).flatMap((child) => outcomesOf(child, ownTitles))];
}

function firstError(tests: Suite["specs"][number]["tests"]): string {
  const message = tests.flatMap((test) => test.results).find((result) => result.error)?.error?.message;
  return message ? firstLine(message) : "";
}

// Error messages carry terminal colours and long call logs: the first line says what went wrong, and the first
// "waiting for" line of the call log says what the test was looking for (a button, a text).
function firstLine(message: string): string {
  const lines = message
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const waitingFor = lines.find((line) => line.startsWith("- waiting for"));
  return [lines[0] ?? "", waitingFor?.slice(2)].filter(Boolean).join(", ");
}
