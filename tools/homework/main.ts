// `npm run homework`: the exercises of homework/, checked on the student's own working copy (homework/README.md).
//   npm run homework                      every exercise, with its status on this working copy
//   npm run homework -- 02.1              its acceptance test and the step's own tests, on this working copy
//   npm run homework -- 02.1 --solution   the same tests against the reference solution, in a scratch copy
//   npm run homework -- 02.1 --show       the reference solution's diff
//   npm run homework -- 02.1 --serve      the solved step on http://localhost:3000, as npm run example2 would
//   npm run homework -- --prove [02]      every exercise (of step 02) fails before and passes after its solution
// `--workers=N` is passed on to Playwright.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { availableSteps, findStep, LESSON_NEUTRAL_FILES, ROOT } from "../steps.ts";
import {
  changedFiles,
  findExercise,
  hasContentBefore,
  listExercises,
  recordResult,
  statusOf,
  type Exercise,
} from "./exercises.ts";
import { runTests, type TestOutcome, type TestRun } from "./run-tests.ts";
import { applySolution, buildStep, createScratch, resetToExercise, type Scratch } from "./scratch.ts";

// The verdicts of the proof that make an exercise honest.
const FAILS_BEFORE = "fails, as it should";
const PASSES_AFTER = "all pass";
// The proof runs a step's whole suite once for each of its exercises, 22 runs in all, on CI's 2 cores. A browser test
// that waits on timing can fail once under that load, so a test that fails runs once more; one that passes then is
// named as flaky in the output, never hidden, and one that fails twice fails the proof.
const PROVE_RETRIES = 1;

const KNOWN_FLAGS = ["--solution", "--show", "--serve", "--prove"];

const args = process.argv.slice(2);
const workersArg = args.find((arg) => arg.startsWith("--workers="));
const workers = workersArg ? Number(workersArg.split("=")[1]) : undefined;
const flags = new Set(args.filter((arg) => arg.startsWith("--") && arg !== workersArg));
const [name] = args.filter((arg) => !arg.startsWith("--"));
const unknownFlags = [...flags].filter((flag) => !KNOWN_FLAGS.includes(flag));
if (unknownFlags.length > 0) {
  console.error(`Unknown option ${unknownFlags.join(", ")}. Choose from: ${KNOWN_FLAGS.join(", ")}, --workers=N.`);
  process.exit(1);
}

if (flags.has("--prove")) {
  prove(name);
} else if (!name) {
  listAll();
} else if (flags.has("--show")) {
  showSolution(findExercise(name));
} else if (flags.has("--serve")) {
  serveSolution(findExercise(name));
} else if (flags.has("--solution")) {
  checkSolution(findExercise(name));
} else {
  checkWorkingCopy(findExercise(name));
}

function listAll(): void {
  const exercises = listExercises();
  const rows = exercises.map((exercise) => [exercise.id, exercise.title, exercise.step.folder, statusOf(exercise)]);
  printTable(["id", "exercise", "step", "status"], rows);
  console.log(`\n${exercises.length} exercises. Check one with: npm run homework -- ${exercises[0]?.id ?? "02.1"}`);
}

function checkWorkingCopy(exercise: Exercise): void {
  console.log(`${exercise.id} ${exercise.title}: checking your ${exercise.step.folder}\n`);
  try {
    buildStep(ROOT, exercise.step);
  } catch {
    console.log(`\n${exercise.id} is not done yet: the page's TypeScript does not compile (the errors are above).`);
    recordResult(exercise, false);
    process.exit(1);
  }
  const run = runTests(ROOT, testPaths(exercise), { workers });
  const passed = report(exercise, run);
  recordResult(exercise, passed);
  if (passed) {
    warnAboutSharedFiles(exercise);
  }
  process.exit(passed ? 0 : 1);
}

function checkSolution(exercise: Exercise): void {
  console.log(`${exercise.id} ${exercise.title}: checking the reference solution, in a scratch copy\n`);
  const scratch = solvedScratch(exercise);
  buildStep(scratch.root, exercise.step);
  const passed = report(exercise, runTests(scratch.root, testPaths(exercise), { workers }));
  scratch.remove();
  process.exit(passed ? 0 : 1);
}

