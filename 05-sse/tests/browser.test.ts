import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { ChatWindow, expect, test } from "../../tools/testing/browser.ts";
import { postChat } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type EventStreamServer } from "../server.ts";

// Chromium, like every browser, opens at most six HTTP/1.1 connections to one origin.
const CONNECTIONS_PER_ORIGIN = 6;
// How long the seventh tab is watched while it cannot load.
const PENDING_WATCH_MS = 3000;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as EventStreamServer).connectionCount();
}

interface Arrival {
  method: string;
  url: string;
  lastEventId: string | undefined;
  socket: Socket;
}

// Every request the server receives from now on (the test servers run in this process). Recorded before
// Express sees a request, because Express rewrites req.url while it routes.
function recordArrivals(): Arrival[] {
  const arrivals: Arrival[] = [];
  running.current().server.prependListener("request", (req: IncomingMessage) => {
    arrivals.push({
      method: req.method ?? "",
      url: req.url ?? "",
      lastEventId: req.headers["last-event-id"] as string | undefined,
      socket: req.socket,
    });
  });
  return arrivals;
}

function streamsOf(arrivals: Arrival[], user: string): Arrival[] {
  return arrivals.filter((arrival) => arrival.url === `/api/events?user=${encodeURIComponent(user)}`);
}

test("each open page keeps one stream open at the server", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await expect(alice.status).toContainText("Connected");
  await openChat(running.url, "Bob");
  await expect.poll(connectionCount).toBe(2);
});

// EventSource never goes through the browser's HTTP cache, so identical URLs from tabs of one browser do not queue.
test("tabs of one browser each keep their own stream open", async ({ openChat }) => {
  const first = await openChat(running.url, "Alice");
  await openChat(running.url, "Alice", first.page.context());
  await openChat(running.url, "Alice", first.page.context());
  await expect.poll(connectionCount).toBe(3);
});

test("closing a page ends its stream at once", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await openChat(running.url, "Bob");
  await expect.poll(connectionCount).toBe(2);
  await alice.page.close();
  await expect.poll(connectionCount).toBe(1);
});

test("the Online list shows who is here, and a user with two tabs stays online until the last one closes", async ({
  openChat,
}) => {
  const aliceFirstTab = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
  await expect(aliceFirstTab.online.getByRole("listitem")).toHaveText(["Alice (you)", "Bob"]);

  const aliceSecondTab = await openChat(running.url, "Alice", aliceFirstTab.page.context());
  await expect(aliceSecondTab.online.getByRole("listitem")).toHaveText(["Alice (you)", "Bob"]);
  await expect.poll(connectionCount).toBe(3);

  await aliceFirstTab.page.close();
  await expect.poll(connectionCount).toBe(2);
  // Carol's arrival makes the server send the list again: Alice must still be on it.
  const carol = await openChat(running.url, "Carol");
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)", "Carol"]);

  await aliceSecondTab.page.close();
  await expect(bob.online.getByRole("listitem")).toHaveText(["Bob (you)", "Carol"]);
  await expect(carol.online.getByRole("listitem")).toHaveText(["Bob", "Carol (you)"]);
});

test("after a dropped connection the browser reconnects by itself with Last-Event-ID, and no message is lost", async ({
  openChat,
}) => {
  const arrivals = recordArrivals();
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await bob.send("before the break");
  await alice.expectMessage("before the break", "Bob");

  // Alice's browser will reconnect after the server's retry: (2 s). Hold that request until Bob has sent
  // two more messages, so that they are surely sent while she is away, however slow this machine is.
  let releaseReconnect = (): void => {};
  const bobIsDone = new Promise<void>((resolve) => (releaseReconnect = resolve));
  await alice.page.route("**/api/events?*", async (route) => {
    await bobIsDone;
    await route.continue();
  });
  // Cut Alice's stream the way a network failure would: the connection just goes away.
  streamsOf(arrivals, "Alice")[0].socket.destroy();
  await expect(alice.status).toContainText("The browser reconnects by itself");
  await expect.poll(connectionCount).toBe(1);

  await bob.send("while Alice was away");
  await bob.send("still away");
  await bob.expectMessage("still away", "Bob");
  releaseReconnect();

  await expect(alice.status).toContainText("Connected");
  await expect(alice.log.getByRole("listitem")).toHaveText([/before the break/, /while Alice was away/, /still away/]);
  // The browser asked for what came after message 1 of this epoch, and got exactly that: the two messages
  // arrived as news (the traffic panel counts them as live), not as a reloaded history.
  expect(streamsOf(arrivals, "Alice")[1].lastEventId).toMatch(/^[\w-]+:1$/);
  await expect(alice.page.locator('[data-traffic="messages"]')).toHaveText("3");
});

