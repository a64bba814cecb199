// Acceptance test of homework 02.1: the poll interval adapts, fast after a message, slow when nothing happens.
// Alice's page runs on a fake clock, so that minutes of polling pass in seconds. Each step of the clock waits until
// the page's requests have finished, as they would in real time.
import type { BrowserContext, Page, Request } from "@playwright/test";
import { expect, test } from "../../tools/testing/browser.ts";
import { postChat } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../02-http-polling/server.ts";

// Small steps where polls are counted; larger ones while the page only settles into its quiet pace.
const CLOCK_STEP_MS = 500;
const SETTLING_STEP_MS = 2000;
const QUIET_MS = 120_000;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

// Counts the page's polls, and knows how many of its requests (seen from their start) are still on their way.
function watchPolls(page: Page): { polls: () => number; inFlight: () => number } {
  let polls = 0;
  const pending = new Set<Request>();
  page.on("request", (request) => {
    pending.add(request);
    if (request.method() === "GET" && new URL(request.url()).pathname === "/api/messages") {
      polls += 1;
    }
  });
  const finished = (request: Request): void => {
    pending.delete(request);
  };
  page.on("requestfinished", finished);
  page.on("requestfailed", finished);
  return { polls: () => polls, inFlight: () => pending.size };
}

// Lets `ms` of the page's time pass, in small steps, each after the requests of the step before have finished.
async function letTimePass(
  context: BrowserContext,
  watch: ReturnType<typeof watchPolls>,
  ms: number,
  stepMs = CLOCK_STEP_MS,
): Promise<void> {
  for (let passed = 0; passed < ms; passed += stepMs) {
    await expect.poll(watch.inFlight).toBe(0);
    await context.clock.runFor(stepMs);
  }
  await expect.poll(watch.inFlight).toBe(0);
}

async function pollsDuring(context: BrowserContext, watch: ReturnType<typeof watchPolls>, ms: number) {
  const before = watch.polls();
  await letTimePass(context, watch, ms);
  return watch.polls() - before;
}

test("after two quiet minutes the page polls every 10 s; after a message, every second", async ({
  browser,
  openChat,
}) => {
  test.setTimeout(240_000);
  const context = await browser.newContext();
  await context.clock.install();
  const alice = await openChat(running.url, "Alice", context);
  const watch = watchPolls(alice.page);

  await letTimePass(context, watch, QUIET_MS, SETTLING_STEP_MS);
  const slowPolls = await pollsDuring(context, watch, 60_000);
  console.log(`Measured: ${slowPolls} polls in the minute after two quiet minutes.`);
  expect(slowPolls, "polls in a minute, when nothing happened for two minutes (one every 10 s)").toBeGreaterThanOrEqual(
    5,
  );
  expect(slowPolls, "polls in a minute, when nothing happened for two minutes (one every 10 s)").toBeLessThanOrEqual(7);

  await postChat(running.url, "Bob", "wake up");
  for (let waited = 0; waited < 15_000 && (await alice.message("wake up").count()) === 0; waited += 1000) {
    await letTimePass(context, watch, 1000);
  }
  await alice.expectMessage("wake up", "Bob");
  const fastPolls = await pollsDuring(context, watch, 5000);
  console.log(`Measured: ${fastPolls} polls in the 5 s after a message arrived.`);
  expect(fastPolls, "polls in the 5 s after a message arrived (one every second)").toBeGreaterThanOrEqual(4);

  await letTimePass(context, watch, QUIET_MS, SETTLING_STEP_MS);
  const slowAgain = await pollsDuring(context, watch, 60_000);
  expect(slowAgain, "polls in a minute, two quiet minutes after the message").toBeLessThanOrEqual(7);
  await context.close();
});
