import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type LongPollServer } from "../server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

function waitingCount(): number {
  return (running.current() as LongPollServer).waitingCount();
}

test("each open page keeps one request waiting at the server", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await expect(alice.status).toContainText("Waiting for new messages");
  await openChat(running.url, "Bob");
  await expect.poll(waitingCount).toBe(2);
});

// Identical URLs from tabs of one browser would otherwise queue behind each other in its HTTP cache.
test("tabs of one browser each keep their own request waiting", async ({ openChat }) => {
  const first = await openChat(running.url, "Alice");
  await openChat(running.url, "Alice", first.page.context());
  await openChat(running.url, "Alice", first.page.context());
  await expect.poll(waitingCount).toBe(3);
});

test("closing a page ends its waiting request at once", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await openChat(running.url, "Bob");
  await expect.poll(waitingCount).toBe(2);
  await alice.page.close();
  await expect.poll(waitingCount).toBe(1);
});

test("after each answer the page asks again at once", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  for (const text of ["one", "two", "three"]) {
    await bob.send(text);
    await alice.expectMessage(text, "Bob");
  }
  await expect.poll(waitingCount).toBe(2);
});

testChatPage("03-http-longpolling", () => running);
testLiveDelivery("03-http-longpolling", () => running);
