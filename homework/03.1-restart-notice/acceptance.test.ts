// Acceptance test of homework 03.1: the page says for a few seconds that the server restarted.
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../03-http-longpolling/server.ts";

// "A few seconds": the notice must be gone this long after it appeared.
const NOTICE_GONE_WITHIN_MS = 15_000;
const NOTICE = /server restarted/i;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

test("after a restart of the server the page says so, then the notice goes away", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await alice.send("before the restart");
  await alice.expectMessage("before the restart", "Alice");
  await expect(alice.page.getByText(NOTICE)).toHaveCount(0);

  await running.restart();
  await expect(alice.page.getByText(NOTICE)).toBeVisible({ timeout: 20_000 });
  // The page shows the new server's history (empty): the old messages belonged to the old epoch.
  await expect(alice.log.getByRole("listitem")).toHaveCount(0);
  await expect(alice.page.getByText(NOTICE)).toBeHidden({ timeout: NOTICE_GONE_WITHIN_MS });

  await alice.send("after the restart");
  await alice.expectMessage("after the restart", "Alice");
  await expect(alice.page.getByText(NOTICE)).toBeHidden();
});

test("no notice when the page opens, nor when messages arrive", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await bob.send("hello");
  await alice.expectMessage("hello", "Bob");
  await expect(alice.page.getByText(NOTICE)).toHaveCount(0);
});
