// `npm run diff -- 5`: what step 05 changes in the step it builds on (step 03), for the lecture.
// `npm run diff -- 4 5` compares any two steps. First a summary (files added, removed and changed, with their
// lines), then every file that differs: a new file or a removed one in full, a changed one as a diff.
// The lesson comes first; READMEs (English and Ukrainian) and tests follow only with --all. Build output is never shown.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { findStep, ROOT, STEPS, type Step } from "./steps.ts";

const SKIPPED_ALWAYS = ["public/js"];
const NOT_THE_LESSON = ["README.md", "README.uk.md", "tests"];
// git diff --no-index reads this name as "no file", on every system: a new file shows as all added lines.
const NO_FILE = "/dev/null";

type ChangeKind = "added" | "removed" | "changed";

interface FileChange {
  name: string;
  kind: ChangeKind;
  before: string;
  after: string;
  linesAdded: number;
  linesRemoved: number;
}

const args = process.argv.slice(2);
const showAll = args.includes("--all");
const [from, to] = chooseSteps(args.filter((arg) => arg !== "--all"));
const changes = compareSteps(from, to);
const lesson = changes.filter((change) => !isNotTheLesson(change.name));
const rest = changes.filter((change) => isNotTheLesson(change.name));
printSummary(lesson, rest);
lesson.forEach(printChange);
if (showAll) {
  rest.forEach(printChange);
}

// One step: it and the step it builds on. Two steps: those two, in that order.
function chooseSteps(names: string[]): [Step, Step] {
  if (names.length === 1) {
    const step = findStep(names[0]);
    const base = STEPS.find((candidate) => candidate.number === step.base);
    if (!base) {
      console.error(
        `Step ${step.number} is the first step: it builds on nothing. Compare two steps: npm run diff -- 1 2`,
      );
      process.exit(1);
    }
    return [base, step];
  }
  if (names.length === 2) {
    return [findStep(names[0]), findStep(names[1])];
  }
  console.error(
    "Usage: npm run diff -- <step> [<step>] [--all]   for example: npm run diff -- 5   or: npm run diff -- 4 5",
  );
  process.exit(1);
}

function isNotTheLesson(name: string): boolean {
  return NOT_THE_LESSON.some((skipped) => name === skipped || name.startsWith(`${skipped}/`));
}

function compareSteps(before: Step, after: Step): FileChange[] {
  const names = [...new Set([...filesOf(before), ...filesOf(after)])].sort();
  return names.flatMap((name) => {
    const change = compareFile(name, before, after);
    return change ? [change] : [];
  });
}

// The change to one file, or undefined when it is the same in both steps.
function compareFile(name: string, before: Step, after: Step): FileChange | undefined {
  const beforePath = existsSync(join(ROOT, before.folder, name)) ? join(before.folder, name) : NO_FILE;
  const afterPath = existsSync(join(ROOT, after.folder, name)) ? join(after.folder, name) : NO_FILE;
  // --numstat prints "added<TAB>removed<TAB>name", and nothing at all for identical files.
  const numstat = gitDiff(["--numstat", beforePath, afterPath]).trim();
  if (numstat === "") {
    return undefined;
  }
  const [linesAdded = 0, linesRemoved = 0] = numstat.split("\t").map(Number);
  const kind: ChangeKind = beforePath === NO_FILE ? "added" : afterPath === NO_FILE ? "removed" : "changed";
  return { name, kind, before: beforePath, after: afterPath, linesAdded, linesRemoved };
}

function gitDiff(options: string[], print = false): string {
  // git diff exits with 1 when the files differ: that is the expected case, not an error.
  const result = spawnSync("git", ["diff", "--no-index", ...options], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: print ? "inherit" : "pipe",
  });
  return result.stdout ?? "";
}

function filesOf(step: Step): string[] {
  const top = join(ROOT, step.folder);
  const found: string[] = [];
  function walk(folder: string): void {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const name = relative(top, path).split("\\").join("/");
      if (SKIPPED_ALWAYS.includes(name)) {
        continue;
      }
      if (entry.isDirectory()) {
        walk(path);
      } else {
        found.push(name);
      }
    }
  }
  walk(top);
  return found;
}

function printSummary(lessonChanges: FileChange[], otherChanges: FileChange[]): void {
  console.log(`From ${from.folder} to ${to.folder}:`);
  for (const kind of ["added", "removed", "changed"] as const) {
    const ofKind = lessonChanges.filter((change) => change.kind === kind);
    if (ofKind.length > 0) {
      console.log(`  ${kind}: ${ofKind.map(describeLines).join(", ")}`);
    }
  }
  const added = lessonChanges.reduce((sum, change) => sum + change.linesAdded, 0);
  const removed = lessonChanges.reduce((sum, change) => sum + change.linesRemoved, 0);
  console.log(
    `  lesson code: +${added} −${removed} lines in ${lessonChanges.length} files; every other file is the same in both steps.`,
  );
  if (otherChanges.length > 0) {
    const shown = showAll ? "shown after the lesson" : "add --all to see them";
    console.log(`  also changed: ${otherChanges.map(describeLines).join(", ")} (${shown})`);
  }
  console.log("");
}

function describeLines(change: FileChange): string {
  return `${change.name} (+${change.linesAdded} −${change.linesRemoved})`;
}

function printChange(change: FileChange): void {
  gitDiff(["--color=auto", change.before, change.after], true);
}
