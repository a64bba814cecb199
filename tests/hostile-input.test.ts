// Hostile input against the server of every step: bytes any client can send, which once ended a server, held its
// connections for minutes, or let one client take what belongs to everyone. Every input gets the answer it should,
// and the server goes on serving a normal client afterwards. Real servers on ephemeral ports of 127.0.0.1, and raw
// TCP where an HTTP client would refuse to send such bytes.
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, test } from "@playwright/test";
import { WebSocket } from "ws";
// app.ts, rate-limit.ts and connection-limit.ts are the same in every step that has them (tests/steps-in-sync).
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from "../01-http-refresh/app.ts";
import { SEND_LIMIT } from "../01-http-refresh/rate-limit.ts";
import { MAX_CONNECTIONS_PER_ADDRESS } from "../04-websockets/connection-limit.ts";
import { openChatSocket } from "../tools/clients/chat-socket.ts";
import { eventsPath } from "../tools/clients/event-stream.ts";
import { availableSteps, type Step } from "../tools/steps.ts";
import { postRaw, request } from "../tools/testing/http.ts";
import {
  importStep,
  startServer,
  type RunningServer,
  type StepModule,
  type StepServerOptions,
} from "../tools/testing/server.ts";

interface StepServer {
  server: http.Server;
  close(): Promise<void>;
}

const WEBSOCKET_HANDSHAKE =
  "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
// A body far over the limit: a chunked upload stops here if the server never cuts it.
const ENDLESS_BODY_BYTES = 64 * 1024 * 1024;
// The timeouts are checked every second, so a cut comes up to a second (and a little) after its limit.
const TIMEOUT_SLACK_MS = 3000;

interface Exchange {
  answer: string;
  status: number;
  closedByServer: boolean;
}

// Writes `bytes` on a new TCP connection, then reads until the answer's headers are in (`until: "answer"`) or until
// the server closes the connection (`until: "closed"`), for at most `waitMs`.
async function exchange(port: number, bytes: string, until: "answer" | "closed", waitMs = 5000): Promise<Exchange> {
  const socket = net.connect(port, "127.0.0.1");
  let answer = "";
  let closedByServer = false;
  // A server that cuts a connection may reset it: that is one of the outcomes under test, not a failure.
  socket.on("error", () => socket.destroy());
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1");
      if (until === "answer" && answer.includes("\r\n\r\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.once("close", () => {
      closedByServer = true;
      clearTimeout(timer);
      resolve();
    });
  });
  socket.write(bytes);
  await done;
  socket.destroy();
  return { answer, status: statusOf(answer), closedByServer };
}

function statusOf(answer: string): number {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
  return match ? Number(match[1]) : 0;
}

async function expectStillServing(running: RunningServer): Promise<void> {
  const page = await request(`${running.url}/`);
  expect(page.status).toBe(200);
}

function errorOf(reply: { body: string }): string {
  return (JSON.parse(reply.body) as { error: string }).error;
}

function openWebSocket(running: RunningServer, user: string): WebSocket {
  const socket = openChatSocket(running.port, user);
  // A socket the server cuts may report an error first; without a listener, that error would end the test run.
  socket.on("error", () => socket.terminate());
  return socket;
}

async function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = await once(socket, "close");
  return { code: code as number, reason: String(reason) };
}

// An event stream as a plain HTTP response that stays open; `status` is known once its headers are in.
function openEventStream(running: RunningServer, user: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = http.get(`${running.url}${eventsPath(user)}`, { agent: false }, resolve);
    outgoing.once("error", reject);
  });
}

interface HeldConnection {
  isOpen(): boolean;
  close(): void;
}

