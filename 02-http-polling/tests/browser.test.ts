import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

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

testChatPage("02-http-polling", () => running);
testLiveDelivery("02-http-polling", () => running);
