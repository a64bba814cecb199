import { once } from "node:events";
import { expect, test } from "@playwright/test";
import { WebSocket, type ClientOptions } from "ws";
import { startServerProcess } from "../../tools/reliability/server-process.ts";
import { findStep } from "../../tools/steps.ts";
import { request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import type { ClientFrame, ServerFrame } from "../client/protocol.ts";
import { MAX_FRAME_BYTES as WORKER_FRAME_LIMIT } from "../client/worker-protocol.ts";
import {
  createChatServer,
  MAX_FRAME_BYTES,
  RATE_LIMIT_FRAMES,
  type WebSocketChatOptions,
  type WebSocketChatServer,
} from "../server.ts";
import { HISTORY_LIMIT } from "../store.ts";

// Short enough for the liveness tests to see several pings, long enough that a busy test machine answers in time.
const TEST_HEARTBEAT_MS = 1000;

let running: RunningServer;
async function startWith(options: WebSocketChatOptions = {}): Promise<void> {
  running = await startServer(() => createChatServer({ heartbeatIntervalMs: TEST_HEARTBEAT_MS, ...options }));
}
test.beforeEach(() => startWith());
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as WebSocketChatServer).connectionCount();
}

// A raw WebSocket client that keeps every frame it received, as the worker would see them.
class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  // The server's heartbeat pings (ws answers each with a pong by itself).
  pings = 0;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => this.frames.push(JSON.parse(data.toString()) as ServerFrame));
    socket.on("ping", () => {
      this.pings += 1;
    });
    this.closed = once(socket, "close").then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  }

  send(frame: ClientFrame | string): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  framesOf<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((frame): frame is Extract<ServerFrame, { type: T }> => frame.type === type);
  }

  // Who is online as this client would show it: the last whole list, then the changes after it.
  lastPresence(): string[] | undefined {
    let online: Set<string> | undefined;
    for (const frame of this.frames) {
      if (frame.type === "presence") {
        online = new Set(frame.users);
      } else if (frame.type === "joined") {
        online?.add(frame.user);
      } else if (frame.type === "left") {
        online?.delete(frame.user);
      }
    }
    return online && [...online].sort((a, b) => a.localeCompare(b));
  }

  texts(): string[] {
    return this.framesOf("chat").map((frame) => frame.message.text);
  }
}

function socketUrl(user: string): string {
  return `ws://127.0.0.1:${running.port}/ws?user=${encodeURIComponent(user)}`;
}

async function connect(user: string, options: ClientOptions = {}): Promise<TestClient> {
  const client = new TestClient(new WebSocket(socketUrl(user), { origin: running.url, ...options }));
  await once(client.socket, "open");
  return client;
}

// Connected and resumed from the start: the client has its history and will receive live frames.
async function join(user: string, options: ClientOptions = {}): Promise<TestClient> {
  const client = await connect(user, options);
  client.send({ type: "resume", epoch: "", since: 0 });
  await expect.poll(() => client.framesOf("history").length).toBe(1);
  return client;
}

// In this step a ref is new for every message (the tab draws it at random): the server stores a chat frame
// with a ref it has seen from the same user only once.
let lastRef = 1000;
function newRef(): number {
  lastRef += 1;
  return lastRef;
}