// One connection of the kind the step keeps open: a long poll that waits, an event stream, or a WebSocket.
async function holdConnection(step: Step, running: RunningServer): Promise<HeldConnection> {
  const holds = step.holds;
  if (holds === "WebSocket") {
    const socket = openWebSocket(running, "Held");
    await once(socket, "open");
    return { isOpen: () => socket.readyState === WebSocket.OPEN, close: () => socket.close() };
  }
  if (holds === "event stream") {
    const stream = await openEventStream(running, "Held");
    if (stream.statusCode !== 200) {
      stream.resume();
      throw new Error(`the event stream was refused with ${stream.statusCode}`);
    }
    return { isOpen: () => !stream.destroyed && !stream.complete, close: () => stream.destroy() };
  }
  // A long poll: ask for what came after the newest message, so the server waits before it answers.
  const first = JSON.parse((await request(`${running.url}/api/messages`)).body) as { epoch: string };
  const waiting = new AbortController();
  let answered = false;
  request(`${running.url}/api/messages?epoch=${first.epoch}&since=0`, { signal: waiting.signal })
    .then(() => {
      answered = true;
    })
    .catch(() => undefined);
  return { isOpen: () => !answered, close: () => waiting.abort() };
}

// The open file descriptors of this process (Linux only; elsewhere the flood test checks memory alone).
function openFiles(): number | undefined {
  return existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : undefined;
}

// Measuring memory needs a collection first. The test runner does not start Node with --expose-gc, so the flag
// is set now, and a new context (which sees it) hands out the function.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function heapUsed(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function openServerConnections(running: RunningServer): Promise<number> {
  return new Promise((resolve, reject) => {
    running.current().server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
  });
}

