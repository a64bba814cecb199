// Step 05: Server-Sent Events.
// THE TECHNIQUE: the page opens one GET request (EventSource) and the server never finishes its answer: it writes
// an event into the open response whenever something happens. Every event has an id; when the connection breaks,
// the browser reconnects by itself and sends the last id back (Last-Event-ID), so it gets exactly what it missed.
// Sending is still a plain POST, whose message is written into every open stream.
import express, { type Request, type Response } from "express";
import { closeHttpServer, countOtherConnections, createHttpServer, sendError, type ChatServer } from "./app.ts";
import type { Online, PresenceChange, Update } from "./client/protocol.ts";
import { ConnectionLimit, MAX_CONNECTIONS_PER_ADDRESS } from "./connection-limit.ts";
import { describeUpdate, logEvent, quoted } from "./log.ts";
import { Presence } from "./presence.ts";
import { limitSenders } from "./rate-limit.ts";
import { MessageStore, type Cursor } from "./store.ts";
import { checkChatInput, checkCursor, checkUserName } from "./validation.ts";

// A stream with nothing to say still gets a comment line this often. A proxy closes a connection that stays silent
// for 60 s (nginx's default proxy_read_timeout), and a dead connection is noticed only when something is written.
export const HEARTBEAT_INTERVAL_MS = 20_000;
// Sent to the browser as `retry:`: how long it waits before it reconnects by itself after the stream broke.
export const RECONNECT_DELAY_MS = 2000;
// A page that reads slower than the chat writes makes its events pile up in the server's memory. Past this many
// bytes its stream is cut off. The browser reconnects with Last-Event-ID; a page that far behind has missed more
// than the history keeps, so it gets the history with `reset`: the newest messages, and no silent gap.
export const MAX_BUFFERED_BYTES = 1024 * 1024;
// A comment line: it starts with ":", so EventSource ignores it, but it is traffic on the connection all the same.
const HEARTBEAT_COMMENT = ": heartbeat\n\n";

interface Client {
  user: string;
  address: string | undefined;
  res: Response;
  heartbeat: NodeJS.Timeout;
}

export interface EventStreamServer extends ChatServer {
  // How many streams are open now (the tests check that none is left behind).
  connectionCount(): number;
}

export interface EventStreamOptions {
  heartbeatIntervalMs?: number;
  maxBufferedBytes?: number;
  maxConnectionsPerAddress?: number;
}

