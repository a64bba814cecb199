import { expect, test } from "@playwright/test";
import { eventData, eventsPath, EventStream, type ChatEvents } from "../../tools/clients/event-stream.ts";
import { testBadInput } from "../../tools/testing/bad-input.ts";
import { postChat, request, type Message } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { SEND_LIMIT } from "../rate-limit.ts";
import { createChatServer, RECONNECT_DELAY_MS, type EventStreamServer } from "../server.ts";
import { MAX_TEXT_LENGTH } from "../validation.ts";

const TEST_HEARTBEAT_MS = 200;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer({ heartbeatIntervalMs: TEST_HEARTBEAT_MS }));
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as EventStreamServer).connectionCount();
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
}

function openStream(user: string, lastEventId?: string): Promise<EventStream> {
  const headers: Record<string, string> = lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId };
  return EventStream.open(`${running.url}${eventsPath(user)}`, headers);
}

// Waits until the stream has received at least `count` events of type `name`, and returns their data.
async function received<Name extends keyof ChatEvents>(
  stream: EventStream,
  name: Name,
  count: number,
): Promise<ChatEvents[Name][]> {
  await expect.poll(() => stream.data(name).length).toBeGreaterThanOrEqual(count);
  return stream.data(name);
}

// Who is online as the page would show it: the last whole list, then the changes after it.
function latestOnline(stream: EventStream): string[] | undefined {
  let online: Set<string> | undefined;
  for (const event of stream.events) {
    if (event.event === "online") {
      online = new Set(eventData(event, "online").users);
    } else if (event.event === "joined") {
      online?.add(eventData(event, "joined").user);
    } else if (event.event === "left") {
      online?.delete(eventData(event, "left").user);
    }
  }
  return online && [...online].sort((a, b) => a.localeCompare(b));
}

function idsReceived(stream: EventStream): number[] {
  return stream.data("update").flatMap((update) => update.messages.map((message) => message.id));
}

