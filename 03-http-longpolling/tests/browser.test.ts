import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type LongPollServer } from "../server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

// The traffic panel's figures, read at one moment (a poll could land between two reads).
const READ_TRAFFIC = `(() => {
  const figure = (name) => document.querySelector(\`[data-traffic="\${name}"]\`).textContent;
  return { requests: figure("requests"), messages: figure("messages"), perMessage: figure("requestsPerMessage") };
})()`;

async function readTraffic(window: ChatWindow): Promise<{ requests: number; messages: number; perMessage: string }> {
  const figures = (await window.page.evaluate(READ_TRAFFIC)) as {
    requests: string;
    messages: string;
    perMessage: string;
  };
  return { requests: Number(figures.requests), messages: Number(figures.messages), perMessage: figures.perMessage };
}

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

test("the traffic panel shows requests per live message: about one, as each answer brings a message", async ({
  openChat,
}) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await expect(alice.page.locator('[data-traffic="requestsPerMessage"]')).toHaveText("–");
  for (const text of ["one", "two", "three", "four"]) {
    await bob.send(text);
    await alice.expectMessage(text, "Bob");
  }
  const traffic = await readTraffic(alice);
  expect(traffic.messages).toBe(4);
  // The history, then one answered request per message (the one waiting now is not counted until it ends).
  expect(traffic.requests).toBe(5);
  expect(traffic.perMessage).toBe("1.3");
});

testChatPage("03-http-longpolling", () => running);
testLiveDelivery("03-http-longpolling", () => running);