// One event in the text/event-stream format: "field: value" lines, and a blank line that ends the event.
// JSON.stringify never writes a raw line break, so the data fits on one line (a line break would end the field).
function formatEvent(name: string, id: string, data: Update | Online | PresenceChange): string {
  return `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

// The id of every event is "epoch:newest message id", a cursor the browser keeps for us and sends back
// as Last-Event-ID when it reconnects. A header we cannot read counts as no header: the whole history.
function readLastEventId(header: string | undefined): Cursor | undefined {
  if (header === undefined || !header.includes(":")) {
    return undefined;
  }
  const separator = header.lastIndexOf(":");
  const cursor = checkCursor(header.slice(0, separator), header.slice(separator + 1));
  return cursor.ok ? cursor.value : undefined;
}

export function createChatServer({
  heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS,
  maxBufferedBytes = MAX_BUFFERED_BYTES,
  maxConnectionsPerAddress = MAX_CONNECTIONS_PER_ADDRESS,
}: EventStreamOptions = {}): EventStreamServer {
  const store = new MessageStore();
  const presence = new Presence();
  const clients = new Set<Client>();
  const connectionLimit = new ConnectionLimit(maxConnectionsPerAddress);

  function eventId(): string {
    return `${store.epoch}:${store.latestId()}`;
  }

  function onlineEvent(): string {
    return formatEvent("online", eventId(), { users: presence.users() });
  }

  // Only the change goes to everyone, not the whole list: with N people online, a list to each of N streams would
  // cost N × N bytes for every newcomer. A new stream gets the whole list once, at its start.
  function presenceEvent(name: "joined" | "left", user: string): string {
    return formatEvent(name, eventId(), { user });
  }

  function sendData(client: Client, data: string): void {
    // writableLength: bytes we wrote into the response that the network has not taken yet. Ending the response
    // would wait behind all of them, so a stream this far behind is cut off at once.
    if (client.res.writableLength > maxBufferedBytes) {
      logEvent("sse", `cut off: ${quoted(client.user)} reads too slowly (${client.res.writableLength} bytes waiting)`);
      client.res.destroy();
      return;
    }
    client.res.write(data);
  }

  // The event is formatted once by the caller and the same text is written to every open stream.
  function broadcast(event: string): void {
    for (const client of clients) {
      sendData(client, event);
    }
  }

  function forget(client: Client): void {
    clearInterval(client.heartbeat);
    clients.delete(client);
    connectionLimit.release(client.address);
    if (presence.leave(client.user)) {
      broadcast(presenceEvent("left", client.user));
    }
    logEvent("sse", `closed: ${quoted(client.user)}'s stream (${clients.size} open)`);
  }

  function streamEvents(req: Request, res: Response): void {
    const user = checkUserName(req.query.user);
    if (!user.ok) {
      sendError(res, 400, user.error);
      return;
    }
    const address = req.socket.remoteAddress;
    if (!connectionLimit.tryOpen(address)) {
      sendError(res, 429, connectionLimit.reason());
      return;
    }
    res.status(200).set({
      "Content-Type": "text/event-stream",
      // no-cache: never answer from a cache. no-transform: a proxy must not compress the stream, because
      // compressing means buffering, and a buffered event arrives late or never.
      "Cache-Control": "no-cache, no-transform",
      // nginx buffers responses unless told not to; other proxies ignore this header.
      "X-Accel-Buffering": "no",
    });
    // Express answers HEAD with the GET handler. A HEAD asks for the headers only, so it must end here: held open,
    // it would count as a stream that can never receive an event, and list its user online for ever.
    if (req.method === "HEAD") {
      connectionLimit.release(address);
      res.end();
      return;
    }
    // Send the status and headers now, not with the first event: the browser reports the stream open at once.
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_DELAY_MS}\n\n`);

    // A reconnecting browser sends the id of the last event it got. From another epoch, or unreadable,
    // it gets the whole history with `reset`, like a page that has nothing yet.
    const cursor = readLastEventId(req.get("Last-Event-ID"));
    const update = cursor ? store.updateSince(cursor) : store.history();
    if (update.reset || update.messages.length > 0) {
      res.write(formatEvent("update", eventId(), update));
    }

    // A user's first stream tells the others they came online; the new stream gets the whole list, itself included.
    if (presence.join(user.value)) {
      broadcast(presenceEvent("joined", user.value));
    }
    res.write(onlineEvent());

    const client: Client = {
      user: user.value,
      address,
      res,
      heartbeat: setInterval(() => sendData(client, HEARTBEAT_COMMENT), heartbeatIntervalMs),
    };
    clients.add(client);
    const lastEventId = req.get("Last-Event-ID");
    const resumed = lastEventId === undefined ? "without Last-Event-ID" : `with Last-Event-ID ${quoted(lastEventId)}`;
    logEvent("sse", `opened: ${quoted(client.user)}, ${resumed}: ${describeUpdate(update)} (${clients.size} open)`);
    // "close" on the response fires when the client goes away (tab closed, connection lost) or the server closes it.
    // Listen on the response, not the request: the request's "close" fires as soon as its body has been read.
    res.on("close", () => forget(client));
  }

  function receiveMessage(req: Request, res: Response): void {
    const input = checkChatInput(req.body);
    if (!input.ok) {
      sendError(res, 400, input.error);
      return;
    }
    const message = store.add(input.value.user, input.value.text);
    res.status(201).json(message);
    broadcast(formatEvent("update", eventId(), { epoch: store.epoch, reset: false, messages: [message] }));
    logEvent(
      "sse",
      `POST /api/messages: ${quoted(message.user)} sent message ${message.id}, written into ${clients.size} streams`,
    );
  }

  // GET /api/stats: what this server holds now (the history, the open connections, the streams, and who is online
  // with how many streams). The landing page of `npm run all` shows it.
  async function sendStats(_req: Request, res: Response): Promise<void> {
    res.json({
      ...store.summary(),
      tcpConnections: await countOtherConnections(server),
      openStreams: clients.size,
      usersOnline: presence.connectionsByUser(),
    });
  }

  const api = express.Router();
  api.get("/events", streamEvents);
  api.post("/messages", limitSenders(), receiveMessage);
  api.get("/stats", sendStats);

  const server = createHttpServer(api);
  return { server, close: () => closeHttpServer(server), connectionCount: () => clients.size };
}
