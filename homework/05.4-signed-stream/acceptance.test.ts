// Acceptance test of homework 05.4: only a signed-in page may open the event stream or post a message. The page
// signs in by itself with its ?user= name and gets an HttpOnly cookie, which EventSource and fetch send along (the
// stream is on the page's own origin). Without a valid cookie both are refused with 401; a POST from another site's
// page is refused even with the cookie; and the name the chat shows comes from the cookie, never from the request.
// The test takes the cookie the way an attacker cannot: from the browser's own store, through Playwright.
import { EventStream } from "../../tools/clients/event-stream.ts";
import { expect, test } from "../../tools/testing/browser.ts";
import {
  cookieHeader,
  expectSignedInChat,
  madeUp,
  signedInAlice,
  tampered,
} from "../../tools/testing/session-cookies.ts";
import { request, type Reply } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type EventStreamServer } from "../../05-sse/server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as EventStreamServer).connectionCount();
}

// The status of GET /api/events; a stream that the server accepts is closed at once.
async function streamStatus(cookie: string, user = "Alice"): Promise<number> {
  const stream = await EventStream.open(`${running.url}/api/events?user=${encodeURIComponent(user)}`, { cookie });
  const status = stream.status;
  stream.close();
  return status;
}

// A POST as the page would send it: JSON, with the step's own body ({"user", "text"}).
function post(cookie: string, text: string, origin = running.url, user = "Alice"): Promise<Reply> {
  return request(`${running.url}/api/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: cookie, Origin: origin },
    body: JSON.stringify({ user, text }),
  });
}

test("the page signs in by itself: an HttpOnly cookie its scripts cannot read, and the chat works", async ({
  openChat,
}) => {
  await expectSignedInChat(openChat, running.url);
});

test("the event stream without a valid cookie is refused with 401, and no stream stays open", async ({ openChat }) => {
  const { alice, cookies } = await signedInAlice(openChat, running.url);
  await alice.page.close();
  await expect.poll(connectionCount).toBe(0);

  expect(await streamStatus(""), "no cookie").toBe(401);
  expect(await streamStatus(cookieHeader(tampered(cookies))), "a changed cookie").toBe(401);
  expect(await streamStatus(cookieHeader(madeUp(cookies))), "a made-up cookie").toBe(401);
  expect(connectionCount()).toBe(0);
  expect(await streamStatus(cookieHeader(cookies)), "the cookie as signed").toBe(200);
});

test("a POST without a valid cookie is refused with 401, and one from another site's page even with it", async ({
  openChat,
}) => {
  const { alice, cookies } = await signedInAlice(openChat, running.url);
  const forged = [
    { cookie: "", origin: running.url, status: [401] },
    { cookie: cookieHeader(tampered(cookies)), origin: running.url, status: [401] },
    { cookie: cookieHeader(madeUp(cookies)), origin: running.url, status: [401] },
    { cookie: cookieHeader(cookies), origin: "https://evil.example", status: [401, 403] },
  ];
  for (const { cookie, origin, status } of forged) {
    const reply = await post(cookie, "forged", origin);
    expect(status, `${cookie || "no cookie"} from ${origin}: ${reply.status} ${reply.body}`).toContain(reply.status);
  }
  const accepted = await post(cookieHeader(cookies), "really Alice");
  expect(accepted.status, accepted.body).toBe(201);
  await alice.expectMessage("really Alice", "Alice");
  await expect(alice.log.getByRole("listitem")).toHaveCount(1);
});

test("the name comes from the cookie, not from the address or the body", async ({ openChat }) => {
  const { cookies } = await signedInAlice(openChat, running.url);
  const bob = await openChat(running.url, "Bob");
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);

  // Alice's cookie, with "Mallory" everywhere the request could say a name.
  const reply = await post(cookieHeader(cookies), "who am I?", running.url, "Mallory");
  expect(reply.status, reply.body).toBe(201);
  await bob.expectMessage("who am I?", "Alice");
  await expect(bob.message("who am I?", "Mallory")).toHaveCount(0);

  const stream = await EventStream.open(`${running.url}/api/events?user=Mallory`, { cookie: cookieHeader(cookies) });
  try {
    expect(stream.status).toBe(200);
    await expect.poll(connectionCount).toBe(3);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
  } finally {
    stream.close();
  }
});
