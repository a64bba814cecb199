// Acceptance test of homework 04.2: only a signed-in page may open a WebSocket. The page signs in by itself with
// its ?user= name and gets an HttpOnly cookie; the handshake without a valid cookie, or from another site's page,
// is refused before the upgrade; and the name the chat shows comes from the cookie, never from the request.
// The test takes the cookie the way an attacker cannot: from the browser's own store, through Playwright.
import { once } from "node:events";
import { WebSocket } from "ws";
import { expect, test } from "../../tools/testing/browser.ts";
import {
  cookieHeader,
  expectSignedInChat,
  madeUp,
  signedInAlice,
  tampered,
} from "../../tools/testing/session-cookies.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type WebSocketChatServer } from "../../04-websockets/server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as WebSocketChatServer).connectionCount();
}

function socketUrl(user: string): string {
  return `ws://127.0.0.1:${running.port}/ws?user=${encodeURIComponent(user)}`;
}

// The HTTP status of the handshake: 101 when the server upgraded the connection.
function handshakeStatus(headers: Record<string, string>, origin = running.url): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(socketUrl("Alice"), { origin, headers });
    socket.once("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once("open", () => {
      resolve(101);
      socket.close();
    });
    socket.once("error", reject);
  });
}

test("the page signs in by itself: an HttpOnly cookie its scripts cannot read, and the chat works", async ({
  openChat,
}) => {
  await expectSignedInChat(openChat, running.url);
});

test("a handshake without a valid cookie is refused with 401 before the upgrade, and no socket opens", async ({
  openChat,
}) => {
  const { alice, cookies } = await signedInAlice(openChat, running.url);
  await alice.page.close();
  await expect.poll(connectionCount).toBe(0);

  expect(await handshakeStatus({}), "no cookie").toBe(401);
  expect(await handshakeStatus({ cookie: cookieHeader(tampered(cookies)) }), "a changed cookie").toBe(401);
  expect(await handshakeStatus({ cookie: cookieHeader(madeUp(cookies)) }), "a made-up cookie").toBe(401);
  expect(connectionCount()).toBe(0);
  expect(await handshakeStatus({ cookie: cookieHeader(cookies) }), "the cookie as signed").toBe(101);
});

test("a handshake from another site's page is refused, even with a valid cookie", async ({ openChat }) => {
  const { alice, cookies } = await signedInAlice(openChat, running.url);
  await alice.page.close();
  await expect.poll(connectionCount).toBe(0);
  const status = await handshakeStatus({ cookie: cookieHeader(cookies) }, "https://evil.example");
  expect([401, 403], `status ${status}`).toContain(status);
  expect(connectionCount()).toBe(0);
});

test("the name comes from the cookie, not from the address or the frame", async ({ openChat }) => {
  const { cookies } = await signedInAlice(openChat, running.url);
  const bob = await openChat(running.url, "Bob");
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);

  // Alice's cookie, with "Mallory" everywhere the request could say a name.
  const mallory = new WebSocket(socketUrl("Mallory"), {
    origin: running.url,
    headers: { cookie: cookieHeader(cookies) },
  });
  await once(mallory, "open");
  try {
    mallory.send(JSON.stringify({ type: "resume", epoch: "", since: 0 }));
    mallory.send(JSON.stringify({ type: "chat", ref: 42, text: "who am I?", user: "Mallory" }));
    await bob.expectMessage("who am I?", "Alice");
    await expect(bob.message("who am I?", "Mallory")).toHaveCount(0);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
  } finally {
    mallory.close();
  }
});
