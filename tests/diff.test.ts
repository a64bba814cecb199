// `npm run diff` shows a step's lesson: a summary first, then every file that differs, new files in full.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { ROOT } from "../tools/steps.ts";

function runDiff(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "tools/diff.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

test("one step is compared with the step it builds on: step 05 with step 03", () => {
  const { output } = runDiff("5");
  expect(output.split("\n")[0]).toBe("From 03-http-longpolling to 05-sse:");
  expect(output).toMatch(/lesson code: \+\d+ −\d+ lines in \d+ files/);
});

test("a new file is shown in full: step 06's worker, every line of it", () => {
  const { output } = runDiff("6");
  expect(output).toMatch(/^ {2}added: .*worker\/worker\.ts \(\+\d+ −0\)/m);
  const workerLines = readFileSync(join(ROOT, "06-shared-worker/worker/worker.ts"), "utf8").trimEnd().split("\n");
  const shown = output.split("\n");
  for (const line of workerLines) {
    expect(shown).toContain(`+${line}`);
  }
});

test("READMEs and tests are listed in the summary, and shown only with --all", () => {
  const lessonOnly = runDiff("3").output;
  expect(lessonOnly).toContain("add --all to see them");
  expect(lessonOnly).not.toContain("+++ b/03-http-longpolling/README.md");
  expect(runDiff("3", "--all").output).toContain("+++ b/03-http-longpolling/README.md");
});

test("the first step builds on nothing, and says so", () => {
  const { status, output } = runDiff("1");
  expect(status).toBe(1);
  expect(output).toContain("Step 1 is the first step");
});
