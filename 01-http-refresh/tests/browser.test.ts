import { testChatPage } from "../../tools/testing/chat-suite.ts";
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

test("others' messages appear only after a reload, and the page says so", async ({ browser, openChat }) => {
  // Alice's page runs on a fake clock, so the test can let a whole minute pass in an instant.
  const aliceContext = await browser.newContext();
  await aliceContext.clock.install();
  const alice = await openChat(running.url, "Alice", aliceContext);
  await expect(alice.status).toContainText("Reload the page");
  const aliceRequests: string[] = [];
  alice.page.on("request", (request) => aliceRequests.push(request.url()));

  const bob = await openChat(running.url, "Bob");
  await bob.send("Hello from Bob");
  await bob.expectMessage("Hello from Bob", "Bob");

  // A minute of Alice's timers: a page that polled would have asked by now. This one asks nothing, so it cannot know.
  await aliceContext.clock.runFor(60_000);
  expect(aliceRequests).toEqual([]);
  await expect(alice.message("Hello from Bob")).toHaveCount(0);
  await expect(alice.page.locator('[data-traffic="requests"]')).toHaveText("1");

  await alice.page.reload();
  await alice.expectMessage("Hello from Bob", "Bob");
  await aliceContext.close();
});

test("sending shows the history again, with the sender's message in its place", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await bob.send("first, from Bob");
  await alice.send("second, from Alice");
  await expect(alice.log.getByRole("listitem")).toHaveText([/Bob\s+first, from Bob/, /Alice\s+second, from Alice/]);
});

testChatPage("01-http-refresh", () => running);
