import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

test("others' messages appear only after a reload, and the page says so", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await expect(alice.status).toContainText("Reload the page to see newer messages");

  await bob.send("Hello from Bob");
  await bob.expectMessage("Hello from Bob", "Bob");

  // Alice's own message comes back from her POST; Bob's, sent earlier, is not there: nothing told her page.
  await alice.send("Hello from Alice");
  await alice.expectMessage("Hello from Alice", "Alice");
  await expect(alice.message("Hello from Bob")).toHaveCount(0);

  await alice.page.reload();
  await alice.expectMessage("Hello from Bob", "Bob");
  await expect(alice.log.getByRole("listitem")).toHaveText([/Bob\s+Hello from Bob/, /Alice\s+Hello from Alice/]);
});

test("HTML and script in a name or a message are shown as text", async ({ openChat }) => {
  const payload = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script>';
  const mallory = await openChat(running.url, "<b>Mallory</b>");
  await mallory.send(payload);
  const bob = await openChat(running.url, "Bob");
  await bob.expectMessage(payload, "<b>Mallory</b>");
  await expect(bob.log.locator("img, script, b")).toHaveCount(0);
  expect(await bob.page.evaluate(() => "hacked" in globalThis)).toBe(false);
});

test("an oversized message is refused with a visible error, and the text is kept", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const tooLong = "x".repeat(501);
  await alice.send(tooLong);
  await expect(alice.error).toContainText("at most 500 characters");
  await expect(alice.input).toHaveValue(tooLong);
  await expect(alice.log.getByRole("listitem")).toHaveCount(0);

  await alice.send("short enough");
  await alice.expectMessage("short enough", "Alice");
  await expect(alice.error).toBeHidden();
});
