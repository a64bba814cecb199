// Acceptance test of homework 05.1: a hidden tab closes its event stream, and catches up when it is shown again.
// Headless Chromium shows every page, so the test makes the page believe it was hidden: it sets document.hidden
// and document.visibilityState and fires visibilitychange, as the browser does when the user switches tabs.
import { expect, setHidden, test } from "../../tools/testing/browser.ts";
import { postChat } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type EventStreamServer } from "../../05-sse/server.ts";

// A page may wait a little before it closes its stream (a quick look at another tab is not worth a reconnect).
const CLOSED_WITHIN_MS = 15_000;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as EventStreamServer).connectionCount();
}

test("a hidden tab closes its stream, says so, and the others see it go offline", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await expect(bob.online.getByRole("listitem")).toHaveCount(2);
  await expect.poll(connectionCount).toBe(2);

  await setHidden(alice.page, true);
  await expect.poll(connectionCount, { timeout: CLOSED_WITHIN_MS }).toBe(1);
  await expect(bob.online.getByRole("listitem")).toHaveText(["Bob (you)"]);
  await expect(alice.status).toContainText(/paused|hidden/i);
});

test("shown again, the tab opens a stream and shows what was sent while it was hidden", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await postChat(running.url, "Bob", "before");
  await alice.expectMessage("before", "Bob");

  await setHidden(alice.page, true);
  await expect.poll(connectionCount, { timeout: CLOSED_WITHIN_MS }).toBe(0);
  await postChat(running.url, "Bob", "while Alice looked away");

  await setHidden(alice.page, false);
  await expect(alice.status).toContainText("Connected");
  await expect(alice.log.getByRole("listitem")).toHaveText([/before/, /while Alice looked away/]);
  expect(connectionCount()).toBe(1);
  await alice.send("back again");
  await alice.expectMessage("back again", "Alice");
});
