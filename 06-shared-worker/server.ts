// Step 06: one WebSocket per browser, shared by its tabs through a SharedWorker. This is step 04's server, plus:
// THE TECHNIQUE (server side): rooms and acknowledgements. One socket now carries every tab of a browser, so it
// joins and leaves rooms ("join", "leave"), and every frame names its room. A chat frame carries an id chosen by
// the page; the server acknowledges it to the sender and remembers it, so a retried message is stored only once.
// An empty room keeps its history until its place is needed for a new room.
// Guarding the socket is unchanged from step 04: Origin, maxPayload, ping and pong, bufferedAmount.
import http from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import express from "express";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { closeHttpServer, createHttpServer, isAllowedHost, UNKNOWN_HOST_REASON, type ChatServer } from "./app.ts";
import type { ClientFrame, Message, ServerFrame } from "./client/protocol.ts";
import { MAX_FRAME_BYTES, ROOM_NAME, ROOM_NAME_RULE } from "./client/settings.ts";
import { ConnectionLimit, MAX_CONNECTIONS_PER_ADDRESS } from "./connection-limit.ts";
import { Presence } from "./presence.ts";
import { HISTORY_LIMIT, MessageStore } from "./store.ts";
import { checkChatInput, checkCursor, checkUserName, type Checked } from "./validation.ts";

export const LESSON = {
  title: "Step 06, one WebSocket per browser (SharedWorker and BroadcastChannel)",
  command: "npm run example6",
  tryThis: [
    "Open five tabs as Alice: the server holds one WebSocket for all of them. Open Bob in a private window: a second one.",
    "The page's Network panel shows no WebSocket: open chrome://inspect/#workers and inspect the worker to see its frames.",
    "Add ?room=random to a tab: it gets that room's messages only, over the same socket.",
  ],
};

export const WEBSOCKET_PATH = "/ws";
// MAX_FRAME_BYTES (client/settings.ts, shared with the worker): ws closes a socket that sends a bigger frame with
// 1009 (message too big), before the server has read the frame into memory.
// Ping every connection this often; one that has not answered the previous ping by then is cut off, so a peer
// that vanished without closing (network gone, laptop asleep) leaves within two intervals. The pings also keep
// proxies, which often close connections that are quiet for 60 s, from closing ours.
export const HEARTBEAT_INTERVAL_MS = 30_000;
// A page that reads slower than the chat writes makes its frames pile up in the server's memory. Past this many
// bytes it is cut off. It reconnects and resumes from its cursor; a page that far behind has missed more than the
// history keeps, so it gets the history with `reset`: the newest messages, and no silent gap.
export const MAX_BUFFERED_BYTES = 1024 * 1024;
// At most RATE_LIMIT_FRAMES frames per RATE_LIMIT_WINDOW_MS from one connection: plenty for a person, not for a script.
// One connection carries all the tabs of a browser (and their joins after a reconnect), hence more than in step 04.
export const RATE_LIMIT_FRAMES = 40;
export const RATE_LIMIT_WINDOW_MS = 10_000;
// On shutdown, how long a peer has to answer our close frame before its connection is simply cut.
const CLOSE_TIMEOUT_MS = 1000;
// Every room in use holds a history, so their number is bounded, and so is the number of rooms one connection may
// be in (every message of each of them goes down that one socket).
export const MAX_ROOMS = 100;
export const MAX_ROOMS_PER_CONNECTION = 20;
// The ids of a page's messages: long enough to be unique, short and plain enough to be a map key.
const MESSAGE_ID = /^[A-Za-z0-9-]{8,64}$/;

// Close codes from RFC 6455, section 7.4.1. ws itself sends 1009 (message too big) for frames over maxPayload.
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;

interface Client {
  socket: WebSocket;
  user: string;
  address: string | undefined;
  // Set when a ping goes out, cleared by the pong. Still set at the next heartbeat: the peer is gone.
  awaitingPong: boolean;
  // The rooms this connection has joined. Live frames of a room go only to its members, after their history.
  rooms: Set<string>;
  rateWindowStart: number;
  framesInWindow: number;
}

