// What the server's console says while a class watches: one line per thing the technique does, in a real server
// process started as `npm run exampleN` starts it. Anything a user typed appears quoted, with invisible characters
// escaped. The tests silence these lines everywhere else (QUIET=1); here they are asked for again.
import { expect, test } from "@playwright/test";
import type { WebSocket } from "ws";
import { openChatSocket } from "../tools/clients/chat-socket.ts";
import { eventsPath } from "../tools/clients/event-stream.ts";
import { startServerProcess, type ServerProcess } from "../tools/reliability/server-process.ts";
import { findStep } from "../tools/steps.ts";
import { postChat, request } from "../tools/testing/http.ts";

let server: ServerProcess;

async function start(step: number): Promise<void> {
  server = await startServerProcess(findStep(String(step)), { QUIET: "0" });
}

test.afterEach(async () => {
  await server.interrupt();
});

// Waits until the console has printed a line that matches.
async function expectLine(pattern: RegExp): Promise<void> {
  await expect
    .poll(() =>
      server
        .output()
        .split("\n")
        .find((line) => pattern.test(line)),
    )
    .toBeDefined();
}

test("step 01: every request and what it returned, with the sender's name quoted and escaped", async () => {
  await start(1);
  await request(`${server.url}/api/messages`);
  await expectLine(/^\d\d:\d\d:\d\d\.\d{3} \[http\] GET \/api\/messages: the whole history \(reset\), 0 messages$/);
  // U+00AD, a soft hyphen, is allowed in a name but invisible in a terminal.
  await postChat(server.url, "Al\u00adice", "Hi");
  await expectLine(/\[http\] POST \/api\/messages: "Al\\u00adice" sent message 1/);
});

test("step 01: a burst of requests is summed up, not printed line by line", async () => {
  await start(1);
  await Promise.all(Array.from({ length: 40 }, () => request(`${server.url}/api/messages`)));
  await expectLine(/\(\d+ more lines in the last second, not shown\)/);
});

test("step 02: each poll and what it brought", async () => {
  await start(2);
  await request(`${server.url}/api/messages?epoch=&since=0`);
  await expectLine(/\[poll\] after message 0: the whole history \(reset\), 0 messages/);
});

test("step 03: a poll held, answered by a message, and abandoned", async () => {
  await start(3);
  const { epoch } = JSON.parse((await request(`${server.url}/api/messages`)).body) as { epoch: string };
  const waiting = request(`${server.url}/api/messages?epoch=${epoch}&since=0`);
  await expectLine(/\[long-poll\] held: waiting for a message after 0 \(1 waiting\)/);
  await postChat(server.url, "Alice", "Hi");
  await waiting;
  await expectLine(/\[long-poll\] a new message answers the 1 waiting requests/);

  const leaving = new AbortController();
  const abandoned = request(`${server.url}/api/messages?epoch=${epoch}&since=1`, { signal: leaving.signal }).catch(
    () => undefined,
  );
  await expectLine(/held: waiting for a message after 1/);
  leaving.abort();
  await abandoned;
  await expectLine(/\[long-poll\] abandoned after \d+\.\d s: the page went away \(0 waiting\)/);
});

async function openSocket(user: string): Promise<WebSocket> {
  const socket = openChatSocket(server.port, user);
  await new Promise((resolve) => socket.once("open", resolve));
  return socket;
}

for (const step of [4, 6]) {
  test(`step 0${step}: a socket opened, with its user, origin and the user's sockets, and closed, with its code`, async () => {
    await start(step);
    const first = await openSocket("Alice");
    await expectLine(new RegExp(`\\[ws\\] opened: "Alice" from "${server.url}" \\(1 open, "Alice" has 1\\)`));
    const second = await openSocket("Alice");
    await expectLine(/\[ws\] opened: "Alice" from .* \(2 open, "Alice" has 2\)/);
    second.close(1000, "bye");
    await expectLine(/\[ws\] closed: "Alice", code 1000 "bye" \(1 open, "Alice" has 1\)/);
    first.close(1000, "bye");
    await expectLine(/\[ws\] closed: "Alice", code 1000 "bye" \(0 open, "Alice" has 0\)/);
  });
}

test("step 05: a stream opened, without and with Last-Event-ID, and closed", async () => {
  await start(5);
  const first = new AbortController();
  const stream = request(`${server.url}${eventsPath("Alice")}`, { signal: first.signal }).catch(() => undefined);
  await expectLine(
    /\[sse\] opened: "Alice", without Last-Event-ID: the whole history \(reset\), 0 messages \(1 open\)/,
  );
  first.abort();
  await stream;
  await expectLine(/\[sse\] closed: "Alice"'s stream \(0 open\)/);

  // An id from another server process: the stream opens all the same, with the whole history.
  const again = new AbortController();
  const resumed = request(`${server.url}${eventsPath("Alice")}`, {
    signal: again.signal,
    headers: { "Last-Event-ID": "old-epoch:5" },
  }).catch(() => undefined);
  await expectLine(
    /\[sse\] opened: "Alice", with Last-Event-ID "old-epoch:5": the whole history \(reset\), 0 messages/,
  );
  again.abort();
  await resumed;
});
