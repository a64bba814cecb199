// The fault scenarios of the reliability suite. Each one opens real Chromium windows on a step's server (a child
// process), injects one fault, then checks that every window recovers by itself and that every message sent after
// recovery, and every message sent while a window was away but the server lived, is shown exactly once in each.
// The slow consumer, longer than the others, has a file of its own (slow-consumer.ts); windows.ts drives the windows.
import type { Browser } from "@playwright/test";
import type { Step } from "../steps.ts";
import type { Fault, FaultOutcome } from "./fault.ts";
import type { ServerProcess } from "./server-process.ts";
import { slowConsumer } from "./slow-consumer.ts";
import { checkDelivery, openWindow, RECOVERY_DEADLINE_MS, sendUntilAccepted, type Window } from "./windows.ts";

const OFFLINE_MS = 4000;
const PROMPT_EXIT_MS = 3000;

// After a restart the windows must drop the old epoch's history by themselves.
async function waitForHistoryReset(windows: Window[], oldText: string): Promise<boolean> {
  try {
    for (const window of windows) {
      await window.page
        .getByRole("log")
        .getByText(oldText, { exact: true })
        .waitFor({ state: "detached", timeout: RECOVERY_DEADLINE_MS });
    }
    return true;
  } catch {
    return false;
  }
}

// In the steps with presence, a crashed tab must leave the Online list within a bounded time.
async function waitUntilOffline(window: Window, user: string): Promise<boolean> {
  const online = window.page.getByRole("list", { name: "Online" });
  if ((await online.count()) === 0) {
    return true;
  }
  try {
    await online.getByText(user).waitFor({ state: "detached", timeout: RECOVERY_DEADLINE_MS });
    return true;
  } catch {
    return false;
  }
}

function outcome(delivery: { lost: number; duplicates: number }, recovered: boolean, detail: string): FaultOutcome {
  return { recovered: recovered && delivery.lost === 0, ...delivery, detail };
}

// Step 01 has no live updates: a message from another window shows only after a reload.
const isLive = (step: Step): boolean => step.protocol !== undefined;

async function restartScenario(
  server: ServerProcess,
  browser: Browser,
  step: Step,
  stop: () => Promise<unknown>,
): Promise<FaultOutcome> {
  const alice = await openWindow(browser, server, "Alice");
  const bob = await openWindow(browser, server, "Bob");
  try {
    await sendUntilAccepted(alice, "before the fault");
    if (isLive(step)) {
      // Stored for sure before the fault: a message still waiting for its acknowledgement (step 06) would rightly
      // be sent again to the new server, and so belong to the new history.
      await checkDelivery([bob], ["before the fault"]);
    }
    await stop();
    await server.start();
    if (!isLive(step)) {
      // Step 01 shows news only when it loads: a send reloads the history, which must be the new server's.
      await sendUntilAccepted(alice, "after the fault");
      const delivery = await checkDelivery([alice], ["after the fault"]);
      const reset = await waitForHistoryReset([alice], "before the fault");
      return outcome(delivery, reset, "the sender's page reloads the new history");
    }
    const reset = await waitForHistoryReset([alice, bob], "before the fault");
    const texts = ["after the fault from Alice", "after the fault from Bob"];
    await sendUntilAccepted(alice, texts[0]);
    await sendUntilAccepted(bob, texts[1]);
    return outcome(
      await checkDelivery([alice, bob], texts),
      reset,
      reset ? "both windows reloaded the new epoch" : "a window kept the old epoch",
    );
  } finally {
    await Promise.all([alice.context.close(), bob.context.close()]);
  }
}

export const FAULTS: Fault[] = [
  {
    name: "Ctrl+C, then start again",
    appliesTo: () => true,
    async run(server, browser, step) {
      let exit = { exitMs: 0, code: null as number | null };
      const result = await restartScenario(server, browser, step, async () => {
        exit = await server.interrupt();
      });
      const prompt = exit.code === 0 && exit.exitMs < PROMPT_EXIT_MS;
      return {
        ...result,
        recovered: result.recovered && prompt,
        detail: `exit ${exit.code} in ${exit.exitMs} ms; ${result.detail}`,
      };
    },
  },
  {
    name: "killed hard (SIGKILL), then start again",
    appliesTo: () => true,
    run: (server, browser, step) => restartScenario(server, browser, step, () => server.kill()),
  },
  {
    name: `network down for ${OFFLINE_MS / 1000} s`,
    appliesTo: isLive,
    async run(server, browser) {
      const alice = await openWindow(browser, server, "Alice");
      const bob = await openWindow(browser, server, "Bob");
      try {
        await sendUntilAccepted(bob, "before the outage");
        await checkDelivery([alice], ["before the outage"]);
        await alice.context.setOffline(true);
        const whileAway = ["sent while Alice was offline 1", "sent while Alice was offline 2"];
        for (const text of whileAway) {
          await sendUntilAccepted(bob, text);
        }
        await alice.page.waitForTimeout(OFFLINE_MS);
        await alice.context.setOffline(false);
        await sendUntilAccepted(alice, "Alice is back");
        const delivery = await checkDelivery([alice, bob], [...whileAway, "Alice is back"]);
        return outcome(delivery, true, "messages sent during the outage arrive after it");
      } finally {
        await Promise.all([alice.context.close(), bob.context.close()]);
      }
    },
  },
  {
    name: "a tab crashes without a goodbye",
    appliesTo: isLive,
    async run(server, browser) {
      const alice = await openWindow(browser, server, "Alice");
      const bob = await openWindow(browser, server, "Bob");
      const carol = await openWindow(browser, server, "Carol");
      try {
        await sendUntilAccepted(carol, "Carol was here");
        await checkDelivery([alice, bob], ["Carol was here"]);
        const cdp = await carol.context.newCDPSession(carol.page);
        const crashed = carol.page.waitForEvent("crash");
        // The renderer dies at once, so the command itself never gets its answer (some Chromium builds never even
        // fail it): wait for the page's crash instead.
        cdp.send("Page.crash").catch(() => undefined);
        await crashed;
        await sendUntilAccepted(bob, "after Carol's crash");
        await sendUntilAccepted(alice, "Alice answers");
        const delivery = await checkDelivery([alice, bob], ["after Carol's crash", "Alice answers"]);
        const gone = await waitUntilOffline(alice, "Carol");
        return outcome(
          delivery,
          gone,
          gone ? "the others are not disturbed; Carol left the Online list" : "Carol stayed in the Online list",
        );
      } finally {
        await Promise.all([alice.context.close(), bob.context.close(), carol.context.close()]);
      }
    },
  },
  slowConsumer,
];
