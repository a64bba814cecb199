// Steps 04 and 06: WebSockets, with the `ws` library. This file is the same in both steps: in step 04 every tab
// opens a socket of its own, in step 06 a SharedWorker opens one for all the tabs of a browser, and the server
// cannot tell the two apart.
// THE TECHNIQUE: the page opens one connection and keeps it. It starts as an HTTP request with "Upgrade: websocket";
// the server answers 101 Switching Protocols, and from then on both sides send frames whenever they like: the page
// sends chat and typing frames, the server pushes messages, presence and typing to every open page.
// An open socket is a resource the server must guard: who may open one (Origin), how big a frame may be (maxPayload),
// whether the peer is still there (ping and pong), and whether it reads as fast as we write (bufferedAmount).
// A chat frame carries a `ref` that the page draws at random and keeps if it sends the message again. The server
// remembers which message each ref became: a retry gets the same ack again, and the message is stored only once.
// The file reads top-down: createChatServer, then the handshake, the connection, the frames, and the guards last.
import http from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import express, { type Request, type Response } from "express";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import {
  closeHttpServer,
  countOtherConnections,
  createHttpServer,
  isAllowedHost,
  MAX_BODY_BYTES,
  UNKNOWN_HOST_REASON,
  type ChatServer,
} from "./app.ts";
import type { ClientFrame, ServerFrame } from "./client/protocol.ts";
import { ConnectionLimit, MAX_CONNECTIONS_PER_ADDRESS } from "./connection-limit.ts";
import { logEvent, quoted } from "./log.ts";
import { Presence } from "./presence.ts";
import { RateLimiter } from "./rate-limit.ts";
import { HISTORY_LIMIT, MessageStore } from "./store.ts";
import { checkChatInput, checkCursor, checkUserName, type Checked } from "./validation.ts";

export const WEBSOCKET_PATH = "/ws";
// The same limit as for HTTP bodies. ws closes a socket that sends a bigger frame with 1009 (message too big),
// before the server has read the frame into memory.
export const MAX_FRAME_BYTES = MAX_BODY_BYTES;
// Ping every connection this often; one that has not answered the previous ping by then is cut off, so a peer
// that vanished without closing (network gone, laptop asleep) leaves within two intervals. The pings are also
// traffic on a quiet connection: a proxy closes a connection that stays silent for 60 s (nginx's default
// proxy_read_timeout), and a ping every 30 s comes well before that.
export const HEARTBEAT_INTERVAL_MS = 30_000;
// A page that reads slower than the chat writes makes its frames pile up in the server's memory. Past this many
// bytes it is cut off. It reconnects and resumes from its cursor; a page that far behind has missed more than the
// history keeps, so it gets the history with `reset`: the newest messages, and no silent gap.
export const MAX_BUFFERED_BYTES = 1024 * 1024;
// At most RATE_LIMIT_FRAMES frames per RATE_LIMIT_WINDOW_MS from one connection: plenty for a person, not for a script.
export const RATE_LIMIT_FRAMES = 20;
export const RATE_LIMIT_WINDOW_MS = 10_000;

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

