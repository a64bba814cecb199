// Acceptance test of homework 06.2: the draft in the message box is shared by every tab of the browser, over a
// BroadcastChannel, and sending it clears it everywhere. Another browser (another user) never sees it.
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../06-shared-worker/server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

test("what is typed in one tab shows in the message box of the browser's other tabs, and of no other browser", async ({
  openChat,
}) => {
  const first = await openChat(running.url, "Alice");
  const second = await openChat(running.url, "Alice", first.page.context());
  const bob = await openChat(running.url, "Bob");
  await expect(second.status).toContainText("Connected");

  await first.input.pressSequentially("half a thou");
  await expect(second.input).toHaveValue("half a thou");
  await first.input.press("Backspace");
  await first.input.pressSequentially("ught");
  await expect(second.input).toHaveValue("half a thought");

  // The other tab goes on with the same draft: the first one follows.
  await second.input.press("End");
  await second.input.pressSequentially(", finished");
  await expect(first.input).toHaveValue("half a thought, finished");
  await expect(bob.input).toHaveValue("");
});

test("sending the draft from any tab sends it once and clears the box in every tab", async ({ openChat }) => {
  const first = await openChat(running.url, "Alice");
  const second = await openChat(running.url, "Alice", first.page.context());
  const bob = await openChat(running.url, "Bob");
  await expect(second.status).toContainText("Connected");

  await first.input.pressSequentially("typed here, sent there");
  await expect(second.input).toHaveValue("typed here, sent there");
  await second.sendButton.click();
  await bob.expectMessage("typed here, sent there", "Alice");
  await first.expectMessage("typed here, sent there", "Alice");
  await expect(first.input).toHaveValue("");
  await expect(second.input).toHaveValue("");

  await second.input.pressSequentially("and back");
  await expect(first.input).toHaveValue("and back");
  await first.input.press("Enter");
  await bob.expectMessage("and back", "Alice");
  await expect(first.input).toHaveValue("");
  await expect(second.input).toHaveValue("");
  await expect(bob.log.getByRole("listitem")).toHaveCount(2);
});
