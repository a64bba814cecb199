// Acceptance test of homework 03.2: the client may choose how long a long poll waits (?wait=seconds), within limits
// that the server sets.
import { expect, test } from "@playwright/test";
import { getUpdate, postChat, request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type LongPollServer } from "../../03-http-longpolling/server.ts";

let running: RunningServer;
let epoch: string;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
  ({ epoch } = await getUpdate(running.url));
});
test.afterEach(() => running.stop());

function waitingCount(): number {
  return (running.current() as LongPollServer).waitingCount();
}

// "At once": a refusal must come sooner than this, and an answer after ?wait=2 too.
const ANSWER_WITHIN_MS = 6000;

// A long poll with a current cursor (nothing new yet) and the given wait. A server that holds it longer than
// ANSWER_WITHIN_MS fails the test then, instead of after its own 25 s.
function longPoll(wait: string, limitMs = ANSWER_WITHIN_MS) {
  return request(`${running.url}/api/messages?epoch=${epoch}&since=0&wait=${wait}`, {
    signal: AbortSignal.timeout(limitMs),
  });
}

test("?wait=2 answers after about 2 s when nothing happens, with an empty update", async () => {
  const started = Date.now();
  const reply = await longPoll("2");
  const waitedMs = Date.now() - started;
  console.log(`Measured: ?wait=2 was answered after ${waitedMs} ms.`);
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toEqual({ epoch, reset: false, messages: [] });
  expect(waitedMs).toBeGreaterThanOrEqual(1500);
  expect(waitedMs).toBeLessThan(ANSWER_WITHIN_MS);
});

test("a long poll with ?wait= is still answered at once by a new message", async () => {
  const waiting = longPoll("25", 25_000);
  await expect.poll(() => waitingCount()).toBe(1);
  const hello = await postChat(running.url, "Alice", "hello");
  const reply = await waiting;
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toEqual({ epoch, reset: false, messages: [hello] });
});

for (const bad of ["0", "-1", "1.5", "abc", "26", "3600", "2s"]) {
  test(`?wait=${bad} is refused at once with 400 and a JSON reason`, async () => {
    const reply = await longPoll(bad);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: expect.stringContaining("wait") });
    expect(waitingCount()).toBe(0);
  });
}

test("?wait= given twice is refused with 400", async () => {
  const reply = await request(`${running.url}/api/messages?epoch=${epoch}&since=0&wait=2&wait=3`, {
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  expect(reply.status).toBe(400);
});
