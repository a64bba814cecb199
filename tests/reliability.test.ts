// The fast part of the reliability suite: for every step, the server is stopped with Ctrl+C and killed hard
// while windows are open, and must come back with nothing lost and nothing shown twice.
// `npm run reliability` runs the whole matrix (network loss, crashed tabs, slow consumers) and the soak.
import { expect, test } from "@playwright/test";
import { availableSteps } from "../tools/steps.ts";
import { FAULTS } from "../tools/reliability/faults.ts";
import { startServerProcess } from "../tools/reliability/server-process.ts";

const FAST_FAULTS = FAULTS.slice(0, 2);

for (const step of availableSteps()) {
  for (const fault of FAST_FAULTS.filter((candidate) => candidate.appliesTo(step))) {
    test(`${step.folder}: ${fault.name}: every window recovers, nothing lost or doubled`, async ({ browser }) => {
      test.setTimeout(120_000);
      const server = await startServerProcess(step);
      try {
        const result = await fault.run(server, browser, step);
        expect(result, result.detail).toMatchObject({ recovered: true, lost: 0, duplicates: 0 });
      } finally {
        await server.interrupt().catch(() => undefined);
      }
    });
  }
}
