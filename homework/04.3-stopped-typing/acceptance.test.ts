// Acceptance test of homework 04.3: "Alice is typing…" ends at once when Alice empties the message box, and still
// fades by itself when the word that she stopped never arrives.
import type { Duplex } from "node:stream";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../04-websockets/server.ts";

// The notice ends "at once": well before it would fade by itself (TYPING_EXPIRY_MS, 4 s, in client/typing.ts).
const ENDS_WITHIN_MS = 1500;
// Lost "stopped": the notice still fades after TYPING_EXPIRY_MS, with room for a busy machine.
const FADES_WITHIN_MS = 4000 + 3000;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function aliceTyping(bob: ChatWindow) {
  return bob.page.getByText("Alice is typing…");
}

async function bothOnline(alice: ChatWindow, bob: ChatWindow): Promise<void> {
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
  await expect(alice.online.getByRole("listitem")).toHaveText(["Alice (you)", "Bob"]);
}

// Waits until the notice has gone and says how long that took after `since`.
async function goneAfter(bob: ChatWindow, since: number, timeout: number): Promise<number> {
  await expect(aliceTyping(bob)).toBeHidden({ timeout });
  return Date.now() - since;
}

test("emptying the message box ends the others' typing notice at once", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await bothOnline(alice, bob);

  await alice.input.fill("Hello, Bo");
  await expect(aliceTyping(bob)).toBeVisible();
  const emptiedAt = Date.now();
  await alice.input.fill("");
  const took = await goneAfter(bob, emptiedAt, ENDS_WITHIN_MS);
  console.log(`"Alice is typing…" ended ${took} ms after she emptied the box`);
});

test("typing again right after emptying the box shows the notice again at once", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await bothOnline(alice, bob);

  await alice.input.fill("Hel");
  await expect(aliceTyping(bob)).toBeVisible();
  await alice.input.fill("");
  await expect(aliceTyping(bob)).toBeHidden({ timeout: ENDS_WITHIN_MS });
  await alice.input.fill("Goodbye");
  await expect(aliceTyping(bob)).toBeVisible({ timeout: ENDS_WITHIN_MS });
});

test("sending the message ends the notice as the message appears", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await bothOnline(alice, bob);

  await alice.input.fill("on its way");
  await expect(aliceTyping(bob)).toBeVisible();
  await alice.sendButton.click();
  await bob.expectMessage("on its way", "Alice");
  await expect(aliceTyping(bob)).toBeHidden({ timeout: ENDS_WITHIN_MS });
});

test("when the word that Alice stopped is lost, the notice still fades by itself", async ({ openChat }) => {
  const aliceSockets: Duplex[] = [];
  running.current().server.on("upgrade", (req, socket: Duplex) => {
    if (new URL(req.url ?? "/", "http://localhost").searchParams.get("user") === "Alice") {
      aliceSockets.push(socket);
    }
  });
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await bothOnline(alice, bob);

  await alice.input.fill("Hello, Bo");
  await expect(aliceTyping(bob)).toBeVisible();
  // The server stops reading Alice's socket: whatever her page sends now waits in the network.
  aliceSockets[0].pause();
  const emptiedAt = Date.now();
  await alice.input.fill("");
  const took = await goneAfter(bob, emptiedAt, FADES_WITHIN_MS);
  console.log(`with the stop lost, "Alice is typing…" faded ${took} ms after she emptied the box`);
  aliceSockets[0].resume();
});