// A room has its own messages (and epoch), and its own list of who is in it.
interface Room {
  store: MessageStore;
  presence: Presence;
  members: Set<Client>;
  // The message stored for each chat frame, by user and page-chosen id, for as long as that message is in the
  // room's history: a retry of it gets the same ack, and no second message.
  accepted: Map<string, Message>;
}

// A frame as it arrives: parsed JSON with a "type", every other field still unchecked.
type Fields = { type: string } & Record<string, unknown>;

export interface WebSocketChatServer extends ChatServer {
  // How many WebSocket connections are open now.
  connectionCount(): number;
}

export interface WebSocketChatOptions {
  heartbeatIntervalMs?: number;
  maxFrameBytes?: number;
  maxBufferedBytes?: number;
  rateLimitFrames?: number;
  maxConnectionsPerAddress?: number;
}

function parseFrame(data: RawData, isBinary: boolean): Checked<Fields> {
  if (isBinary) {
    return { ok: false, error: "frames must be JSON text, not binary" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString());
  } catch {
    return { ok: false, error: "the frame is not valid JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || typeof (parsed as Fields).type !== "string") {
    return { ok: false, error: 'expected a JSON object with a "type", like {"type": "chat", "room": "general", "id": "k2x8f0a1", "text": "Hi"}' };
  }
  return { ok: true, value: parsed as Fields };
}

function idOf(fields: Fields): string | undefined {
  return typeof fields.id === "string" ? fields.id : undefined;
}

function roomOf(fields: Fields): string | undefined {
  return typeof fields.room === "string" ? fields.room : undefined;
}

function checkRoomName(room: unknown): Checked<string> {
  if (typeof room !== "string" || !ROOM_NAME.test(room)) {
    return { ok: false, error: `"room" must be ${ROOM_NAME_RULE}` };
  }
  return { ok: true, value: room };
}

// Cross-site WebSocket hijacking: any web page may open a WebSocket to any server, and the browser sends this
// site's cookies along. WebSockets have no CORS, so the server itself must check that the page came from here.
// Browsers always send Origin with the handshake. A request without one comes from a program (curl, a script),
// which could write any Origin it liked, so there is nothing to check. Behind a proxy that rewrites Host,
// compare with the public address of the site instead.
function isSameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) {
    return true;
  }
  return URL.canParse(origin) && new URL(origin).host === req.headers.host;
}

// The request target as a URL, or undefined. A client can send any target ("//[", "http://a:99999/"), and
// new URL() throws on what it cannot parse: in an "upgrade" listener, that would end the whole process.
function parseTarget(req: http.IncomingMessage): URL | undefined {
  const target = req.url ?? "/";
  return URL.canParse(target, "http://localhost") ? new URL(target, "http://localhost") : undefined;
}

function isWebSocketUpgrade(req: http.IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === "websocket";
}

// Before the handshake the socket is still plain HTTP: answer with a status line the client can read.
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: reason });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}

// ws reports protocol errors (a frame over maxPayload, a broken frame) as an "error" event and then closes the
// socket with the right code by itself. An "error" event without a listener, though, ends the whole process.
function ignoreSocketError(): void {}

// Until ws takes the socket over, nobody else listens for its errors, and an unhandled error ends the process.
function destroyOnError(this: Duplex): void {
  this.destroy();
}