function showSolution(exercise: Exercise): void {
  console.log(readFileSync(exercise.solutionPath, "utf8"));
}

// Runs the step's dev server from a scratch copy with the solution; Ctrl+C stops it and removes the copy.
function serveSolution(exercise: Exercise): void {
  const scratch = solvedScratch(exercise);
  console.log(`${exercise.id} ${exercise.title}: the reference solution, served from ${scratch.root}`);
  const server = spawn("npx", ["tsx", "tools/dev.ts", String(exercise.step.number)], {
    cwd: scratch.root,
    stdio: "inherit",
  });
  // Ctrl+C reaches the dev server too (same terminal): wait until it has stopped, then remove the copy.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => server.kill("SIGTERM"));
  server.on("exit", (code) => {
    scratch.remove();
    process.exit(code ?? 0);
  });
}

// A scratch copy with the reference solution applied. Exits with git's reason when the solution does not apply.
function solvedScratch(exercise: Exercise): Scratch {
  const scratch = createScratch(exercise.id);
  try {
    applySolution(scratch, exercise);
  } catch (error) {
    scratch.remove();
    console.error((error as Error).message);
    process.exit(1);
  }
  return scratch;
}

// The acceptance tests of the exercise and the tests of its step: never the cross-step tests of tests/.
function testPaths(exercise: Exercise): string[] {
  return [...exercise.testFiles, `${exercise.step.folder}/tests/`];
}

// Prints the result in plain words: what is missing, which of the step's tests broke. True when all passed.
function report(exercise: Exercise, run: TestRun): boolean {
  const acceptance = run.outcomes.filter((outcome) => outcome.file.startsWith("homework/"));
  const stepTests = run.outcomes.filter((outcome) => !outcome.file.startsWith("homework/"));
  const missing = acceptance.filter((outcome) => !outcome.passed);
  const broken = stepTests.filter((outcome) => !outcome.passed);
  console.log("");
  if (run.errors.length > 0 || acceptance.length === 0) {
    console.log(`${exercise.id} could not be checked: the tests did not run.`);
    run.errors.forEach((error) => console.log(`  ${error}`));
    return false;
  }
  if (missing.length > 0) {
    const readme = relative(ROOT, join(exercise.folder, "README.md"));
    console.log(`${exercise.id} is not done yet. What is still missing (${readme} says what to build):`);
    printOutcomes(missing);
  } else {
    console.log(`${exercise.id}: the acceptance test passes (${acceptance.length} tests).`);
  }
  if (broken.length > 0) {
    console.log(`The step's own tests must still pass; ${broken.length} of ${stepTests.length} fail:`);
    printOutcomes(broken);
  } else {
    console.log(`The step's own tests pass (${stepTests.length} tests).`);
  }
  const passed = missing.length === 0 && broken.length === 0;
  console.log(passed ? `\n${exercise.id} is done.` : `\n${exercise.id} is not done yet.`);
  return passed;
}

function printOutcomes(outcomes: TestOutcome[]): void {
  for (const outcome of outcomes) {
    console.log(`  ✗ ${outcome.title}  (${outcome.file})`);
    if (outcome.error) {
      console.log(`      ${outcome.error}`);
    }
  }
}

// The course's sync check (tests/steps-in-sync.test.ts, part of npm test) fails when a shared file differs between
// steps. For homework that is expected: say so, so that the student is not surprised by npm test.
function warnAboutSharedFiles(exercise: Exercise): void {
  const otherSteps = availableSteps().filter((step) => step.number !== exercise.step.number);
  const changed = LESSON_NEUTRAL_FILES.filter((file) => {
    const path = join(ROOT, exercise.step.folder, file);
    return existsSync(path) && otherSteps.some((step) => differs(path, join(ROOT, step.folder, file)));
  });
  if (changed.length > 0) {
    console.log(
      `\nYou changed ${changed.join(", ")}, which every step shares. npm test's sync check ` +
        "(tests/steps-in-sync.test.ts) will say that it differs between the steps: that is expected for homework, " +
        "and npm run homework does not run that check.",
    );
  }
}

