// Acceptance test of homework 04.1: messages typed while the page has no connection are kept, shown as waiting,
// and sent after the page has reconnected, in order and each exactly once.
// The test cuts Alice's connection as a broken network would: it destroys her sockets at the server and puts her
// browser offline, so that she cannot reconnect until the test puts it back online. Bob's connection stays up.
import type { Duplex } from "node:stream";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../04-websockets/server.ts";
import { MAX_TEXT_LENGTH } from "../../04-websockets/validation.ts";

// How a waiting message may be marked (README.md, "Done when").
const WAITING = /pending|queued|sending…|sending\.\.\.|not sent yet|waiting to be sent/i;
// Back online, the page reconnects at once (the step listens for the browser's "online" event); room for a busy machine.
const RECONNECTED_WITHIN_MS = 20_000;

let running: RunningServer;
// The TCP sockets of Alice's WebSocket handshakes.
let aliceSockets: Duplex[];
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
  aliceSockets = [];
  running.current().server.on("upgrade", (req, socket: Duplex) => {
    if (new URL(req.url ?? "/", "http://localhost").searchParams.get("user") === "Alice") {
      aliceSockets.push(socket);
    }
  });
});
test.afterEach(() => running.stop());

// A list item (in the log, or in a list of its own) that shows `text` and says that it has not been sent yet.
function waitingItem(window: ChatWindow, text: string) {
  return window.page.getByRole("listitem").filter({ hasText: text }).filter({ hasText: WAITING });
}

function waitingItems(window: ChatWindow) {
  return window.page.getByRole("listitem").filter({ hasText: WAITING });
}

async function cutConnection(alice: ChatWindow): Promise<void> {
  await expect(alice.status).toContainText("Connected");
  await alice.page.context().setOffline(true);
  for (const socket of aliceSockets) {
    socket.destroy();
  }
  await expect(alice.status).not.toContainText(/^Connected/);
}

async function reconnect(alice: ChatWindow): Promise<void> {
  await alice.page.context().setOffline(false);
  await expect(alice.status).toContainText("Connected", { timeout: RECONNECTED_WITHIN_MS });
}

test("a message typed while disconnected is kept, shown as waiting, and the box is free again", async ({
  openChat,
}) => {
  const alice = await openChat(running.url, "Alice");
  await cutConnection(alice);

  await alice.send("typed while offline");
  await expect(waitingItem(alice, "typed while offline")).toHaveCount(1);
  await expect(alice.input).toHaveValue("");
  await expect(alice.error).toBeHidden();
});

test("after the reconnect the waiting messages are sent in order, each exactly once", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await cutConnection(alice);
  for (const text of ["first", "second", "third"]) {
    await alice.send(text);
  }
  await expect(waitingItem(alice, "third")).toHaveCount(1);
  await bob.send("from Bob meanwhile");

  await reconnect(alice);
  const expected = [/from Bob meanwhile/, /first/, /second/, /third/];
  await expect(bob.log.getByRole("listitem")).toHaveText(expected);
  await expect(alice.log.getByRole("listitem")).toHaveText(expected);
  for (const text of ["first", "second", "third"]) {
    await bob.expectMessage(text, "Alice");
  }
  await expect(waitingItems(alice)).toHaveCount(0);

  // Sending goes on as usual once nothing is waiting.
  await alice.send("fourth");
  await bob.expectMessage("fourth", "Alice");
  await expect(bob.log.getByRole("listitem")).toHaveCount(5);
  await expect(alice.log.getByRole("listitem")).toHaveCount(5);
});

test("a waiting message that the server refuses is explained, and the ones after it are still sent", async ({
  openChat,
}) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await cutConnection(alice);
  await alice.send("before the long one");
  await alice.send("x".repeat(MAX_TEXT_LENGTH + 1));
  await alice.send("after the long one");

  await reconnect(alice);
  await expect(bob.log.getByRole("listitem")).toHaveText([/before the long one/, /after the long one/]);
  await expect(alice.error).toContainText(`${MAX_TEXT_LENGTH} characters`);
  await expect(waitingItems(alice)).toHaveCount(0);
});
