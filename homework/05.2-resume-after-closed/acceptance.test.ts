// Acceptance test of homework 05.2: a page that opens a new EventSource passes its last id in the URL
// (?lastEventId=), the server accepts it like Last-Event-ID, and every stream gets its own retry: delay.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { expect, test } from "../../tools/testing/browser.ts";
import { postChat, type Update } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type EventStreamServer } from "../../05-sse/server.ts";
import { EventStream } from "../../tools/clients/event-stream.ts";

// "Slightly different": every retry: within these bounds, and not all the same.
const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 5000;
const STREAMS_FOR_RETRY = 10;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as EventStreamServer).connectionCount();
}

async function openStream(query: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return EventStream.open(`${running.url}/api/events?user=Alice${query}`, headers);
}

// The first update event of a stream (the history, or what the stream missed).
async function firstUpdate(stream: EventStream): Promise<Update> {
  await expect.poll(() => stream.data("update").length).toBeGreaterThan(0);
  return stream.data("update")[0];
}

test("a stream opened with ?lastEventId= gets only the messages after that id", async () => {
  const first = await openStream("");
  const { epoch } = await firstUpdate(first);
  first.close();
  const one = await postChat(running.url, "Bob", "one");
  const two = await postChat(running.url, "Bob", "two");

  const again = await openStream(`&lastEventId=${encodeURIComponent(`${epoch}:${one.id}`)}`);
  expect(await firstUpdate(again)).toEqual({ epoch, reset: false, messages: [two] });
  again.close();
});

test("the Last-Event-ID header, which the browser sets on its own reconnects, wins over the parameter", async () => {
  const first = await openStream("");
  const { epoch } = await firstUpdate(first);
  first.close();
  const one = await postChat(running.url, "Bob", "one");
  const two = await postChat(running.url, "Bob", "two");
  const three = await postChat(running.url, "Bob", "three");

  const stream = await openStream(`&lastEventId=${encodeURIComponent(`${epoch}:${one.id}`)}`, {
    "Last-Event-ID": `${epoch}:${two.id}`,
  });
  expect(await firstUpdate(stream)).toEqual({ epoch, reset: false, messages: [three] });
  stream.close();
});

test("an unreadable ?lastEventId= gets the whole history with reset, not an error", async () => {
  const hello = await postChat(running.url, "Bob", "hello");
  const stream = await openStream("&lastEventId=nonsense");
  expect(stream.status).toBe(200);
  expect(await firstUpdate(stream)).toMatchObject({ reset: true, messages: [hello] });
  stream.close();
});

test("every stream gets a retry: between 1 and 5 s, and not all the same", async () => {
  const streams = await Promise.all(Array.from({ length: STREAMS_FOR_RETRY }, () => openStream("")));
  await expect.poll(() => streams.every((stream) => stream.retry !== undefined)).toBe(true);
  const delays = streams.map((stream) => stream.retry ?? 0);
  streams.forEach((stream) => stream.close());
  console.log(`Measured: retry: of ${STREAMS_FOR_RETRY} streams, in ms: ${delays.join(", ")}.`);
  for (const delay of delays) {
    expect(delay).toBeGreaterThanOrEqual(MIN_RETRY_MS);
    expect(delay).toBeLessThanOrEqual(MAX_RETRY_MS);
  }
  expect(new Set(delays).size, "different retry: values among the streams").toBeGreaterThan(1);
});

test("after the browser gave up, the page's new stream asks for what it missed only", async ({ openChat }) => {
  const sockets: Socket[] = [];
  running.current().server.prependListener("request", (req: IncomingMessage) => {
    if (req.url?.startsWith("/api/events")) {
      sockets.push(req.socket);
    }
  });
  const alice = await openChat(running.url, "Alice");
  await expect(alice.status).toContainText("Connected");
  await postChat(running.url, "Bob", "before the break");
  await alice.expectMessage("before the break", "Bob");

  // The browser's own reconnect gets a 503: EventSource gives up (CLOSED), and only the page can open a new stream.
  const streamUrls: string[] = [];
  let refusals = 1;
  await alice.page.route("**/api/events?*", (route) => {
    if (route.request().headers().accept !== "text/event-stream") {
      return route.continue();
    }
    streamUrls.push(route.request().url());
    if (refusals > 0) {
      refusals -= 1;
      return route.fulfill({ status: 503, contentType: "application/json", body: '{"error": "busy"}' });
    }
    return route.continue();
  });
  sockets[0].destroy();
  await expect.poll(connectionCount).toBe(0);
  await postChat(running.url, "Bob", "while Alice was away");

  await alice.expectMessage("while Alice was away", "Bob");
  await expect(alice.log.getByRole("listitem")).toHaveText([/before the break/, /while Alice was away/]);
  const reopened = new URL(streamUrls.at(-1) ?? "");
  expect(reopened.searchParams.get("lastEventId"), "the last id, in the new stream's address").toMatch(/^[\w-]+:1$/);
  // The missed message came as news, not in a reloaded history: the traffic panel counts both as live messages.
  await expect(alice.page.locator('[data-traffic="messages"]')).toHaveText("2");
});
