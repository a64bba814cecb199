// The lesson-neutral files must be the same in every step that has them, so that a diff between two steps
// shows the technique and nothing else. This test names every file that drifted, and the steps where it differs.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { changedFiles, listExercises } from "../tools/homework/exercises.ts";
import { availableSteps, LESSON_NEUTRAL_FILES, ROOT } from "../tools/steps.ts";

// Files that are the lesson of one step and are reused unchanged by a later one: step 06 moves step 04's socket
// into a worker, and the server cannot tell the difference.
const SHARED_BY_STEPS = [{ steps: ["04-websockets", "06-shared-worker"], files: ["server.ts", "client/protocol.ts"] }];

const PROMISED_FILES = [
  "lesson.ts",
  "README.md",
  "server.ts",
  "client/chat.ts",
  "public/index.html",
  "tests/browser.test.ts",
  "tests/server.test.ts",
];

function fingerprint(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 12);
}

for (const file of LESSON_NEUTRAL_FILES) {
  test(`${file} is identical in every step that has it`, () => {
    const stepsByVersion = new Map<string, string[]>();
    for (const step of availableSteps()) {
      const path = join(ROOT, step.folder, file);
      if (existsSync(path)) {
        const version = fingerprint(path);
        stepsByVersion.set(version, [...(stepsByVersion.get(version) ?? []), step.folder]);
      }
    }
    const groups = [...stepsByVersion.values()];
    const described = groups.map((folders) => folders.join(" + ")).join("  |  ");
    expect(groups.length, `${file} differs between: ${described}${homeworkHint(file, groups)}`).toBeLessThanOrEqual(1);
  });
}

for (const { steps, files } of SHARED_BY_STEPS) {
  for (const file of files) {
    test(`${file} is identical in ${steps.join(" and ")}`, () => {
      const fingerprints = steps.map((folder) => fingerprint(join(ROOT, folder, file)));
      const listed = steps.map((folder, index) => `${folder}: ${fingerprints[index]}`).join("  |  ");
      expect(new Set(fingerprints).size, `${file} differs between ${listed}`).toBe(1);
    });
  }
}

test("every step has the files the course promises", () => {
  const missing = availableSteps().flatMap((step) =>
    PROMISED_FILES.filter((file) => !existsSync(join(ROOT, step.folder, file))).map((file) => `${step.folder}/${file}`),
  );
  expect(missing).toEqual([]);
});

// A student who does an exercise changes one step on purpose, and this test then fails. Say what checks homework
// instead: the exercises of the steps whose copy differs from the one most steps have (those whose solution changes
// this file, if there are any).
function homeworkHint(file: string, groups: string[][]): string {
  const largest = Math.max(...groups.map((folders) => folders.length));
  const oneLargest = groups.filter((folders) => folders.length === largest).length === 1;
  // When no copy is held by more steps than the others, any of them may be the changed one.
  const changedFolders = groups.filter((folders) => !oneLargest || folders.length < largest).flat();
  const candidates = listExercises().filter((exercise) => changedFolders.includes(exercise.step.folder));
  const changingThisFile = candidates.filter((exercise) =>
    changedFiles(exercise).some((changed) => changed.path === `${exercise.step.folder}/${file}`),
  );
  const exercises = changingThisFile.length > 0 ? changingThisFile : candidates;
  if (exercises.length === 0) {
    return "";
  }
  const choices = exercises.map((exercise) => `npm run homework -- ${exercise.id}`).join(" or ");
  return `. If you changed it for homework, that is expected: check your exercise with ${choices} (it skips this test).`;
}