function oneTo(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

test("a stream starts with the event-stream headers, retry:, the whole history and who is online", async () => {
  const hello = await postChat(running.url, "Bob", "hello");
  const alice = await openStream("Alice");
  expect(alice.status).toBe(200);
  expect(alice.response.headers["content-type"]).toMatch(/^text\/event-stream/);
  expect(alice.response.headers["cache-control"]).toBe("no-cache, no-transform");

  const [history] = await received(alice, "update", 1);
  expect(history).toEqual({ epoch: history.epoch, reset: true, messages: [hello] });
  expect(await received(alice, "online", 1)).toEqual([{ users: ["Alice"] }]);
  expect(alice.retry).toBe(RECONNECT_DELAY_MS);
  expect(alice.text.startsWith(`retry: ${RECONNECT_DELAY_MS}\n\n`)).toBe(true);
  alice.close();
});

test("every event has an id made of the epoch and the newest message id", async () => {
  const alice = await openStream("Alice");
  const [{ epoch }] = await received(alice, "update", 1);
  await postChat(running.url, "Bob", "one");
  await postChat(running.url, "Bob", "two");
  await received(alice, "update", 3);
  expect(alice.events.map((event) => `${event.event} ${event.id}`)).toEqual([
    `update ${epoch}:0`,
    `online ${epoch}:0`,
    `update ${epoch}:1`,
    `update ${epoch}:2`,
  ]);
  expect(alice.text.match(/^id: /gm)).toHaveLength(alice.events.length);
  alice.close();
});

test("a stream reconnected with Last-Event-ID receives exactly the events it missed", async () => {
  const first = await openStream("Alice");
  const [{ epoch }] = await received(first, "update", 1);
  const seen = await postChat(running.url, "Bob", "seen before the break");
  await received(first, "update", 2);
  const lastEventId = first.events.at(-1)?.id ?? "";
  expect(lastEventId).toBe(`${epoch}:1`);
  first.close();
  await expect.poll(connectionCount).toBe(0);

  const missed: Message[] = [];
  missed.push(await postChat(running.url, "Bob", "missed one"));
  missed.push(await postChat(running.url, "Carol", "missed two"));

  const again = await openStream("Alice", lastEventId);
  const [catchUp] = await received(again, "update", 1);
  expect(catchUp).toEqual({ epoch, reset: false, messages: missed });
  expect(again.events[0].id).toBe(`${epoch}:3`);

  const live = await postChat(running.url, "Bob", "live again");
  const updates = await received(again, "update", 2);
  expect(updates).toEqual([catchUp, { epoch, reset: false, messages: [live] }]);
  expect(updates.flatMap((update) => update.messages)).not.toContainEqual(seen);
  again.close();
});

test("a stream that missed nothing gets no update on reconnect, only who is online", async () => {
  const first = await openStream("Alice");
  await postChat(running.url, "Bob", "hello");
  await received(first, "update", 2);
  const lastEventId = first.events.at(-1)?.id ?? "";
  first.close();

  const again = await openStream("Alice", lastEventId);
  await received(again, "online", 1);
  expect(again.events.map((event) => event.event)).toEqual(["online"]);
  again.close();
});

test("a Last-Event-ID from another server process gets the whole history with reset", async () => {
  const hello = await postChat(running.url, "Bob", "hello");
  const alice = await openStream("Alice", "an-old-epoch:7");
  const [update] = await received(alice, "update", 1);
  expect(update).toEqual({ epoch: update.epoch, reset: true, messages: [hello] });
  expect(update.epoch).not.toBe("an-old-epoch");
  alice.close();
});

test("an unreadable Last-Event-ID gets the whole history with reset, not an error", async () => {
  const hello = await postChat(running.url, "Bob", "hello");
  const probe = await openStream("Probe");
  const [{ epoch }] = await received(probe, "update", 1);
  probe.close();
  const unreadable = [
    "garbage",
    "12",
    `${epoch}:`,
    `${epoch}:-1`,
    `${epoch}:1.5`,
    `${epoch}:99`,
    `${"x".repeat(200)}:1`,
    "::",
    "é:ü",
  ];
  for (const lastEventId of unreadable) {
    const alice = await openStream("Alice", lastEventId);
    expect(alice.status, lastEventId).toBe(200);
    const [update] = await received(alice, "update", 1);
    expect(update, lastEventId).toEqual({ epoch, reset: true, messages: [hello] });
    alice.close();
  }
  expect((await postChat(running.url, "Bob", "still here")).id).toBe(2);
});

test("a stream without a valid user name is refused with 400 and a JSON reason", async () => {
  const cases = ["", "?user=", `?user=${"A".repeat(33)}`, "?user=a&user=b", "?user=%07bell"];
  for (const query of cases) {
    const reply = await request(`${running.url}/api/events${query}`);
    expect(reply.status, query).toBe(400);
    expect(reply.headers["content-type"], query).toContain("application/json");
    expect(JSON.parse(reply.body).error, query).toMatch(/"user" must/);
  }
  expect(connectionCount()).toBe(0);
});

test("comment heartbeats arrive while nothing happens, and are not events", async () => {
  const alice = await openStream("Alice");
  await received(alice, "online", 1);
  const eventsBefore = alice.events.length;
  await expect.poll(() => alice.comments.length, { timeout: TEST_HEARTBEAT_MS * 20 }).toBeGreaterThanOrEqual(3);
  expect(alice.comments.every((comment) => comment === "heartbeat")).toBe(true);
  expect(alice.events).toHaveLength(eventsBefore);
  alice.close();
});

test("the others hear of a newcomer in a small joined event; only the new stream gets the whole list", async () => {
  const alice = await openStream("Alice");
  await received(alice, "online", 1);
  const bob = await openStream("Bob");
  expect(await received(bob, "online", 1)).toEqual([{ users: ["Alice", "Bob"] }]);
  expect(await received(alice, "joined", 1)).toEqual([{ user: "Bob" }]);
  expect(alice.data("online")).toEqual([{ users: ["Alice"] }]);
  expect(bob.data("joined")).toEqual([]);
  bob.close();
  expect(await received(alice, "left", 1)).toEqual([{ user: "Bob" }]);
  alice.close();
});

test("closing a stream forgets it at once, and the others see the user go offline", async () => {
  const bob = await openStream("Bob");
  const alice = await openStream("Alice");
  await expect.poll(() => latestOnline(bob)).toEqual(["Alice", "Bob"]);
  expect(connectionCount()).toBe(2);

  alice.close();
  await expect.poll(connectionCount).toBe(1);
  await expect.poll(() => latestOnline(bob)).toEqual(["Bob"]);
  bob.close();
  await expect.poll(connectionCount).toBe(0);
});

test("a user with two streams stays online until the last one closes", async () => {
  const bob = await openStream("Bob");
  const aliceFirst = await openStream("Alice");
  const aliceSecond = await openStream("Alice");
  expect(await received(aliceSecond, "online", 1)).toEqual([{ users: ["Alice", "Bob"] }]);

  aliceFirst.close();
  await expect.poll(connectionCount).toBe(2);
  // Carol's whole list must still have Alice on it.
  const carol = await openStream("Carol");
  await expect.poll(() => latestOnline(carol)).toEqual(["Alice", "Bob", "Carol"]);
  await expect.poll(() => latestOnline(bob)).toEqual(["Alice", "Bob", "Carol"]);

  aliceSecond.close();
  await expect.poll(() => latestOnline(bob)).toEqual(["Bob", "Carol"]);
  bob.close();
  carol.close();
});

test("a new message is formatted once, whatever the number of open streams", async () => {
  const STREAMS = 20;
  const streams = await Promise.all(Array.from({ length: STREAMS }, (_, index) => openStream(`User ${index}`)));
  await expect.poll(connectionCount).toBe(STREAMS);

  const stringify = JSON.stringify;
  let updatesFormatted = 0;
  // The server runs in this process: count the calls that format an update ({ epoch, reset, messages }).
  function countUpdates(value: unknown, ...rest: unknown[]): string {
    if (typeof value === "object" && value !== null && "messages" in value) {
      updatesFormatted += 1;
    }
    return Reflect.apply(stringify, JSON, [value, ...rest]);
  }
  JSON.stringify = countUpdates as typeof JSON.stringify;
  try {
    const hello = await postChat(running.url, "Bob", "hello, everyone");
    for (const stream of streams) {
      await expect.poll(() => stream.data("update").at(-1)?.messages).toEqual([hello]);
    }
  } finally {
    JSON.stringify = stringify;
  }
  expect(updatesFormatted).toBe(1);
  streams.forEach((stream) => stream.close());
});

function openConnections(): Promise<number> {
  return new Promise((resolve, reject) => {
    running.current().server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
  });
}

test("1,000 closed streams leave no client, timer or connection behind", async () => {
  test.setTimeout(60_000);
  const STREAMS = 1000;
  // Heartbeats every 200 ms on 1,000 streams would only slow this test down: use the real interval.
  await running.stop();
  // All from 127.0.0.1, like the load test: the cap on streams per address is raised.
  running = await startServer(() => createChatServer({ maxConnectionsPerAddress: STREAMS }));
  const timersBefore = activeTimers();

  // All as one user: the others would hear of Alice once, not 1,000 times.
  const streams = await Promise.all(Array.from({ length: STREAMS }, () => openStream("Alice")));
  await expect.poll(connectionCount, { timeout: 20_000 }).toBe(STREAMS);
  expect(activeTimers()).toBeGreaterThanOrEqual(timersBefore + STREAMS);

  streams.forEach((stream) => stream.close());
  await Promise.all(streams.map((stream) => stream.ended));
  await expect.poll(connectionCount).toBe(0);
  await expect.poll(openConnections).toBe(0);
  // Measured outside expect.poll, which runs timers of its own.
  expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  expect((await postChat(running.url, "Alice", "still here")).id).toBe(1);
});

test("200 messages from concurrent posters reach a stream in order, with no loss and no duplicates", async () => {
  const POSTERS = 10;
  const MESSAGES_EACH = 20;
  const expected = POSTERS * MESSAGES_EACH;
  const alice = await openStream("Alice");
  await received(alice, "update", 1);

  await Promise.all(
    Array.from({ length: POSTERS }, async (_, poster) => {
      for (let index = 0; index < MESSAGES_EACH; index += 1) {
        await postChat(running.url, `poster${poster}`, `message ${index}`);
      }
    }),
  );
  const updates = await received(alice, "update", expected + 1);
  const messages = updates.slice(1).flatMap((update) => update.messages);
  expect(messages.map((message) => message.id)).toEqual(Array.from({ length: expected }, (_, index) => index + 1));
  expect(new Set(messages.map((message) => `${message.user}/${message.text}`)).size).toBe(expected);
  alice.close();
});

test("a stream that stops reading is cut off, while a stream that reads gets every message at once", async () => {
  test.setTimeout(60_000);
  const LIMIT_BYTES = 64 * 1024;
  const BATCH = 100;
  // The kernel buffers a few MB for a socket nobody reads (on loopback) before the server's buffer grows at all.
  // This many messages of 1.5 KB are well past that; the loop stops as soon as the slow stream is cut off.
  const MAX_MESSAGES = 10_000;
  await running.stop();
  running = await startServer(() => createChatServer({ maxBufferedBytes: LIMIT_BYTES }));
  const slow = await openStream("Slow");
  const reader = await openStream("Reader");
  await expect.poll(() => latestOnline(reader)).toEqual(["Reader", "Slow"]);
  // The slow client stops reading from its TCP socket: the kernel's buffers fill, then the server's.
  slow.response.socket.pause();

  // The longest text the server accepts, in a character of three UTF-8 bytes.
  const text = "€".repeat(MAX_TEXT_LENGTH);
  let sent = 0;
  while (latestOnline(reader)?.includes("Slow") && sent < MAX_MESSAGES) {
    // Each sender name posts at most SEND_LIMIT messages, so the rate limit never refuses one.
    const batch = Array.from({ length: BATCH }, (_, index) =>
      postChat(running.url, `Sender ${Math.floor((sent + index) / SEND_LIMIT)}`, text),
    );
    await Promise.all(batch);
    sent += BATCH;
    // The reader keeps up: it has every message so far, once and in order, before the next batch is sent.
    await expect.poll(() => idsReceived(reader)).toEqual(oneTo(sent));
  }
  expect(latestOnline(reader)).toEqual(["Reader"]);
  expect(connectionCount()).toBe(1);

  // The slow client reads again: what the kernel still held arrives, then the end of the connection.
  slow.response.socket.resume();
  await slow.ended;
  const slowIds = idsReceived(slow);
  expect(slowIds.length).toBeLessThan(sent);
  expect(slowIds).toEqual(oneTo(slowIds.length));
});

test("stopping the server ends the open streams at once", async () => {
  const alice = await openStream("Alice");
  await expect.poll(connectionCount).toBe(1);
  await running.stop();
  await alice.ended;
});

testBadInput("05-sse", () => running.url);
