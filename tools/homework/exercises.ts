// The exercises of homework/: where they are, what their solution changes, and their status on this working copy.
// The layout is described in homework/README.md.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, STEPS, type Step } from "../steps.ts";

export const HOMEWORK_DIR = join(ROOT, "homework");
// A folder of homework/ is an exercise when its name is <step>.<number>-<words>, for example 02.1-adaptive-interval.
const EXERCISE_FOLDER = /^(\d\d)\.(\d+)-[a-z0-9-]+$/;
const RESULTS_FILE = join(HOMEWORK_DIR, ".results.json");
// Build output and compiler caches are not the student's work: they never change a step's fingerprint.
const NOT_SOURCE = ["public/js", ".tsbuildinfo"];
// The blob id git writes for "no file" (the file is new in the solution).
const NO_BLOB = /^0+$/;

export interface Exercise {
  id: string;
  title: string;
  step: Step;
  folder: string;
  solutionPath: string;
  // The acceptance tests, relative to the repository's root.
  testFiles: string[];
}

// One file of the solution: its path from the repository's root and the blob id of its content before the change.
export interface ChangedFile {
  path: string;
  before: string;
}

export type Status = "not started" | "started, not checked" | "failing" | "passing";

export function listExercises(): Exercise[] {
  return readdirSync(HOMEWORK_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && EXERCISE_FOLDER.test(entry.name))
    .map((entry) => readExercise(entry.name))
    .sort(byId);
}

// "2.1", "02.1" or "02.1-adaptive-interval" → the exercise. Exits with a clear message for anything else.
export function findExercise(name: string): Exercise {
  const exercises = listExercises();
  const wanted = name.replace(/^(\d)\./, "0$1.");
  const exercise = exercises.find(
    (candidate) => candidate.id === wanted || relative(HOMEWORK_DIR, candidate.folder) === name,
  );
  if (!exercise) {
    console.error(`Unknown exercise "${name}". Choose one of: ${exercises.map((known) => known.id).join(", ")}.`);
    process.exit(1);
  }
  return exercise;
}

// The files that the reference solution changes, read from its diff (`diff --git` and `index <before>..<after>`).
export function changedFiles(exercise: Exercise): ChangedFile[] {
  const files: ChangedFile[] = [];
  let path = "";
  for (const line of readFileSync(exercise.solutionPath, "utf8").split("\n")) {
    const header = /^diff --git a\/(\S+) b\/\S+$/.exec(line);
    if (header) {
      path = header[1];
    }
    const index = /^index ([0-9a-f]+)\.\.[0-9a-f]+/.exec(line);
    if (index && path) {
      files.push({ path, before: index[1] });
      path = "";
    }
  }
  return files;
}

// True when `path` (from `root`) has the content the exercise started from. The ids may be abbreviated.
export function hasContentBefore(root: string, file: ChangedFile): boolean {
  const fullPath = join(root, file.path);
  if (NO_BLOB.test(file.before)) {
    return !existsSync(fullPath);
  }
  return existsSync(fullPath) && blobId(readFileSync(fullPath)).startsWith(file.before);
}

export function statusOf(exercise: Exercise): Status {
  const result = readResults()[exercise.id];
  const fingerprint = stepFingerprint(exercise.step);
  if (result && result.fingerprint === fingerprint) {
    return result.passed ? "passing" : "failing";
  }
  const untouched = changedFiles(exercise).every((file) => hasContentBefore(ROOT, file));
  return untouched ? "not started" : "started, not checked";
}

// Remembers the result of a check of the working copy, with the fingerprint of the step it was made on.
export function recordResult(exercise: Exercise, passed: boolean): void {
  const results = readResults();
  results[exercise.id] = { passed, fingerprint: stepFingerprint(exercise.step) };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}

function readExercise(name: string): Exercise {
  const folder = join(HOMEWORK_DIR, name);
  const [, stepNumber, exerciseNumber] = EXERCISE_FOLDER.exec(name) as RegExpExecArray;
  const step = STEPS.find((candidate) => candidate.number === Number(stepNumber));
  if (!step) {
    throw new Error(`homework/${name}: there is no step ${stepNumber}`);
  }
  const id = `${stepNumber}.${exerciseNumber}`;
  return {
    id,
    title: readTitle(folder, id),
    step,
    folder,
    solutionPath: join(folder, "solution.patch"),
    testFiles: readdirSync(folder)
      .filter((file) => file.endsWith(".test.ts"))
      .map((file) => relative(ROOT, join(folder, file))),
  };
}

// The first line of the README is "# 02.1 Title".
function readTitle(folder: string, id: string): string {
  const readme = join(folder, "README.md");
  if (!existsSync(readme)) {
    return "(its README.md is missing)";
  }
  const firstLine = readFileSync(readme, "utf8").split("\n")[0];
  return firstLine.replace(/^#\s*/, "").replace(id, "").trim();
}

function byId(a: Exercise, b: Exercise): number {
  return a.step.number - b.step.number || Number(a.id.split(".")[1]) - Number(b.id.split(".")[1]);
}

// The id git gives a file's content, so that it can be compared with the ids in a diff without running git.
function blobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

// One hash of every source file of the step (names and contents): it changes whenever the student's work does.
function stepFingerprint(step: Step): string {
  const stepDir = join(ROOT, step.folder);
  const hash = createHash("sha256");
  const files = readdirSync(stepDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(stepDir, join(entry.parentPath, entry.name)))
    .filter((file) => !NOT_SOURCE.some((skipped) => file.includes(skipped)))
    .sort();
  for (const file of files) {
    hash.update(`${file}\0`).update(readFileSync(join(stepDir, file)));
  }
  return hash.digest("hex");
}

interface Result {
  passed: boolean;
  fingerprint: string;
}

function readResults(): Record<string, Result> {
  if (!existsSync(RESULTS_FILE)) {
    return {};
  }
  return JSON.parse(readFileSync(RESULTS_FILE, "utf8")) as Record<string, Result>;
}
