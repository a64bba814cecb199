// The lesson-neutral files must be the same in every step that has them, so that a diff between two steps
// shows the technique and nothing else. This test names every file that drifted, and the steps where it differs.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { availableSteps, ROOT } from "../tools/steps.ts";

// Files that are not the lesson. A step may lack one (step 01 does not retry, so it has no backoff.ts),
// but where two steps have it, they must have the same bytes.
const LESSON_NEUTRAL_FILES = [
  "app.ts",
  "main.ts",
  "store.ts",
  "validation.ts",
  "rate-limit.ts",
  "connection-limit.ts",
  "log.ts",
  "presence.ts",
  "client/typing.ts",
  "client/ui.ts",
  "client/http.ts",
  "client/backoff.ts",
  "client/retry.ts",
  "client/presence.ts",
  "client/socket.ts",
  "client/tsconfig.json",
  "public/style.css",
  "public/favicon.svg",
];

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
    const groups = [...stepsByVersion.values()].map((folders) => folders.join(" + "));
    expect(groups.length, `${file} differs between: ${groups.join("  |  ")}`).toBeLessThanOrEqual(1);
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