test("when the server refuses the stream, the page reconnects by itself with backoff and a countdown", async ({
  openChat,
}) => {
  const arrivals = recordArrivals();
  const alice = await openChat(running.url, "Alice");
  await expect(alice.status).toContainText("Connected");

  // From now on, the first attempt gets a 503 and the second a page that is not an event stream.
  // After either one, EventSource gives up for good (readyState CLOSED): only the page can try again.
  const refusals = [
    { status: 503, contentType: "application/json", body: '{"error": "the server is busy"}' },
    { status: 200, contentType: "text/html", body: "<p>a login page</p>" },
  ];
  // Only EventSource's own requests (the page's one fetch that asks why goes through to the server).
  await alice.page.route("**/api/events?*", (route) => {
    const refusal = route.request().headers().accept === "text/event-stream" ? refusals.shift() : undefined;
    return refusal ? route.fulfill(refusal) : route.continue();
  });
  streamsOf(arrivals, "Alice")[0].socket.destroy();

  await expect(alice.status).toContainText(/Reconnecting in \d+ s/);
  await postChat(running.url, "Bob", "sent while Alice was refused");
  await expect(alice.status).toContainText("Connected", { timeout: 20_000 });
  expect(refusals).toEqual([]);
  await alice.expectMessage("sent while Alice was refused", "Bob");
});

test("a name the server refuses for the stream is explained, and the page stops retrying", async ({
  browser,
  openChat,
}) => {
  const arrivals = recordArrivals();
  const tooLong = "N".repeat(33);
  // A fake clock, so that a minute of the page's timers can pass in an instant.
  const context = await browser.newContext();
  await context.clock.install();
  const window = await openChat(running.url, tooLong, context);
  await expect(window.error).toContainText("The server refused the stream");
  await expect(window.error).toContainText("at most 32 characters");
  await expect(window.status).toContainText("Disconnected");
  // The EventSource attempt and the one fetch that asked why; a minute later, still no retry.
  await context.clock.runFor(60_000);
  expect(streamsOf(arrivals, tooLong)).toHaveLength(2);
  await context.close();
});

test("a seventh tab of the same browser cannot load while six streams are open, and the six cannot send", async ({
  openChat,
}) => {
  const arrivals = recordArrivals();
  const first = await openChat(running.url, "Tab 1");
  const context = first.page.context();
  const tabs = [first];
  for (let number = 2; number <= CONNECTIONS_PER_ORIGIN; number += 1) {
    tabs.push(await openChat(running.url, `Tab ${number}`, context));
  }
  await expect.poll(connectionCount).toBe(CONNECTIONS_PER_ORIGIN);

  const seventh = await context.newPage();
  const asked = seventh.waitForEvent("request");
  const loading = seventh.goto(`${running.url}/?user=Tab%207`);
  await asked;
  await tabs[1].send("sent while six streams are open");
  // The browser has asked for the page and for the POST, but every connection it may open to this origin
  // carries a stream: both wait in the browser, and the server never hears of them.
  const outcome = await Promise.race([loading.then(() => "loaded"), delay(PENDING_WATCH_MS).then(() => "pending")]);
  expect(outcome).toBe("pending");
  expect(arrivals.filter((arrival) => arrival.url === "/?user=Tab%207" || arrival.method === "POST")).toEqual([]);
  await expect(tabs[1].log.getByRole("listitem")).toHaveCount(0);

  // One tab closes, one connection is free: the waiting requests go out.
  await tabs[0].page.close();
  await loading;
  const seventhTab = new ChatWindow(seventh, "Tab 7");
  await expect(seventhTab.status).toContainText("Connected");
  await expect(seventhTab.online.getByRole("listitem")).toHaveCount(CONNECTIONS_PER_ORIGIN);
  await tabs[1].expectMessage("sent while six streams are open", "Tab 2");
  await seventhTab.expectMessage("sent while six streams are open", "Tab 2");
});

testChatPage("05-sse", () => running);
testLiveDelivery("05-sse", () => running);