for (const step of availableSteps()) {
  test.describe(`${step.folder}: hostile input`, () => {
    let module: StepModule;
    let running: RunningServer;

    async function startWith(options: StepServerOptions = {}): Promise<void> {
      running = await startServer(() => module.createChatServer(options));
    }

    test.beforeEach(async () => {
      module = await importStep(step);
      await startWith();
    });
    test.afterEach(() => running.stop());

    test("a request target that URL cannot parse, sent as a WebSocket upgrade, gets an error and the server serves on", async () => {
      // Steps with a WebSocket refuse it as a bad request; the others have no WebSocket at that path at all.
      const expected = step.holds === "WebSocket" ? 400 : 404;
      for (const target of ["//[/ws", "http://a:99999/ws"]) {
        const reply = await exchange(
          running.port,
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${WEBSOCKET_HANDSHAKE}\r\n`,
          "answer",
        );
        expect(reply.status, target).toBe(expected);
      }
      await expectStillServing(running);
    });

    test("a page request with an unrelated Upgrade header (h2c, as curl --http2 sends) gets the page", async () => {
      const h2c = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n";
      const reply = await exchange(running.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n${h2c}\r\n`, "answer");
      expect(reply.status).toBe(200);
      expect(reply.answer).toMatch(/\r\nContent-Type: text\/html/i);
      await expectStillServing(running);
    });

    test("a body announced over the limit gets 413 at once, and its connection is closed", async () => {
      // JSON or not: a body the API would refuse anyway must not be read to its end either.
      for (const type of ["application/json", "text/plain"]) {
        const head = `POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: 1000000000000\r\n\r\n`;
        const reply = await exchange(running.port, `${head}{"user": "Alice", "text": "`, "closed");
        expect(reply.status, type).toBe(413);
        expect(reply.closedByServer, type).toBe(true);
      }
      await expectStillServing(running);
    });

    test("a chunked body is cut as soon as it passes the limit", async () => {
      const socket = net.connect(running.port, "127.0.0.1");
      await once(socket, "connect");
      let answer = "";
      socket.on("data", (chunk: Buffer) => {
        answer += chunk.toString("latin1");
      });
      // Writing to a connection the server has closed fails with EPIPE: the expected end here, not a failure.
      socket.on("error", () => socket.destroy());
      // Not events.once(): it rejects on that error instead of waiting for "close".
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.write(
        "POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      );
      const chunk = `400\r\n${"x".repeat(0x400)}\r\n`;
      let sent = 0;
      while (!socket.destroyed && sent < ENDLESS_BODY_BYTES) {
        sent += 0x400;
        if (!socket.write(chunk)) {
          await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), closed]);
        }
      }
      await closed;
      expect(statusOf(answer)).toBe(413);
      // The server closed the connection while the body was still coming.
      expect(sent).toBeLessThan(ENDLESS_BODY_BYTES);
      await expectStillServing(running);
    });

    test("slow headers and a body that never ends are cut by the timeouts, while held connections stay open", async () => {
      test.setTimeout(REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS + 30_000);
      const held = step.holds ? await holdConnection(step, running) : undefined;
      const slowHeaders = exchange(
        running.port,
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        "closed",
        HEADERS_TIMEOUT_MS + TIMEOUT_SLACK_MS,
      );
      const endlessBody = exchange(
        running.port,
        "POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n",
        "closed",
        REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS,
      );
      expect((await slowHeaders).closedByServer).toBe(true);
      expect((await endlessBody).closedByServer).toBe(true);
      expect(held?.isOpen() ?? true, `the ${step.holds} is still open`).toBe(true);
      held?.close();
      await expectStillServing(running);
    });

    test("a request naming another host (DNS rebinding) is refused with 403, and the server's own names are served", async () => {
      for (const path of ["/", "/api/messages"]) {
        const refused = await request(`${running.url}${path}`, { headers: { Host: "rebind.example:80" } });
        expect(refused.status, path).toBe(403);
        expect(errorOf(refused)).toMatch(/answers only to its own names/);
      }
      for (const host of [`localhost:${running.port}`, `127.0.0.1:${running.port}`, `[::1]:${running.port}`]) {
        expect((await request(`${running.url}/`, { headers: { Host: host } })).status, host).toBe(200);
      }
      if (step.holds === "WebSocket") {
        const origin = "Origin: http://rebind.example\r\n";
        const upgrade = await exchange(
          running.port,
          `GET /ws?user=Mallory HTTP/1.1\r\nHost: rebind.example\r\n${origin}${WEBSOCKET_HANDSHAKE}\r\n`,
          "answer",
        );
        expect(upgrade.status).toBe(403);
      }
    });

    test("names with direction-changing or invisible characters are refused", async () => {
      const lookAlikes = ["Bob\u202eecila", "Ali\u200bce", "\u2066Eve\u2069"];
      for (const user of lookAlikes) {
        if (step.holds === "WebSocket") {
          const closed = await closeOf(openWebSocket(running, user));
          expect(closed.code).toBe(1008);
          expect(closed.reason).toMatch(/invisible or direction-changing/);
        } else {
          const reply = await postRaw(running.url, JSON.stringify({ user, text: "Hi" }));
          expect(reply.status).toBe(400);
          expect(errorOf(reply)).toMatch(/invisible or direction-changing/);
        }
      }
      if (step.holds === "event stream") {
        const stream = await request(`${running.url}${eventsPath(lookAlikes[0])}`);
        expect(stream.status).toBe(400);
      }
      await expectStillServing(running);
    });

    if (step.sends === "POST") {
      test('a name is stored in NFC, and "Alice", "Alice " and "Alice  " share one sending allowance', async () => {
        const decomposed = await postRaw(running.url, JSON.stringify({ user: "Zoe\u0301", text: "Hi" }));
        expect(JSON.parse(decomposed.body).user).toBe("Zo\u00e9");
        for (let sent = 0; sent < SEND_LIMIT; sent += 1) {
          const reply = await postRaw(
            running.url,
            JSON.stringify({ user: `Alice${" ".repeat(sent % 3)}`, text: `message ${sent}` }),
          );
          expect(reply.status).toBe(201);
        }
        const over = await postRaw(running.url, JSON.stringify({ user: "Alice  ", text: "one too many" }));
        expect(over.status).toBe(429);
        const other = await postRaw(running.url, JSON.stringify({ user: "Bob", text: "my own allowance" }));
        expect(other.status).toBe(201);
      });
    }

    if (step.holds === "event stream") {
      test("HEAD /api/events gets the headers and ends, and lists nobody online", async () => {
        const head = await request(`${running.url}${eventsPath("Ghost")}`, { method: "HEAD" });
        expect(head.status).toBe(200);
        expect(head.headers["content-type"]).toMatch(/^text\/event-stream/);
        const chat = running.current() as StepServer & { connectionCount(): number };
        expect(chat.connectionCount()).toBe(0);
        const stream = await openEventStream(running, "Watcher");
        const firstEvents = await new Promise<string>((resolve) => {
          let text = "";
          stream.on("data", (chunk: Buffer) => {
            text += chunk.toString("utf8");
            if (text.includes("event: online")) {
              resolve(text);
            }
          });
        });
        expect(firstEvents).toContain('data: {"users":["Watcher"]}');
        stream.destroy();
      });
    }

    if (step.holds === "WebSocket" || step.holds === "event stream") {
      test("one address may hold a bounded number of connections; the next is refused with a reason", async () => {
        const LIMIT = 3;
        await running.stop();
        await startWith({ maxConnectionsPerAddress: LIMIT });
        const open = await Promise.all(Array.from({ length: LIMIT }, () => holdConnection(step, running)));
        expect(open.every((connection) => connection.isOpen())).toBe(true);
        if (step.holds === "WebSocket") {
          const refused = await closeOf(openWebSocket(running, "One too many"));
          expect(refused.code).toBe(1008);
          expect(refused.reason).toMatch(/too many connections from your address/);
        } else {
          const refused = await request(`${running.url}${eventsPath("OneTooMany")}`);
          expect(refused.status).toBe(429);
          expect(errorOf(refused)).toMatch(/too many connections from your address/);
        }
        // A place that comes free can be taken again.
        open[0].close();
        await expect.poll(() => openServerConnections(running)).toBe(LIMIT - 1);
        const again = await holdConnection(step, running);
        expect(again.isOpen()).toBe(true);
        for (const connection of [...open, again]) {
          connection.close();
        }
      });
    }

    test("a flood of oversized bodies and of connections past the cap leaves open files and memory where they were", async () => {
      test.setTimeout(60_000);
      const BODIES = 200;
      const EXTRA_CONNECTIONS = 50;
      const heapBefore = heapUsed();
      const filesBefore = openFiles();
      const head =
        "POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n";
      const bodies = await Promise.all(
        Array.from({ length: BODIES }, () => exchange(running.port, `${head}{`, "closed")),
      );
      expect(bodies.every((reply) => reply.status === 413 && reply.closedByServer)).toBe(true);
      if (step.holds === "WebSocket" || step.holds === "event stream") {
        const connections = MAX_CONNECTIONS_PER_ADDRESS + EXTRA_CONNECTIONS;
        const flood = await Promise.allSettled(
          Array.from({ length: connections }, () => holdConnection(step, running)),
        );
        const held = flood.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
        await expect
          .poll(() => held.filter((connection) => connection.isOpen()).length)
          .toBe(MAX_CONNECTIONS_PER_ADDRESS);
        held.forEach((connection) => connection.close());
      }
      await expect.poll(() => openServerConnections(running)).toBe(0);
      await expectStillServing(running);
      await expect.poll(() => openServerConnections(running)).toBe(0);
      // A little above the level before is fine (a lazily created buffer, a timer); a leak per connection is not.
      expect(heapUsed() - heapBefore).toBeLessThan(8 * 1024 * 1024);
      if (filesBefore !== undefined) {
        await expect.poll(() => (openFiles() ?? 0) - filesBefore).toBeLessThanOrEqual(4);
      }
    });
  });
}