// The HTTP status of a refused handshake, or 101 when it was accepted.
function handshakeStatus(url: string, options: ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
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

test.describe("handshake", () => {
  test("a handshake from a foreign Origin is refused with 403, the page's own origin is accepted", async () => {
    expect(await handshakeStatus(socketUrl("Mallory"), { origin: "https://evil.example" })).toBe(403);
    expect(await handshakeStatus(socketUrl("Mallory"), { origin: "null" })).toBe(403);
    expect(await handshakeStatus(socketUrl("Alice"), { origin: running.url })).toBe(101);
    await expect.poll(connectionCount).toBe(0);
  });

  test("a handshake on another path is refused with 404", async () => {
    expect(await handshakeStatus(`ws://127.0.0.1:${running.port}/socket?user=Alice`, { origin: running.url })).toBe(
      404,
    );
  });

  test("an invalid name is closed with 1008 and the reason", async () => {
    const nameless = new TestClient(new WebSocket(`ws://127.0.0.1:${running.port}/ws`, { origin: running.url }));
    expect(await nameless.closed).toEqual({ code: 1008, reason: '"user" must be a string' });
    const tooLong = await connect("A".repeat(33));
    expect(await tooLong.closed).toEqual({ code: 1008, reason: '"user" must be at most 32 characters (got 33)' });
    expect(connectionCount()).toBe(0);
  });

  // In a real server process: in the test runner an unhandled "error" event would not end anything.
  test("a refused client that sends an oversized frame before the close does not bring the server down", async () => {
    const server = await startServerProcess(findStep("06"));
    try {
      const refused = new WebSocket(`ws://127.0.0.1:${server.port}/ws?user=`, { origin: server.url });
      refused.on("error", () => undefined);
      await once(refused, "open");
      refused.send("x".repeat(MAX_FRAME_BYTES + 1));
      await once(refused, "close");
      // A full round trip after the oversized frame: the server has read that frame by the time this answers.
      const alice = new TestClient(
        new WebSocket(`ws://127.0.0.1:${server.port}/ws?user=Alice`, { origin: server.url }),
      );
      await once(alice.socket, "open");
      alice.send({ type: "resume", epoch: "", since: 0 });
      alice.send({ type: "chat", ref: newRef(), text: "still up" });
      await expect.poll(() => alice.texts()).toEqual(["still up"]);
      alice.socket.close();
      expect(server.pid()).toBeGreaterThan(0);
    } finally {
      await server.interrupt().catch(() => undefined);
    }
  });

  test("the page is still served over plain HTTP, and /api has nothing left", async () => {
    expect((await request(`${running.url}/`)).status).toBe(200);
    expect((await request(`${running.url}/api/messages`)).status).toBe(404);
  });
});

test.describe("messages", () => {
  test("a chat frame is acknowledged to its sender and pushed to every resumed client", async () => {
    const alice = await join("Alice");
    const bob = await join("Bob");
    alice.send({ type: "chat", ref: 7, text: "  hello  " });
    await expect
      .poll(() => bob.framesOf("chat"))
      .toEqual([{ type: "chat", message: expect.objectContaining({ id: 1, user: "Alice", text: "hello" }) }]);
    await expect.poll(() => alice.framesOf("chat").length).toBe(1);
    expect(alice.framesOf("ack")).toEqual([{ type: "ack", ref: 7, id: 1 }]);
    expect(bob.framesOf("ack")).toEqual([]);
  });

  test("resume answers with what the client missed, or the whole history with reset in another epoch", async () => {
    const alice = await join("Alice");
    for (const text of ["one", "two", "three"]) {
      alice.send({ type: "chat", ref: newRef(), text });
    }
    await expect.poll(() => alice.texts()).toEqual(["one", "two", "three"]);
    const epoch = alice.framesOf("history")[0].epoch;

    const bob = await connect("Bob");
    bob.send({ type: "resume", epoch, since: 1 });
    bob.send({ type: "resume", epoch: "an-old-epoch", since: 2 });
    await expect.poll(() => bob.framesOf("history").length).toBe(2);
    const [behind, otherEpoch] = bob.framesOf("history");
    expect(behind).toMatchObject({ epoch, reset: false });
    expect(behind.messages.map((message) => message.text)).toEqual(["two", "three"]);
    expect(otherEpoch).toMatchObject({ epoch, reset: true });
    expect(otherEpoch.messages.map((message) => message.text)).toEqual(["one", "two", "three"]);
  });

  test("a client gets no live frames before it resumes, so its history always comes first", async () => {
    const alice = await join("Alice");
    const early = await connect("Bob");
    alice.send({ type: "chat", ref: 1, text: "while Bob is not resumed" });
    await expect.poll(() => alice.texts()).toEqual(["while Bob is not resumed"]);
    early.send({ type: "resume", epoch: "", since: 0 });
    await expect.poll(() => early.framesOf("history").length).toBe(1);
    expect(early.frames[0]).toMatchObject({
      type: "history",
      messages: [expect.objectContaining({ text: "while Bob is not resumed" })],
    });
    expect(early.framesOf("chat")).toEqual([]);
  });

  test("typing is pushed to the others, not back to the typist", async () => {
    const alice = await join("Alice");
    const bob = await join("Bob");
    bob.send({ type: "typing" });
    await expect.poll(() => alice.framesOf("typing")).toEqual([{ type: "typing", user: "Bob" }]);
    bob.send({ type: "chat", ref: 1, text: "done typing" });
    await expect.poll(() => bob.texts()).toEqual(["done typing"]);
    expect(bob.framesOf("typing")).toEqual([]);
  });

  test("messages from ten concurrent senders reach a client with no loss and no duplicates, in id order", async () => {
    const SENDERS = 10;
    // As many as the rate limit lets through after the resume frame.
    const MESSAGES_EACH = RATE_LIMIT_FRAMES - 1;
    const reader = await join("Reader");
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, index) => join(`sender${index}`)));
    senders.forEach((sender, index) => {
      for (let count = 0; count < MESSAGES_EACH; count += 1) {
        sender.send({ type: "chat", ref: count, text: `${index}/${count}` });
      }
    });
    await expect.poll(() => reader.framesOf("chat").length).toBe(SENDERS * MESSAGES_EACH);
    const ids = reader.framesOf("chat").map((frame) => frame.message.id);
    expect(ids).toEqual(Array.from({ length: SENDERS * MESSAGES_EACH }, (_, index) => index + 1));
    expect(new Set(reader.texts()).size).toBe(SENDERS * MESSAGES_EACH);
  });
});