function differs(path: string, otherPath: string): boolean {
  return existsSync(otherPath) && !readFileSync(path).equals(readFileSync(otherPath));
}

// CI's proof: for every exercise (of one step, if named), the acceptance test fails on the untouched step and the
// acceptance test and the step's own tests pass with the reference solution. Nothing runs in the working copy.
function prove(stepName: string | undefined): void {
  const step = stepName ? findStep(stepName) : undefined;
  const exercises = listExercises().filter((exercise) => !step || exercise.step.number === step.number);
  const started = Date.now();
  const failsBefore = proveFailsBefore(exercises);
  const rows = exercises.map((exercise) => {
    const after = provePassesAfter(exercise);
    return [exercise.id, exercise.title, failsBefore.get(exercise.id) ?? "?", after];
  });
  printTable(["id", "exercise", "untouched step", "with the solution"], rows);
  const honest = rows.every((row) => row[2] === FAILS_BEFORE && row[3].startsWith(PASSES_AFTER));
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n${exercises.length} exercises in ${seconds} s: ${honest ? "every one is honest" : "NOT all honest"}.`);
  process.exit(honest ? 0 : 1);
}

// One scratch copy with every exercise's files as the exercise found them, and one run of all acceptance tests.
function proveFailsBefore(exercises: Exercise[]): Map<string, string> {
  const scratch = createScratch("untouched");
  exercises.forEach((exercise) => resetToExercise(scratch, exercise));
  const steps = new Set(exercises.map((exercise) => exercise.step));
  steps.forEach((step) => buildStep(scratch.root, step));
  console.log(`Running the acceptance tests of ${exercises.length} exercises on the untouched steps…`);
  const run = runTests(
    scratch.root,
    exercises.flatMap((exercise) => exercise.testFiles),
    { workers, quiet: true },
  );
  scratch.remove();
  const verdicts = new Map<string, string>();
  for (const exercise of exercises) {
    const outcomes = run.outcomes.filter((outcome) => exercise.testFiles.includes(outcome.file));
    verdicts.set(exercise.id, verdictBefore(outcomes));
  }
  return verdicts;
}

function verdictBefore(outcomes: TestOutcome[]): string {
  if (outcomes.length === 0) {
    return "did not run";
  }
  return outcomes.some((outcome) => !outcome.passed) ? FAILS_BEFORE : "PASSES: the test proves nothing";
}

function provePassesAfter(exercise: Exercise): string {
  // The solution must start from the step as it is: otherwise the scratch copy would hold old versions of its files.
  if (!changedFiles(exercise).every((file) => hasContentBefore(ROOT, file))) {
    return "STALE: made on an older step, make it again";
  }
  console.log(`${exercise.id}: running its acceptance test and the step's tests with the reference solution…`);
  const scratch = createScratch(exercise.id);
  try {
    applySolution(scratch, exercise);
  } catch (error) {
    scratch.remove();
    console.log((error as Error).message);
    return "DOES NOT APPLY";
  }
  buildStep(scratch.root, exercise.step);
  const run = runTests(scratch.root, testPaths(exercise), { workers, quiet: true, retries: PROVE_RETRIES });
  scratch.remove();
  const failed = run.outcomes.filter((outcome) => !outcome.passed);
  if (run.outcomes.length === 0 || run.errors.length > 0) {
    return "did not run";
  }
  failed.forEach((outcome) => console.log(`  ✗ ${outcome.title} (${outcome.file}): ${outcome.error}`));
  const flaky = run.outcomes.filter((outcome) => outcome.flaky);
  flaky.forEach((outcome) => console.log(`  ~ ${outcome.title} (${outcome.file}): failed once, passed when run again`));
  if (failed.length > 0) {
    return `${failed.length} FAIL`;
  }
  return flaky.length === 0 ? PASSES_AFTER : `${PASSES_AFTER} (${flaky.length} flaky)`;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  rows.forEach((row) => console.log(line(row)));
}
