import { setMaxListeners } from "node:events";
import { expect, test } from "@playwright/test";
import { testBadInput } from "../../tools/testing/bad-input.ts";
import { getUpdate, postChat, request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type LongPollServer } from "../server.ts";

const TEST_TIMEOUT_MS = 1000;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer({ longPollTimeoutMs: TEST_TIMEOUT_MS }));
});
test.afterEach(() => running.stop());

function waitingCount(): number {
  return (running.current() as LongPollServer).waitingCount();
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
}

test("a long poll is held until a message arrives, then answered with it", async () => {
  const { epoch } = await getUpdate(running.url);
  const waiting = getUpdate(running.url, epoch, 0);
  await expect.poll(waitingCount).toBe(1);
  const hello = await postChat(running.url, "Alice", "hello");
  expect(await waiting).toEqual({ epoch, reset: false, messages: [hello] });
  expect(waitingCount()).toBe(0);
});

test("a long poll with nothing new returns empty at about its timeout", async () => {
  const { epoch } = await getUpdate(running.url);
  const started = performance.now();
  const update = await getUpdate(running.url, epoch, 0);
  const elapsed = performance.now() - started;
  expect(update).toEqual({ epoch, reset: false, messages: [] });
  expect(elapsed).toBeGreaterThanOrEqual(TEST_TIMEOUT_MS - 50);
  expect(elapsed).toBeLessThan(TEST_TIMEOUT_MS + 1000);
});

test("a client that is behind, or from another epoch, is answered at once", async () => {
  const { epoch } = await getUpdate(running.url);
  const hello = await postChat(running.url, "Alice", "hello");
  expect(await getUpdate(running.url, epoch, 0)).toEqual({ epoch, reset: false, messages: [hello] });
  expect(await getUpdate(running.url, "an-old-epoch", 5)).toEqual({ epoch, reset: true, messages: [hello] });
  expect(waitingCount()).toBe(0);
});

test("a malformed cursor gets 400 at once, not a wait", async () => {
  const reply = await request(`${running.url}/api/messages?since=soon`);
  expect(reply.status).toBe(400);
  expect(JSON.parse(reply.body).error).toMatch(/"since" must be a whole number/);
});

function openConnections(): Promise<number> {
  return new Promise((resolve, reject) => {
    running.current().server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
  });
}

test("1,000 aborted long polls leave no waiter, timer, listener or connection behind", async () => {
  test.setTimeout(60_000);
  const POLLS = 1000;
  // This test needs polls that stay open while all 1,000 arrive, so it uses the real timeout.
  await running.stop();
  running = await startServer(() => createChatServer());
  const { epoch } = await getUpdate(running.url);
  const listenersBefore =
    running.current().server.listenerCount("connection") + running.current().server.listenerCount("request");
  const timersBefore = activeTimers();
  const controller = new AbortController();
  setMaxListeners(POLLS, controller.signal);
  const polls = Array.from({ length: POLLS }, () =>
    getUpdate(running.url, epoch, 0, controller.signal).catch(() => "aborted"),
  );
  await expect.poll(waitingCount, { timeout: 20_000 }).toBe(POLLS);
  expect(activeTimers()).toBeGreaterThanOrEqual(timersBefore + POLLS);

  controller.abort();
  expect(new Set(await Promise.all(polls))).toEqual(new Set(["aborted"]));
  await expect.poll(waitingCount).toBe(0);
  await expect.poll(openConnections).toBe(0);
  // Measured outside expect.poll, which runs timers of its own.
  expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  // The server's own listeners did not pile up, and it still answers.
  expect(running.current().server.listenerCount("connection") + running.current().server.listenerCount("request")).toBe(
    listenersBefore,
  );
  expect((await postChat(running.url, "Alice", "still here")).id).toBe(1);
});

test("200 messages from concurrent posters reach a long-polling client with no loss and no duplicates", async () => {
  const POSTERS = 10;
  const MESSAGES_EACH = 20;
  const expected = POSTERS * MESSAGES_EACH;
  const { epoch } = await getUpdate(running.url);

  const received: string[] = [];
  const receiving = (async () => {
    let since = 0;
    const deadline = Date.now() + 20_000;
    while (received.length < expected && Date.now() < deadline) {
      const update = await getUpdate(running.url, epoch, since);
      expect(update.reset).toBe(false);
      for (const message of update.messages) {
        expect(message.id).toBe(since + 1);
        since = message.id;
        received.push(`${message.user}/${message.text}`);
      }
    }
  })();
  await expect.poll(waitingCount).toBe(1);

  await Promise.all(
    Array.from({ length: POSTERS }, async (_, poster) => {
      for (let index = 0; index < MESSAGES_EACH; index += 1) {
        await postChat(running.url, `poster${poster}`, `message ${index}`);
      }
    }),
  );
  await receiving;

  expect(received).toHaveLength(expected);
  expect(new Set(received).size).toBe(expected);
});

test("stopping the server ends the open long polls at once", async () => {
  const { epoch } = await getUpdate(running.url);
  const waiting = getUpdate(running.url, epoch, 0).catch((error: Error) => error);
  await expect.poll(waitingCount).toBe(1);
  const closing = running.stop();
  expect(await waiting).toBeInstanceOf(Error);
  await closing;
});

testBadInput("03-http-longpolling", () => running.url);