test.describe("acknowledgements of retried messages", () => {
  test("a retry with the same ref is acknowledged again, and the message is stored and sent only once", async () => {
    const alice = await join("Alice");
    const bob = await join("Bob");
    const ref = newRef();
    alice.send({ type: "chat", ref, text: "only once" });
    alice.send({ type: "chat", ref, text: "only once" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(2);
    expect(alice.framesOf("ack")).toEqual([
      { type: "ack", ref, id: 1 },
      { type: "ack", ref, id: 1 },
    ]);
    alice.send({ type: "chat", ref: newRef(), text: "next" });
    await expect.poll(() => bob.texts()).toEqual(["only once", "next"]);
    expect(bob.framesOf("chat").map((frame) => frame.message.id)).toEqual([1, 2]);
  });

  test("a retry on a new connection, after the first attempt was stored, gets the first attempt's ack", async () => {
    const first = await join("Alice");
    const ref = newRef();
    first.send({ type: "chat", ref, text: "sent before the connection broke" });
    await expect.poll(() => first.framesOf("ack")).toEqual([{ type: "ack", ref, id: 1 }]);
    first.socket.terminate();
    const second = await join("Alice");
    second.send({ type: "chat", ref, text: "sent before the connection broke" });
    await expect.poll(() => second.framesOf("ack")).toEqual([{ type: "ack", ref, id: 1 }]);
    expect(second.framesOf("chat")).toEqual([]);
  });

  test("a ref is remembered while its message is in the history, and forgotten with it", async () => {
    await running.stop();
    await startWith({ rateLimitFrames: 10 * HISTORY_LIMIT });
    const alice = await join("Alice");
    const ref = newRef();
    alice.send({ type: "chat", ref, text: "early" });
    // The history fills up, to the last message that still leaves "early" in it.
    for (let count = 1; count < HISTORY_LIMIT; count += 1) {
      alice.send({ type: "chat", ref: newRef(), text: `later ${count}` });
    }
    alice.send({ type: "chat", ref, text: "early" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(HISTORY_LIMIT + 1);
    expect(alice.framesOf("ack").at(-1)).toEqual({ type: "ack", ref, id: 1 });
    expect(alice.texts().filter((text) => text === "early")).toHaveLength(1);

    // One more message pushes "early" out of the history, and its ref goes with it: the memory is bounded.
    alice.send({ type: "chat", ref: newRef(), text: "one more" });
    alice.send({ type: "chat", ref, text: "early" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(HISTORY_LIMIT + 3);
    expect(alice.framesOf("ack").at(-1)).toEqual({ type: "ack", ref, id: HISTORY_LIMIT + 2 });
  });

  test("the same ref from another user is a message of its own", async () => {
    const alice = await join("Alice");
    const bob = await join("Bob");
    const ref = newRef();
    alice.send({ type: "chat", ref, text: "from Alice" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(1);
    bob.send({ type: "chat", ref, text: "from Bob" });
    await expect.poll(() => alice.texts()).toEqual(["from Alice", "from Bob"]);
  });

  test("the worker refuses the frames that this server would close the socket on", () => {
    expect(WORKER_FRAME_LIMIT).toBe(MAX_FRAME_BYTES);
  });
});

test.describe("bad input", () => {
  const REFUSED: { name: string; frame: string; error: RegExp; ref?: number }[] = [
    { name: "bad JSON", frame: '{"type": "chat", ', error: /not valid JSON/ },
    { name: "a JSON array", frame: "[1, 2]", error: /expected a JSON object with a "type"/ },
    { name: "no type", frame: '{"text": "Hi"}', error: /expected a JSON object with a "type"/ },
    {
      name: "an unknown type",
      frame: '{"type": "shout", "ref": 3}',
      error: /unknown frame type "shout": expected one of resume, chat, typing/,
      ref: 3,
    },
    { name: "a prototype key as type", frame: '{"type": "__proto__"}', error: /unknown frame type "__proto__"/ },
    { name: "a chat without ref", frame: '{"type": "chat", "text": "Hi"}', error: /"ref" must be a whole number/ },
    {
      name: "empty text",
      frame: '{"type": "chat", "ref": 4, "text": "  "}',
      error: /"text" must not be empty/,
      ref: 4,
    },
    {
      name: "text over the limit",
      frame: JSON.stringify({ type: "chat", ref: 5, text: "x".repeat(501) }),
      error: /at most 500 characters/,
      ref: 5,
    },
    {
      name: "a control character",
      frame: '{"type": "chat", "ref": 6, "text": "a\\u0007b"}',
      error: /control characters/,
      ref: 6,
    },
    {
      name: "a bad cursor",
      frame: '{"type": "resume", "epoch": "x", "since": -1}',
      error: /"since" must be a whole number/,
    },
  ];

  for (const { name, frame, error, ref } of REFUSED) {
    test(`${name} gets an error frame and the connection stays usable`, async () => {
      const alice = await join("Alice");
      alice.send(frame);
      await expect.poll(() => alice.framesOf("error").length).toBe(1);
      const [refusal] = alice.framesOf("error");
      expect(refusal.error).toMatch(error);
      expect(refusal.ref).toBe(ref);
      alice.send({ type: "chat", ref: 10, text: "still here" });
      await expect.poll(() => alice.framesOf("ack")).toEqual([{ type: "ack", ref: 10, id: 1 }]);
    });
  }

  test("a binary frame gets an error frame", async () => {
    const alice = await join("Alice");
    alice.socket.send(Buffer.from([1, 2, 3]));
    await expect
      .poll(() => alice.framesOf("error").map((frame) => frame.error))
      .toEqual(["frames must be JSON text, not binary"]);
  });

  test("HTML in a message is stored and sent back as plain text", async () => {
    const alice = await join("<b>Mallory</b>");
    const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    alice.send({ type: "chat", ref: 1, text: payload });
    await expect
      .poll(() => alice.framesOf("chat").map((frame) => frame.message))
      .toEqual([expect.objectContaining({ user: "<b>Mallory</b>", text: payload })]);
  });

  test("a frame over the size limit closes that socket with 1009, and another client notices nothing", async () => {
    const alice = await join("Alice");
    const bob = await join("Bob");
    const framesBefore = bob.frames.length;
    alice.send(JSON.stringify({ type: "chat", ref: 1, text: "x".repeat(MAX_FRAME_BYTES) }));
    expect((await alice.closed).code).toBe(1009);

    // Bob hears that Alice left (she was the only tab of hers), then chats on as before.
    await expect.poll(() => bob.lastPresence()).toEqual(["Bob"]);
    bob.send({ type: "chat", ref: 1, text: "still fine" });
    await expect.poll(() => bob.texts()).toEqual(["still fine"]);
    expect(bob.frames.slice(framesBefore).map((frame) => frame.type)).toEqual(["left", "ack", "chat"]);
    expect(bob.socket.readyState).toBe(WebSocket.OPEN);
  });

  test("a sender over the rate limit gets error frames naming its refs; others are not limited", async () => {
    const EXTRA = 5;
    const flooder = await join("Flooder");
    const bob = await join("Bob");
    for (let ref = 1; ref <= RATE_LIMIT_FRAMES + EXTRA; ref += 1) {
      flooder.send({ type: "chat", ref, text: `flood ${ref}` });
    }
    await expect
      .poll(() => flooder.framesOf("ack").length + flooder.framesOf("error").length)
      .toBe(RATE_LIMIT_FRAMES + EXTRA);
    // Its resume counted too: one frame fewer got through.
    expect(flooder.framesOf("ack")).toHaveLength(RATE_LIMIT_FRAMES - 1);
    const refusals = flooder.framesOf("error");
    expect(refusals).toHaveLength(EXTRA + 1);
    expect(refusals.map((frame) => frame.ref)).toEqual(
      Array.from({ length: EXTRA + 1 }, (_, index) => RATE_LIMIT_FRAMES + index),
    );
    expect(refusals[0].error).toMatch(/too many frames: at most 20 every 10 s/);

    bob.send({ type: "chat", ref: 1, text: "Bob is not limited" });
    await expect.poll(() => bob.framesOf("ack").length).toBe(1);
  });
});

test.describe("presence and liveness", () => {
  test("the others hear of a newcomer in a small joined frame; only the newcomer gets the whole list", async () => {
    const alice = await join("Alice");
    const bob = await join("Bob");
    await expect.poll(() => alice.framesOf("joined").map((frame) => frame.user)).toEqual(["Bob"]);
    expect(alice.framesOf("presence").map((frame) => frame.users)).toEqual([["Alice"]]);
    expect(bob.framesOf("presence").map((frame) => frame.users)).toEqual([["Alice", "Bob"]]);
    bob.socket.close();
    await expect.poll(() => alice.framesOf("left").map((frame) => frame.user)).toEqual(["Bob"]);
  });

  test("a user with two connections stays online until the last one closes", async () => {
    const watcher = await join("Watcher");
    const firstTab = await join("Alice");
    const secondTab = await join("Alice");
    await expect.poll(() => watcher.lastPresence()).toEqual(["Alice", "Watcher"]);
    expect(secondTab.lastPresence()).toEqual(["Alice", "Watcher"]);

    firstTab.socket.close();
    await expect.poll(connectionCount).toBe(2);
    expect(watcher.lastPresence()).toEqual(["Alice", "Watcher"]);

    secondTab.socket.close();
    await expect.poll(() => watcher.lastPresence()).toEqual(["Watcher"]);
  });

  test("a peer that stops answering pings is terminated, and a peer that answers stays", async () => {
    const healthy = await join("Healthy");
    const silent = await join("Silent", { autoPong: false });
    await expect.poll(() => healthy.lastPresence()).toEqual(["Healthy", "Silent"]);
    const silentClosed = await silent.closed;
    // Terminated: the TCP connection is cut without a close frame.
    expect(silentClosed.code).toBe(1006);
    await expect.poll(() => healthy.lastPresence()).toEqual(["Healthy"]);
    // Several heartbeats later the peer that answers is still connected.
    const pingsSoFar = healthy.pings;
    await expect.poll(() => healthy.pings).toBeGreaterThanOrEqual(pingsSoFar + 3);
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    expect(connectionCount()).toBe(1);
  });

  test("a client that stops reading is cut off when its buffer passes the limit; the others keep receiving", async () => {
    test.setTimeout(60_000);
    const LIMIT_BYTES = 64 * 1024;
    const MAX_MESSAGES = 20_000;
    await running.stop();
    await startWith({ maxBufferedBytes: LIMIT_BYTES, rateLimitFrames: MAX_MESSAGES });
    const slow = await join("Slow");
    const sender = await join("Sender");
    await expect.poll(() => sender.lastPresence()).toEqual(["Sender", "Slow"]);
    // The slow client stops reading from its TCP socket: the kernel buffers fill, then the server's.
    slow.socket.pause();

    const text = "x".repeat(500);
    let sent = 0;
    while (sender.lastPresence()?.includes("Slow") && sent < MAX_MESSAGES) {
      for (let batch = 0; batch < 100; batch += 1) {
        sent += 1;
        sender.send({ type: "chat", ref: sent, text });
      }
      await expect.poll(() => sender.framesOf("ack").length, { timeout: 20_000 }).toBe(sent);
    }
    expect(sender.lastPresence()).toEqual(["Sender"]);
    expect(connectionCount()).toBe(1);
    sender.send({ type: "chat", ref: 0, text: "after the slow one left" });
    await expect.poll(() => sender.texts().at(-1)).toBe("after the slow one left");
  });

  test("shutting down closes every socket with 1001 at once", async () => {
    const alice = await join("Alice");
    const bob = await connect("Bob");
    const started = performance.now();
    await running.stop();
    expect(await alice.closed).toEqual({ code: 1001, reason: "the server is shutting down" });
    expect(await bob.closed).toEqual({ code: 1001, reason: "the server is shutting down" });
    expect(performance.now() - started).toBeLessThan(1000);
    // afterEach stops it again: give it a server to stop.
    await running.start();
  });
});
