import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../server.ts";

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

test("the status counts down to the next poll, and polls carry a cursor", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await expect(alice.status).toContainText(/Next poll in [123] s/);
  const poll = await alice.page.waitForRequest((request) => request.url().includes("/api/messages?"));
  const query = new URL(poll.url()).searchParams;
  expect(query.get("epoch")).toMatch(/^[0-9a-f-]{36}$/);
  expect(query.get("since")).toBe("0");
});

test("while the server is down the page backs off, then recovers by itself", async ({ openChat }) => {
  test.setTimeout(90_000);
  const alice = await openChat(running.url, "Alice");
  await running.stop();
  await expect(alice.status).toContainText(/cannot be reached\. Retrying in \d+ s/, { timeout: 15_000 });
  await running.start();
  await expect(alice.status).toContainText(/Next poll in/, { timeout: 30_000 });
});

test("the traffic panel shows requests per live message: polls that bring nothing count too", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await expect(alice.page.locator('[data-traffic="requestsPerMessage"]')).toHaveText("–");
  await bob.send("one message");
  await alice.expectMessage("one message", "Bob");
  // Two more polls, each answered with an empty list.
  const requestsWithTheMessage = (await readTraffic(alice)).requests;
  await expect.poll(async () => (await readTraffic(alice)).requests).toBeGreaterThanOrEqual(requestsWithTheMessage + 2);
  const traffic = await readTraffic(alice);
  expect(traffic.messages).toBe(1);
  expect(traffic.perMessage).toBe(String(traffic.requests));
  expect(traffic.requests).toBeGreaterThanOrEqual(4);
});

testChatPage("02-http-polling", () => running);
testLiveDelivery("02-http-polling", () => running);
