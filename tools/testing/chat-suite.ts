// Browser tests that every step must pass in the same way, whatever its technique.
// `step` names the step in the test titles, since these tests are defined here and not in the step's file.
import { expect, test } from "./browser.ts";
import type { RunningServer } from "./server.ts";

const RECOVERY_TIMEOUT_MS = 30_000;

export function testChatPage(step: string, server: () => RunningServer): void {
  test.describe(`${step}: the chat page`, () => {
    test("HTML and script in a name or a message are shown as text", async ({ openChat }) => {
      const payload = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script>';
      const mallory = await openChat(server().url, "<b>Mallory</b>");
      await mallory.send(payload);
      await mallory.expectMessage(payload, "<b>Mallory</b>");
      const bob = await openChat(server().url, "Bob");
      await bob.expectMessage(payload, "<b>Mallory</b>");
      await expect(bob.log.locator("img, script, b")).toHaveCount(0);
      expect(await bob.page.evaluate(() => "hacked" in globalThis)).toBe(false);
    });

    test("unusual but valid names and texts are shown exactly as typed", async ({ openChat }) => {
      // A name is stored in NFC: "e" plus a combining accent comes back as the single character "é".
      const samples = [
        { user: "שרה", shown: "שרה", text: "שלום, מה שלומך? (right to left)" },
        { user: "Mallory", shown: "Mallory", text: "a right-to-left override \u202e must not flip the line" },
        { user: "Zoe\u0301", shown: "Zo\u00e9", text: "combining accents: e\u0301 a\u0308 n\u0303" },
        { user: "Ωmega 🦊", shown: "Ωmega 🦊", text: "emoji 👩‍👩‍👧 and math ∑ ≠ ∞" },
        { user: "x".repeat(32), shown: "x".repeat(32), text: "y".repeat(500) },
      ];
      const reader = await openChat(server().url, "Reader");
      for (const sample of samples) {
        const writer = await openChat(server().url, sample.user);
        await writer.send(sample.text);
        await writer.expectMessage(sample.text, sample.shown);
      }
      await reader.page.reload();
      for (const sample of samples) {
        await reader.expectMessage(sample.text, sample.shown);
      }
    });

    test("names the server refuses give a visible reason when sending", async ({ openChat }) => {
      for (const { user, reason } of [
        { user: "N".repeat(33), reason: "at most 32 characters" },
        { user: "bell\u0007", reason: "control characters" },
        // A right-to-left override would show "Bob\u202eecila" as "Bobalice".
        { user: "Bob\u202eecila", reason: "invisible or direction-changing characters" },
      ]) {
        const window = await openChat(server().url, user);
        await window.send("hello");
        await expect(window.error).toContainText(reason);
        await expect(window.log.getByRole("listitem")).toHaveCount(0);
      }
    });

    test("an oversized message is refused with a visible error, and the text is kept", async ({ openChat }) => {
      const alice = await openChat(server().url, "Alice");
      const tooLong = "x".repeat(501);
      await alice.send(tooLong);
      await expect(alice.error).toContainText("at most 500 characters");
      await expect(alice.input).toHaveValue(tooLong);
      await expect(alice.log.getByRole("listitem")).toHaveCount(0);

      await alice.send("short enough");
      await alice.expectMessage("short enough", "Alice");
      await expect(alice.error).toBeHidden();
    });
  });
}

// For the steps that deliver live: a message reaches the other window without a reload, exactly once.
export function testLiveDelivery(step: string, server: () => RunningServer): void {
  test.describe(`${step}: live delivery`, () => {
    test("a message reaches the other window once, and the sender sees it too", async ({ openChat }) => {
      const alice = await openChat(server().url, "Alice");
      const bob = await openChat(server().url, "Bob");
      await bob.send("Hello from Bob");
      await alice.expectMessage("Hello from Bob", "Bob");
      await bob.expectMessage("Hello from Bob", "Bob");

      await alice.send("Hi Bob");
      await bob.expectMessage("Hi Bob", "Alice");
      await expect(alice.log.getByRole("listitem")).toHaveText([/Bob\s+Hello from Bob/, /Alice\s+Hi Bob/]);
      await expect(bob.log.getByRole("listitem")).toHaveText([/Bob\s+Hello from Bob/, /Alice\s+Hi Bob/]);
    });

    test("after a server restart the open windows reload the history and keep chatting", async ({ openChat }) => {
      test.setTimeout(90_000);
      const alice = await openChat(server().url, "Alice");
      const bob = await openChat(server().url, "Bob");
      await alice.send("before the restart");
      await bob.expectMessage("before the restart", "Alice");

      await server().restart();
      // The new server process has a new epoch and an empty history: both windows must notice by themselves.
      await expect(alice.message("before the restart")).toHaveCount(0, { timeout: RECOVERY_TIMEOUT_MS });
      await expect(bob.message("before the restart")).toHaveCount(0, { timeout: RECOVERY_TIMEOUT_MS });

      await bob.send("after the restart");
      await alice.expectMessage("after the restart", "Bob");
      await bob.expectMessage("after the restart", "Bob");
      await expect(alice.log.getByRole("listitem")).toHaveCount(1);
    });
  });
}