export function createChatServer({
  heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS,
  maxFrameBytes = MAX_FRAME_BYTES,
  maxBufferedBytes = MAX_BUFFERED_BYTES,
  rateLimitFrames = RATE_LIMIT_FRAMES,
  maxConnectionsPerAddress = MAX_CONNECTIONS_PER_ADDRESS,
}: WebSocketChatOptions = {}): WebSocketChatServer {
  const rooms = new Map<string, Room>();
  const clients = new Set<Client>();
  const connectionLimit = new ConnectionLimit(maxConnectionsPerAddress);
  // noServer: we receive the upgrade requests ourselves (below), so we can check them before ws accepts them.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });

  function sendData(client: Client, data: string): void {
    if (client.socket.readyState !== WebSocket.OPEN) {
      return;
    }
    // bufferedAmount: bytes we asked to send that the network has not taken yet. A close frame would wait behind
    // all of them, so a peer this far behind is cut off at once.
    if (client.socket.bufferedAmount > maxBufferedBytes) {
      client.socket.terminate();
      return;
    }
    client.socket.send(data);
  }

  function sendTo(client: Client, frame: ServerFrame): void {
    sendData(client, JSON.stringify(frame));
  }

  // One JSON text for all the members of the room, however many there are.
  function broadcast(room: Room, frame: ServerFrame, except?: Client): void {
    const data = JSON.stringify(frame);
    for (const client of room.members) {
      if (client !== except) {
        sendData(client, data);
      }
    }
  }

  // An empty room keeps its history, for whoever comes back, until its place is needed for a new room. The oldest
  // empty room goes first. A room created again under its name has a new store, so a new epoch: a page that joins
  // with a cursor of the old room gets the new room's history with reset, never a mix of the two.
  function removeAnEmptyRoom(): boolean {
    for (const [name, room] of rooms) {
      if (room.members.size === 0) {
        rooms.delete(name);
        return true;
      }
    }
    return false;
  }

  function findOrCreateRoom(name: string): Checked<Room> {
    const existing = rooms.get(name);
    if (existing) {
      return { ok: true, value: existing };
    }
    if (rooms.size >= MAX_ROOMS && !removeAnEmptyRoom()) {
      return { ok: false, error: `this server has its ${MAX_ROOMS} rooms already: join one of them` };
    }
    const room: Room = { store: new MessageStore(), presence: new Presence(), members: new Set(), accepted: new Map() };
    rooms.set(name, room);
    return { ok: true, value: room };
  }

  // The room of a frame that needs the connection to be in it (chat, typing, leave).
  function memberRoom(client: Client, fields: Fields): Checked<{ name: string; room: Room }> {
    const name = checkRoomName(fields.room);
    if (!name.ok) {
      return name;
    }
    const room = rooms.get(name.value);
    if (!room || !client.rooms.has(name.value)) {
      return { ok: false, error: `join room "${name.value}" first` };
    }
    return { ok: true, value: { name: name.value, room } };
  }

  // A refused join names its room, so the worker can tell the tabs that show it, and only them.
  function refuseJoin(client: Client, fields: Fields, error: string): void {
    sendTo(client, { type: "error", error, room: roomOf(fields) });
  }

  function join(client: Client, fields: Fields): void {
    const name = checkRoomName(fields.room);
    if (!name.ok) {
      refuseJoin(client, fields, name.error);
      return;
    }
    // checkCursor reads a cursor as text, the way it arrives in a query string.
    const cursor = checkCursor(fields.epoch, String(fields.since));
    if (!cursor.ok) {
      refuseJoin(client, fields, cursor.error);
      return;
    }
    if (!client.rooms.has(name.value) && client.rooms.size >= MAX_ROOMS_PER_CONNECTION) {
      refuseJoin(client, fields, `one connection may be in at most ${MAX_ROOMS_PER_CONNECTION} rooms`);
      return;
    }
    const room = findOrCreateRoom(name.value);
    if (!room.ok) {
      refuseJoin(client, fields, room.error);
      return;
    }
    // History first; live frames of the room only after it, once the connection is a member.
    sendTo(client, { type: "history", room: name.value, ...room.value.store.updateSince(cursor.value) });
    if (client.rooms.has(name.value)) {
      sendTo(client, { type: "presence", room: name.value, users: room.value.presence.users() });
      return;
    }
    // Only the change goes to the others, not the whole list: with N people in the room, a list to each of N
    // connections would cost N × N bytes for every newcomer. The newcomer gets the whole list once.
    if (room.value.presence.join(client.user)) {
      broadcast(room.value, { type: "joined", room: name.value, user: client.user });
    }
    sendTo(client, { type: "presence", room: name.value, users: room.value.presence.users() });
    client.rooms.add(name.value);
    room.value.members.add(client);
  }

  function leaveRoom(client: Client, name: string, room: Room): void {
    client.rooms.delete(name);
    room.members.delete(client);
    if (room.presence.leave(client.user)) {
      broadcast(room, { type: "left", room: name, user: client.user });
    }
  }

  function leave(client: Client, fields: Fields): void {
    const member = memberRoom(client, fields);
    if (!member.ok) {
      sendTo(client, { type: "error", error: member.error });
      return;
    }
    leaveRoom(client, member.value.name, member.value.room);
  }

  // The store keeps the newest HISTORY_LIMIT messages of the room, and their ids count up by one: the ids of the
  // messages older than that go too. (Only a retry after HISTORY_LIMIT newer messages in the room would be
  // stored again.) A Map keeps insertion order, so the oldest come first.
  function rememberAccepted(room: Room, key: string, message: Message): void {
    room.accepted.set(key, message);
    const oldestKept = room.store.latestId() - HISTORY_LIMIT + 1;
    for (const [oldKey, stored] of room.accepted) {
      if (stored.id >= oldestKept) {
        break;
      }
      room.accepted.delete(oldKey);
    }
  }

  function chat(client: Client, fields: Fields): void {
    const id = idOf(fields);
    if (id === undefined || !MESSAGE_ID.test(id)) {
      sendTo(client, { type: "error", error: '"id" must be 8 to 64 letters, digits or "-", new for every message: the ack names it' });
      return;
    }
    const member = memberRoom(client, fields);
    if (!member.ok) {
      sendTo(client, { type: "error", error: member.error, id });
      return;
    }
    const { name, room } = member.value;
    const key = `${client.user}\n${id}`;
    // A retry of a message we already stored (its ack was lost, or came too late): the same ack again, nothing new.
    const stored = room.accepted.get(key);
    if (stored) {
      sendTo(client, { type: "ack", id, message: stored });
      return;
    }
    const input = checkChatInput({ user: client.user, text: fields.text });
    if (!input.ok) {
      sendTo(client, { type: "error", error: input.error, id });
      return;
    }
    const message = room.store.add(input.value.user, input.value.text);
    rememberAccepted(room, key, message);
    sendTo(client, { type: "ack", id, message });
    broadcast(room, { type: "chat", room: name, message });
  }

  function typing(client: Client, fields: Fields): void {
    const member = memberRoom(client, fields);
    if (!member.ok) {
      sendTo(client, { type: "error", error: member.error });
      return;
    }
    broadcast(member.value.room, { type: "typing", room: member.value.name, user: client.user }, client);
  }

  // One handler per frame type of protocol.ts: a new frame type there does not compile until it is handled here.
  const frameHandlers: Record<ClientFrame["type"], (client: Client, fields: Fields) => void> = { join, leave, chat, typing };

  function overRateLimit(client: Client): boolean {
    const now = Date.now();
    if (now - client.rateWindowStart >= RATE_LIMIT_WINDOW_MS) {
      client.rateWindowStart = now;
      client.framesInWindow = 0;
    }
    client.framesInWindow += 1;
    return client.framesInWindow > rateLimitFrames;
  }

  function receiveFrame(client: Client, data: RawData, isBinary: boolean): void {
    const limited = overRateLimit(client);
    const frame = parseFrame(data, isBinary);
    if (!frame.ok) {
      sendTo(client, { type: "error", error: frame.error });
      return;
    }
    if (limited) {
      const seconds = RATE_LIMIT_WINDOW_MS / 1000;
      sendTo(client, { type: "error", error: `too many frames: at most ${rateLimitFrames} every ${seconds} s, wait a moment`, id: idOf(frame.value) });
      return;
    }
    const { type } = frame.value;
    if (!Object.hasOwn(frameHandlers, type)) {
      const known = Object.keys(frameHandlers).join(", ");
      sendTo(client, { type: "error", error: `unknown frame type "${type}": expected one of ${known}`, id: idOf(frame.value) });
      return;
    }
    frameHandlers[type as ClientFrame["type"]](client, frame.value);
  }

  function forget(client: Client): void {
    clients.delete(client);
    connectionLimit.release(client.address);
    for (const name of client.rooms) {
      const room = rooms.get(name);
      if (room) {
        leaveRoom(client, name, room);
      }
    }
  }

  function acceptConnection(socket: WebSocket, req: http.IncomingMessage): void {
    // First of all, even before a refusal: a refused peer can still send a frame before our close frame reaches it.
    socket.on("error", ignoreSocketError);
    const user = checkUserName(parseTarget(req)?.searchParams.get("user"));
    if (!user.ok) {
      socket.close(CLOSE_POLICY_VIOLATION, user.error);
      return;
    }
    const address = req.socket.remoteAddress;
    if (!connectionLimit.tryOpen(address)) {
      socket.close(CLOSE_POLICY_VIOLATION, connectionLimit.reason());
      return;
    }
    const client: Client = { socket, user: user.value, address, awaitingPong: false, rooms: new Set(), rateWindowStart: Date.now(), framesInWindow: 0 };
    clients.add(client);
    socket.on("message", (data, isBinary) => receiveFrame(client, data, isBinary));
    socket.on("pong", () => {
      client.awaitingPong = false;
    });
    socket.on("close", () => forget(client));
  }

  function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", destroyOnError);
    if (!isWebSocketUpgrade(req)) {
      serveWithoutUpgrade(req, socket);
      return;
    }
    const target = parseTarget(req);
    if (target === undefined) {
      refuseUpgrade(socket, 400, "the request target is not a valid URL path");
      return;
    }
    if (target.pathname !== WEBSOCKET_PATH) {
      refuseUpgrade(socket, 404, `no WebSocket endpoint at ${target.pathname}: connect to ${WEBSOCKET_PATH}`);
      return;
    }
    if (!isAllowedHost(req.headers.host)) {
      refuseUpgrade(socket, 403, UNKNOWN_HOST_REASON);
      return;
    }
    if (!isSameOrigin(req)) {
      refuseUpgrade(socket, 403, "WebSocket connections are accepted only from this site's own pages");
      return;
    }
    socket.off("error", destroyOnError);
    wss.handleUpgrade(req, socket, head, (websocket) => acceptConnection(websocket, req));
  }

  // Node gives every request with an Upgrade header to the "upgrade" listener, whatever it asks to upgrade to:
  // `curl --http2` asks for "h2c" with an ordinary page request. That is not ours to upgrade, so it gets the plain
  // HTTP answer it would get without the header. The socket has left Node's HTTP parser: one answer, then close.
  function serveWithoutUpgrade(req: http.IncomingMessage, socket: Duplex): void {
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once("finish", () => socket.end());
    server.emit("request", req, res);
  }

  function checkHeartbeats(): void {
    for (const client of clients) {
      if (client.awaitingPong) {
        client.socket.terminate();
        continue;
      }
      client.awaitingPong = true;
      // The browser answers pings by itself: the page's code never sees them.
      client.socket.ping();
    }
  }

  async function close(): Promise<void> {
    clearInterval(heartbeat);
    for (const socket of wss.clients) {
      socket.close(CLOSE_GOING_AWAY, "the server is shutting down");
    }
    const cutStragglers = setTimeout(() => {
      for (const socket of wss.clients) {
        socket.terminate();
      }
    }, CLOSE_TIMEOUT_MS);
    await closeHttpServer(server);
    clearTimeout(cutStragglers);
  }

  // Everything goes over the WebSocket: the HTTP side only serves the page, and /api has no endpoints left.
  const server = createHttpServer(express.Router());
  server.on("upgrade", handleUpgrade);
  const heartbeat = setInterval(checkHeartbeats, heartbeatIntervalMs);
  return { server, close, connectionCount: () => clients.size };
}
