// A scratch copy of the repository in a temporary folder, so that a reference solution can be tried without touching
// the student's working copy. It holds the files git tracks and the new files it does not ignore, as they are on
// disk; node_modules is linked, not copied.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT, type Step } from "../steps.ts";
import { changedFiles, hasContentBefore, type Exercise } from "./exercises.ts";

export interface Scratch {
  root: string;
  remove(): void;
}

export function createScratch(label: string): Scratch {
  const root = mkdtempSync(join(tmpdir(), `homework-${label}-`));
  for (const file of repositoryFiles()) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(root, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "junction");
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

// Puts every file that the exercise's solution changes back as the exercise found it (the student may have
// started on them): the content comes from git by the blob id written in the solution's diff.
export function resetToExercise(scratch: Scratch, exercise: Exercise): void {
  for (const file of changedFiles(exercise)) {
    if (hasContentBefore(scratch.root, file)) {
      continue;
    }
    const path = join(scratch.root, file.path);
    if (/^0+$/.test(file.before)) {
      rmSync(path);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, execFileSync("git", ["cat-file", "blob", file.before], { cwd: ROOT }));
  }
}

// Applies the reference solution in the scratch copy. Throws, with git's reason, when it does not apply.
export function applySolution(scratch: Scratch, exercise: Exercise): void {
  resetToExercise(scratch, exercise);
  try {
    execFileSync("git", ["apply", exercise.solutionPath], { cwd: scratch.root, stdio: "pipe" });
  } catch (error) {
    const reason = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
    throw new Error(
      `The reference solution of ${exercise.id} does not apply to ${exercise.step.folder}:\n${reason}\n` +
        "The step changed after the solution was written: the solution must be made again (homework/README.md).",
    );
  }
}

// Compiles the step's browser code in the scratch copy, as the tests expect it there.
export function buildStep(root: string, step: Step): void {
  execFileSync("npx", ["tsx", "tools/build.ts", String(step.number)], { cwd: root, stdio: "inherit" });
}

function repositoryFiles(): string[] {
  const listing = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  // A file deleted in the working copy is still listed by git as tracked: it is left out, as it is on disk. Git
  // lists node_modules when it is a link (the ignore rule `node_modules/` matches folders only); it is linked anew.
  return listing.split("\0").filter((file) => file !== "" && file !== "node_modules" && existsSync(join(ROOT, file)));
}
