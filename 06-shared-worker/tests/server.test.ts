import { once } from "node:events";
import { expect, test } from "@playwright/test";
import { WebSocket, type ClientOptions } from "ws";
import { request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import type { ClientFrame, ServerFrame } from "../client/protocol.ts";
import { MAX_FRAME_BYTES } from "../client/settings.ts";
import {
  createChatServer,
  MAX_ROOMS,
  MAX_ROOMS_PER_CONNECTION,
  RATE_LIMIT_FRAMES,
  type WebSocketChatOptions,
  type WebSocketChatServer,
} from "../server.ts";
import { HISTORY_LIMIT } from "../store.ts";

const TEST_HEARTBEAT_MS = 100;

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

  // Who is in `room` as this connection would show it: the last whole list, then the changes after it.
  lastPresence(room: string): string[] | undefined {
    let online: Set<string> | undefined;
    for (const frame of this.frames) {
      if (frame.type === "presence" && frame.room === room) {
        online = new Set(frame.users);
      } else if (frame.type === "joined" && frame.room === room) {
        online?.add(frame.user);
      } else if (frame.type === "left" && frame.room === room) {
        online?.delete(frame.user);
      }
    }
    return online && [...online].sort((a, b) => a.localeCompare(b));
  }

  texts(room?: string): string[] {
    return this.framesOf("chat")
      .filter((frame) => room === undefined || frame.room === room)
      .map((frame) => frame.message.text);
  }

  async join(room: string): Promise<void> {
    const before = this.framesOf("history").filter((frame) => frame.room === room).length;
    this.send({ type: "join", room, epoch: "", since: 0 });
    await expect.poll(() => this.framesOf("history").filter((frame) => frame.room === room).length).toBe(before + 1);
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

// Connected and in `room`: the client has the room's history and will receive its live frames.
async function joined(user: string, room = "general", options: ClientOptions = {}): Promise<TestClient> {
  const client = await connect(user, options);
  await client.join(room);
  return client;
}

let nextId = 0;
function newId(): string {
  nextId += 1;
  return `test-message-${nextId}`;
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
  test("a foreign Origin is refused with 403, another path with 404, the page's own origin is accepted", async () => {
    expect(await handshakeStatus(socketUrl("Mallory"), { origin: "https://evil.example" })).toBe(403);
    expect(await handshakeStatus(`ws://127.0.0.1:${running.port}/socket?user=Alice`, { origin: running.url })).toBe(404);
    expect(await handshakeStatus(socketUrl("Alice"), { origin: running.url })).toBe(101);
  });

  test("an invalid name is closed with 1008 and the reason", async () => {
    const tooLong = await connect("A".repeat(33));
    expect(await tooLong.closed).toEqual({ code: 1008, reason: '"user" must be at most 32 characters (got 33)' });
    expect(connectionCount()).toBe(0);
  });

  test("the page is still served over plain HTTP, and /api has nothing", async () => {
    expect((await request(`${running.url}/`)).status).toBe(200);
    expect((await request(`${running.url}/api/messages`)).status).toBe(404);
  });
});

test.describe("rooms", () => {
  test("a message goes to the members of its room only, and is acknowledged to its sender with its id", async () => {
    const alice = await joined("Alice", "general");
    const bob = await joined("Bob", "general");
    const carol = await joined("Carol", "random");
    const id = newId();
    alice.send({ type: "chat", room: "general", id, text: "  hello general  " });
    await expect.poll(() => bob.texts()).toEqual(["hello general"]);
    await expect.poll(() => alice.framesOf("ack")).toEqual([{ type: "ack", id, message: expect.objectContaining({ id: 1, user: "Alice", text: "hello general" }) }]);
    expect(alice.framesOf("chat")).toEqual([{ type: "chat", room: "general", message: alice.framesOf("ack")[0].message }]);

    carol.send({ type: "chat", room: "random", id: newId(), text: "hello random" });
    await expect.poll(() => carol.texts()).toEqual(["hello random"]);
    // A round trip on each socket: a frame for them sent before this answer would have arrived before it.
    await alice.join("general");
    await bob.join("general");
    expect(alice.texts()).toEqual(["hello general"]);
    expect(bob.texts()).toEqual(["hello general"]);
    expect(carol.texts()).toEqual(["hello random"]);
  });

  test("one connection in two rooms gets the frames of both, each naming its room", async () => {
    const worker = await joined("Alice", "general");
    await worker.join("random");
    const bob = await joined("Bob", "general");
    const carol = await joined("Carol", "random");
    bob.send({ type: "chat", room: "general", id: newId(), text: "in general" });
    carol.send({ type: "chat", room: "random", id: newId(), text: "in random" });
    await expect.poll(() => worker.texts("general")).toEqual(["in general"]);
    await expect.poll(() => worker.texts("random")).toEqual(["in random"]);
    expect(worker.lastPresence("general")).toEqual(["Alice", "Bob"]);
    expect(worker.lastPresence("random")).toEqual(["Alice", "Carol"]);
  });

  test("every room has its own ids and epoch, and a join resumes from the room's cursor", async () => {
    const alice = await joined("Alice", "general");
    await alice.join("random");
    for (const text of ["one", "two", "three"]) {
      alice.send({ type: "chat", room: "general", id: newId(), text });
    }
    alice.send({ type: "chat", room: "random", id: newId(), text: "elsewhere" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(4);
    expect(alice.framesOf("ack").map((frame) => frame.message.id)).toEqual([1, 2, 3, 1]);
    const [general, random] = alice.framesOf("history");
    expect(general.epoch).not.toBe(random.epoch);

    const bob = await connect("Bob");
    bob.send({ type: "join", room: "general", epoch: general.epoch, since: 1 });
    bob.send({ type: "join", room: "general", epoch: "an-old-epoch", since: 2 });
    await expect.poll(() => bob.framesOf("history").length).toBe(2);
    const [behind, otherEpoch] = bob.framesOf("history");
    expect(behind).toMatchObject({ room: "general", epoch: general.epoch, reset: false });
    expect(behind.messages.map((message) => message.text)).toEqual(["two", "three"]);
    expect(otherEpoch).toMatchObject({ room: "general", reset: true });
    expect(otherEpoch.messages.map((message) => message.text)).toEqual(["one", "two", "three"]);
  });

  test("the others in the room hear of a newcomer in a small joined frame; only the newcomer gets the whole list", async () => {
    const alice = await joined("Alice", "general");
    const bob = await joined("Bob", "general");
    await expect.poll(() => alice.framesOf("joined")).toEqual([{ type: "joined", room: "general", user: "Bob" }]);
    expect(alice.framesOf("presence").map((frame) => frame.users)).toEqual([["Alice"]]);
    expect(bob.framesOf("presence").map((frame) => frame.users)).toEqual([["Alice", "Bob"]]);
    bob.socket.close();
    await expect.poll(() => alice.framesOf("left")).toEqual([{ type: "left", room: "general", user: "Bob" }]);
  });

  test("leaving a room updates its presence and ends its frames", async () => {
    const alice = await joined("Alice", "general");
    const bob = await joined("Bob", "general");
    await expect.poll(() => alice.lastPresence("general")).toEqual(["Alice", "Bob"]);
    bob.send({ type: "leave", room: "general" });
    await expect.poll(() => alice.lastPresence("general")).toEqual(["Alice"]);
    alice.send({ type: "chat", room: "general", id: newId(), text: "Bob left" });
    await expect.poll(() => alice.texts()).toEqual(["Bob left"]);
    await bob.join("random");
    expect(bob.texts()).toEqual([]);
  });

  test("a user with two connections in a room stays in it until the last one leaves or closes", async () => {
    const watcher = await joined("Watcher", "general");
    const firstBrowser = await joined("Alice", "general");
    const secondBrowser = await joined("Alice", "general");
    await expect.poll(() => watcher.lastPresence("general")).toEqual(["Alice", "Watcher"]);
    firstBrowser.socket.close();
    await expect.poll(connectionCount).toBe(2);
    expect(watcher.lastPresence("general")).toEqual(["Alice", "Watcher"]);
    secondBrowser.socket.close();
    await expect.poll(() => watcher.lastPresence("general")).toEqual(["Watcher"]);
  });

  test("typing is pushed to the other members of the room only", async () => {
    const alice = await joined("Alice", "general");
    const bob = await joined("Bob", "general");
    const carol = await joined("Carol", "random");
    bob.send({ type: "typing", room: "general" });
    await expect.poll(() => alice.framesOf("typing")).toEqual([{ type: "typing", room: "general", user: "Bob" }]);
    // A round trip on each socket: a frame for them sent before this answer would have arrived before it.
    await bob.join("general");
    await carol.join("random");
    expect(bob.framesOf("typing")).toEqual([]);
    expect(carol.framesOf("typing")).toEqual([]);
  });
});

test.describe("acknowledgements", () => {
  test("a retry with the same id is acknowledged again and stored only once", async () => {
    const alice = await joined("Alice");
    const bob = await joined("Bob");
    const id = newId();
    alice.send({ type: "chat", room: "general", id, text: "only once" });
    alice.send({ type: "chat", room: "general", id, text: "only once" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(2);
    const [first, second] = alice.framesOf("ack");
    expect(second).toEqual(first);
    alice.send({ type: "chat", room: "general", id: newId(), text: "next" });
    await expect.poll(() => bob.texts()).toEqual(["only once", "next"]);
    expect(bob.framesOf("chat").map((frame) => frame.message.id)).toEqual([1, 2]);
  });

  test("a retry is recognised while its message is in the room's history, however busy the other rooms are", async () => {
    await running.stop();
    await startWith({ rateLimitFrames: 10 * HISTORY_LIMIT });
    const alice = await joined("Alice", "general");
    const busy = await joined("Busy", "random");
    const id = newId();
    alice.send({ type: "chat", room: "general", id, text: "early" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(1);
    const [first] = alice.framesOf("ack");

    // Many more messages in another room than a room keeps: the ids of each room are its own.
    const OTHER_ROOM_MESSAGES = 4 * HISTORY_LIMIT;
    for (let count = 0; count < OTHER_ROOM_MESSAGES; count += 1) {
      busy.send({ type: "chat", room: "random", id: newId(), text: "elsewhere" });
    }
    await expect.poll(() => busy.framesOf("ack").length).toBe(OTHER_ROOM_MESSAGES);
    // And this room's history fills up, to the last message that still leaves "early" in it.
    for (let count = 1; count < HISTORY_LIMIT; count += 1) {
      alice.send({ type: "chat", room: "general", id: newId(), text: `later ${count}` });
    }
    alice.send({ type: "chat", room: "general", id, text: "early" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(HISTORY_LIMIT + 1);
    expect(alice.framesOf("ack").at(-1)).toEqual(first);
    expect(alice.texts("general").filter((text) => text === "early")).toHaveLength(1);

    // One more message pushes "early" out of the history, and its id goes with it: the memory is bounded.
    alice.send({ type: "chat", room: "general", id: newId(), text: "one more" });
    alice.send({ type: "chat", room: "general", id, text: "early" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(HISTORY_LIMIT + 3);
    expect(alice.framesOf("ack").at(-1)?.message).toMatchObject({ id: HISTORY_LIMIT + 2, text: "early" });
  });

  test("the same id from another user, or in another room, is a message of its own", async () => {
    const alice = await joined("Alice", "general");
    await alice.join("random");
    const bob = await joined("Bob", "general");
    const id = newId();
    alice.send({ type: "chat", room: "general", id, text: "Alice in general" });
    alice.send({ type: "chat", room: "random", id, text: "Alice in random" });
    bob.send({ type: "chat", room: "general", id, text: "Bob in general" });
    await expect.poll(() => alice.texts()).toEqual(["Alice in general", "Alice in random", "Bob in general"]);
  });
});

test.describe("bad input", () => {
  // `id` names a refused chat frame, `room` a refused join.
  const REFUSED: { name: string; frame: string; error: RegExp; id?: string; room?: string }[] = [
    { name: "bad JSON", frame: '{"type": "chat", ', error: /not valid JSON/ },
    { name: "a JSON array", frame: "[1, 2]", error: /expected a JSON object with a "type"/ },
    { name: "an unknown type", frame: '{"type": "resume", "id": "abcdefgh"}', error: /unknown frame type "resume": expected one of join, leave, chat, typing/, id: "abcdefgh" },
    { name: "a chat without id", frame: '{"type": "chat", "room": "general", "text": "Hi"}', error: /"id" must be 8 to 64 letters/ },
    { name: "an id with spaces", frame: '{"type": "chat", "room": "general", "id": "a b c d e f", "text": "Hi"}', error: /"id" must be 8 to 64 letters/ },
    { name: "a chat in a room not joined", frame: '{"type": "chat", "room": "random", "id": "abcdefgh", "text": "Hi"}', error: /join room "random" first/, id: "abcdefgh" },
    { name: "a bad room name", frame: '{"type": "join", "room": "<b>", "epoch": "", "since": 0}', error: /"room" must be 1 to 32 letters/, room: "<b>" },
    { name: "a bad cursor", frame: '{"type": "join", "room": "general", "epoch": "x", "since": -1}', error: /"since" must be a whole number/, room: "general" },
    { name: "empty text", frame: '{"type": "chat", "room": "general", "id": "abcdefgh", "text": " "}', error: /"text" must not be empty/, id: "abcdefgh" },
    { name: "text over the limit", frame: JSON.stringify({ type: "chat", room: "general", id: "abcdefgh", text: "x".repeat(501) }), error: /at most 500 characters/, id: "abcdefgh" },
    { name: "typing in a room not joined", frame: '{"type": "typing", "room": "random"}', error: /join room "random" first/ },
  ];

  for (const { name, frame, error, id, room } of REFUSED) {
    test(`${name} gets an error frame and the connection stays usable`, async () => {
      const alice = await joined("Alice");
      alice.send(frame);
      await expect.poll(() => alice.framesOf("error").length).toBe(1);
      const [refusal] = alice.framesOf("error");
      expect(refusal.error).toMatch(error);
      expect(refusal.id).toBe(id);
      expect(refusal.room).toBe(room);
      alice.send({ type: "chat", room: "general", id: "still-here", text: "still here" });
      await expect.poll(() => alice.framesOf("ack").map((frame) => frame.id)).toEqual(["still-here"]);
    });
  }

  test("a frame over the size limit closes that socket with 1009, and another client notices nothing", async () => {
    const alice = await joined("Alice");
    const bob = await joined("Bob");
    alice.send(JSON.stringify({ type: "chat", room: "general", id: newId(), text: "x".repeat(MAX_FRAME_BYTES) }));
    expect((await alice.closed).code).toBe(1009);
    await expect.poll(() => bob.lastPresence("general")).toEqual(["Bob"]);
    bob.send({ type: "chat", room: "general", id: newId(), text: "still fine" });
    await expect.poll(() => bob.texts()).toEqual(["still fine"]);
    expect(bob.framesOf("error")).toEqual([]);
  });

  test("a sender over the rate limit gets error frames naming its ids", async () => {
    const flooder = await joined("Flooder");
    const ids = Array.from({ length: RATE_LIMIT_FRAMES + 5 }, () => newId());
    for (const id of ids) {
      flooder.send({ type: "chat", room: "general", id, text: "flood" });
    }
    await expect.poll(() => flooder.framesOf("ack").length + flooder.framesOf("error").length).toBe(ids.length);
    // The join counted too.
    expect(flooder.framesOf("ack")).toHaveLength(RATE_LIMIT_FRAMES - 1);
    expect(flooder.framesOf("error").map((frame) => frame.id)).toEqual(ids.slice(RATE_LIMIT_FRAMES - 1));
    expect(flooder.framesOf("error")[0].error).toMatch(/too many frames/);
  });

  test("an empty room keeps its history until its place is needed", async () => {
    const alice = await joined("Alice", "quiet-room");
    alice.send({ type: "chat", room: "quiet-room", id: "message-kept-1", text: "still here later" });
    await expect.poll(() => alice.framesOf("ack").length).toBe(1);
    alice.socket.close();
    await expect.poll(connectionCount).toBe(0);
    const back = await joined("Alice", "quiet-room");
    expect(back.framesOf("history")[0].messages.map((message) => message.text)).toEqual(["still here later"]);
  });

  test("one connection may join a bounded number of rooms, the server holds a bounded number, and empty ones make place", async () => {
    const CONNECTIONS_TO_FILL = MAX_ROOMS / MAX_ROOMS_PER_CONNECTION;
    const fillers: TestClient[] = [];
    for (let connection = 0; connection < CONNECTIONS_TO_FILL; connection += 1) {
      const client = await connect(`filler${connection}`);
      fillers.push(client);
      for (let index = 0; index < MAX_ROOMS_PER_CONNECTION; index += 1) {
        client.send({ type: "join", room: `room-${connection}-${index}`, epoch: "", since: 0 });
      }
      client.send({ type: "join", room: `one-too-many-${connection}`, epoch: "", since: 0 });
      await expect.poll(() => client.framesOf("error")).toEqual([
        { type: "error", error: `one connection may be in at most ${MAX_ROOMS_PER_CONNECTION} rooms`, room: `one-too-many-${connection}` },
      ]);
      expect(client.framesOf("history")).toHaveLength(MAX_ROOMS_PER_CONNECTION);
    }
    const late = await connect("Late");
    late.send({ type: "join", room: "a-new-room", epoch: "", since: 0 });
    await expect.poll(() => late.framesOf("error")).toEqual([{ type: "error", error: `this server has its ${MAX_ROOMS} rooms already: join one of them`, room: "a-new-room" }]);
    await late.join("room-0-0");

    // The rooms of a connection that closed have no members left: the oldest of them makes place for a new room.
    const oldRoom = fillers[1].framesOf("history").find((frame) => frame.room === "room-1-0");
    fillers[1].socket.close();
    await expect.poll(connectionCount).toBe(CONNECTIONS_TO_FILL);
    await late.join("a-new-room");

    // Created again, that room has a new epoch: the cursor of the old one gets the new history with reset.
    late.send({ type: "join", room: "room-1-0", epoch: oldRoom?.epoch ?? "", since: 0 });
    await expect.poll(() => late.framesOf("history").find((frame) => frame.room === "room-1-0")).toMatchObject({ reset: true, messages: [] });
    expect(late.framesOf("history").find((frame) => frame.room === "room-1-0")?.epoch).not.toBe(oldRoom?.epoch);
  });
});

test.describe("liveness", () => {
  test("a peer that stops answering pings is terminated and leaves its rooms", async () => {
    const healthy = await joined("Healthy");
    const silent = await joined("Silent", "general", { autoPong: false });
    await expect.poll(() => healthy.lastPresence("general")).toEqual(["Healthy", "Silent"]);
    expect((await silent.closed).code).toBe(1006);
    await expect.poll(() => healthy.lastPresence("general")).toEqual(["Healthy"]);
    // Several heartbeats later, the peer that answers its pings is still connected.
    const pingsSoFar = healthy.pings;
    await expect.poll(() => healthy.pings).toBeGreaterThanOrEqual(pingsSoFar + 3);
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
  });

  test("a client that stops reading is cut off when its buffer passes the limit", async () => {
    const MAX_MESSAGES = 20_000;
    await running.stop();
    await startWith({ maxBufferedBytes: 64 * 1024, rateLimitFrames: MAX_MESSAGES });
    const slow = await joined("Slow");
    const sender = await joined("Sender");
    await expect.poll(() => sender.lastPresence("general")).toEqual(["Sender", "Slow"]);
    slow.socket.pause();
    const text = "x".repeat(500);
    let sent = 0;
    while (sender.lastPresence("general")?.includes("Slow") && sent < MAX_MESSAGES) {
      for (let batch = 0; batch < 100; batch += 1) {
        sent += 1;
        sender.send({ type: "chat", room: "general", id: `message-${sent}`, text });
      }
      await expect.poll(() => sender.framesOf("ack").length, { timeout: 20_000 }).toBe(sent);
    }
    expect(sender.lastPresence("general")).toEqual(["Sender"]);
    expect(connectionCount()).toBe(1);
  });

  test("shutting down closes every socket with 1001 at once", async () => {
    const alice = await joined("Alice");
    const bob = await connect("Bob");
    await running.stop();
    expect(await alice.closed).toEqual({ code: 1001, reason: "the server is shutting down" });
    expect(await bob.closed).toEqual({ code: 1001, reason: "the server is shutting down" });
    await running.start();
  });
});