export function createChatServer({
  heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS,
  maxFrameBytes = MAX_FRAME_BYTES,
  maxBufferedBytes = MAX_BUFFERED_BYTES,
  rateLimitFrames = RATE_LIMIT_FRAMES,
  maxConnectionsPerAddress = MAX_CONNECTIONS_PER_ADDRESS,
}: WebSocketChatOptions = {}): WebSocketChatServer {
  const store = new MessageStore();
  const presence = new Presence();
  // The message id of each chat frame stored, by user and ref, for as long as the message is in the history.
  const accepted = new Map<string, number>();
  const clients = new Set<Client>();
  const connectionLimit = new ConnectionLimit(maxConnectionsPerAddress);
  // noServer: we receive the upgrade requests ourselves (handleUpgrade), so we can check them before ws accepts them.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  // One handler per frame type of protocol.ts: a new frame type there does not compile until it is handled here.
  const frameHandlers: Record<ClientFrame["type"], (client: Client, fields: Fields) => void> = { resume, chat, typing };

  // Chat goes over the WebSocket: the HTTP side serves the page, and /api only the server's own view of itself.
  const api = express.Router();
  api.get("/stats", sendStats);
  const server = createHttpServer(api);
  server.on("upgrade", handleUpgrade);
  const heartbeat = setInterval(checkHeartbeats, heartbeatIntervalMs);

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
    const client: Client = {
      socket,
      user: user.value,
      address,
      awaitingPong: false,
      resumed: false,
      frameLimit: new RateLimiter(rateLimitFrames, RATE_LIMIT_WINDOW_MS),
    };
    clients.add(client);
    socket.on("message", (data, isBinary) => receiveFrame(client, data, isBinary));
    socket.on("pong", () => {
      client.awaitingPong = false;
    });
    socket.on("close", (code, reason) => {
      forget(client);
      logClose(client, code, reason);
    });
    // Only the change goes to everyone, not the whole list: with N people online, a list to each of N pages would
    // cost N × N bytes for every newcomer. The newcomer gets the whole list once, with its history.
    if (presence.join(client.user)) {
      broadcast({ type: "joined", user: client.user });
    }
    const origin = quoted(req.headers.origin ?? "a program (no Origin)");
    logEvent("ws", `opened: ${quoted(client.user)} from ${origin} (${clients.size} open, ${socketsOf(client.user)})`);
  }

  function receiveFrame(client: Client, data: RawData, isBinary: boolean): void {
    // Every frame counts, even one that cannot be read: it cost the server as much as a good one.
    const limited = !client.frameLimit.allow(client.user);
    const frame = parseFrame(data, isBinary);
    if (!frame.ok) {
      sendTo(client, { type: "error", error: frame.error });
      return;
    }
    if (limited) {
      const { limit, windowMs } = client.frameLimit;
      sendTo(client, {
        type: "error",
        error: `too many frames: at most ${limit} every ${windowMs / 1000} s, wait a moment`,
        ref: refOf(frame.value),
      });
      return;
    }
    const { type } = frame.value;
    if (!Object.hasOwn(frameHandlers, type)) {
      const known = Object.keys(frameHandlers).join(", ");
      sendTo(client, {
        type: "error",
        error: `unknown frame type "${type}": expected one of ${known}`,
        ref: refOf(frame.value),
      });
      return;
    }
    frameHandlers[type as ClientFrame["type"]](client, frame.value);
  }

  function resume(client: Client, fields: Fields): void {
    // checkCursor reads a cursor as text, the way it arrives in a query string.
    const cursor = checkCursor(fields.epoch, String(fields.since));
    if (!cursor.ok) {
      sendTo(client, { type: "error", error: cursor.error });
      return;
    }
    client.resumed = true;
    sendTo(client, { type: "history", ...store.updateSince(cursor.value) });
    sendTo(client, { type: "presence", users: presence.users() });
  }

  function chat(client: Client, fields: Fields): void {
    const ref = refOf(fields);
    if (ref === undefined || !Number.isSafeInteger(ref)) {
      sendTo(client, { type: "error", error: '"ref" must be a whole number: the answer names it' });
      return;
    }
    const key = `${client.user}\n${ref}`;
    // A retry of a message already stored (its ack was lost, or came too late): the same ack again, nothing new.
    const storedId = accepted.get(key);
    if (storedId !== undefined) {
      sendTo(client, { type: "ack", ref, id: storedId });
      return;
    }
    const input = checkChatInput({ user: client.user, text: fields.text });
    if (!input.ok) {
      sendTo(client, { type: "error", error: input.error, ref });
      return;
    }
    const message = store.add(input.value.user, input.value.text);
    rememberAccepted(key, message.id);
    sendTo(client, { type: "ack", ref, id: message.id });
    broadcast({ type: "chat", message });
  }

  function typing(client: Client): void {
    broadcast({ type: "typing", user: client.user }, client);
  }

  // The store keeps the newest HISTORY_LIMIT messages, and their ids count up by one: the refs of older messages
  // go too, so the memory stays bounded. A Map keeps insertion order, so the oldest come first.
  function rememberAccepted(key: string, id: number): void {
    accepted.set(key, id);
    const oldestKept = store.latestId() - HISTORY_LIMIT + 1;
    for (const [oldKey, oldId] of accepted) {
      if (oldId >= oldestKept) {
        break;
      }
      accepted.delete(oldKey);
    }
  }

  function sendTo(client: Client, frame: ServerFrame): void {
    sendData(client, JSON.stringify(frame));
  }

  // One JSON text for all the pages, however many there are.
  function broadcast(frame: ServerFrame, except?: Client): void {
    const data = JSON.stringify(frame);
    for (const client of clients) {
      if (client.resumed && client !== except) {
        sendData(client, data);
      }
    }
  }

  function sendData(client: Client, data: string): void {
    if (client.socket.readyState !== WebSocket.OPEN) {
      return;
    }
    // bufferedAmount: bytes we asked to send that the network has not taken yet. A close frame would wait behind
    // all of them, so a peer this far behind is cut off at once.
    if (client.socket.bufferedAmount > maxBufferedBytes) {
      logEvent(
        "ws",
        `cut off: ${quoted(client.user)} reads too slowly (${client.socket.bufferedAmount} bytes waiting)`,
      );
      client.socket.terminate();
      return;
    }
    client.socket.send(data);
  }

  function forget(client: Client): void {
    clients.delete(client);
    connectionLimit.release(client.address);
    if (presence.leave(client.user)) {
      broadcast({ type: "left", user: client.user });
    }
  }

  function logClose(client: Client, code: number, reason: Buffer): void {
    const why = reason.length > 0 ? ` ${quoted(reason.toString())}` : "";
    logEvent(
      "ws",
      `closed: ${quoted(client.user)}, code ${code}${why} (${clients.size} open, ${socketsOf(client.user)})`,
    );
  }

  // "Alice has 2": in step 04 each tab of a user opens a socket, in step 06 a browser opens one for all its tabs.
  function socketsOf(user: string): string {
    return `${quoted(user)} has ${presence.connectionsOf(user)}`;
  }

  function checkHeartbeats(): void {
    for (const client of clients) {
      if (client.awaitingPong) {
        logEvent("ws", `terminated: ${quoted(client.user)} did not answer the last ping`);
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

  // GET /api/stats: what this server holds now (the history, the open connections, the sockets, and who is online
  // with how many sockets). The landing page of `npm run all` shows it.
  async function sendStats(_req: Request, res: Response): Promise<void> {
    const sockets = { openSockets: clients.size, usersOnline: presence.connectionsByUser() };
    res.json({ ...store.summary(), tcpConnections: await countOtherConnections(server), ...sockets });
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

  return { server, close, connectionCount: () => clients.size };
}

interface Client {
  socket: WebSocket;
  user: string;
  address: string | undefined;
  // Set when a ping goes out, cleared by the pong. Still set at the next heartbeat: the peer is gone.
  awaitingPong: boolean;
  // Live frames go only to pages that have said where they are ("resume"), so their history always comes first.
  resumed: boolean;
  // Counts this connection's frames. It is keyed by the user, but it belongs to this connection alone: another
  // connection of the same user has an allowance of its own.
  frameLimit: RateLimiter;
}

// A frame as it arrives: parsed JSON with a "type", every other field still unchecked.
type Fields = { type: string } & Record<string, unknown>;

// On shutdown, how long a peer has to answer our close frame before its connection is simply cut.
const CLOSE_TIMEOUT_MS = 1000;

// Close codes from RFC 6455, section 7.4.1. ws itself sends 1009 (message too big) for frames over maxPayload.
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;

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

function isWebSocketUpgrade(req: http.IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === "websocket";
}

// The request target as a URL, or undefined. A client can send any target ("//[", "http://a:99999/"), and
// new URL() throws on what it cannot parse: in an "upgrade" listener, that would end the whole process.
function parseTarget(req: http.IncomingMessage): URL | undefined {
  const target = req.url ?? "/";
  return URL.canParse(target, "http://localhost") ? new URL(target, "http://localhost") : undefined;
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

// Until ws takes the socket over, nobody else listens for its errors, and an unhandled error ends the process.
function destroyOnError(this: Duplex): void {
  this.destroy();
}

// ws reports protocol errors (a frame over maxPayload, a broken frame) as an "error" event and then closes the
// socket with the right code by itself. An "error" event without a listener, though, ends the whole process.
function ignoreSocketError(): void {}

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
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    Array.isArray(parsed) ||
    typeof (parsed as Fields).type !== "string"
  ) {
    return { ok: false, error: 'expected a JSON object with a "type", like {"type": "chat", "ref": 1, "text": "Hi"}' };
  }
  return { ok: true, value: parsed as Fields };
}

function refOf(fields: Fields): number | undefined {
  return typeof fields.ref === "number" ? fields.ref : undefined;
}
