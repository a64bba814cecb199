// Bare servers for the load test: the same requests, streams and frames as the steps, with nothing else.
// No Express, no validation beyond what keeps them running, no security headers, no presence. What a step
// costs beyond its baseline is the price of its framework and of its care, measured on the same machine.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import type { ProtocolName } from "./protocols.ts";
import { WEBSOCKET_PATH } from "./protocols.ts";

interface Message {
  id: number;
  user: string;
  text: string;
  ts: number;
}

// Step 03's LONG_POLL_TIMEOUT_MS.
const LONG_POLL_TIMEOUT_MS = 25_000;
const HISTORY_LIMIT = 300;

export interface BareServer {
  server: http.Server;
  close(): Promise<void>;
}

// The message store of the steps, cut to what the protocol needs.
class Store {
  readonly epoch = randomUUID();
  readonly messages: Message[] = [];
  lastId = 0;

  add(user: string, text: string): Message {
    this.lastId += 1;
    const message = { id: this.lastId, user, text, ts: Date.now() };
    this.messages.push(message);
    if (this.messages.length > HISTORY_LIMIT) {
      this.messages.shift();
    }
    return message;
  }

  updateSince(epoch: string, since: number): { epoch: string; reset: boolean; messages: Message[] } {
    if (epoch !== this.epoch || since > this.lastId) {
      return { epoch: this.epoch, reset: true, messages: this.messages };
    }
    return { epoch: this.epoch, reset: false, messages: this.messages.filter((message) => message.id > since) };
  }
}

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: http.IncomingMessage, use: (body: { user?: unknown; text?: unknown }) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => use(JSON.parse(Buffer.concat(chunks).toString("utf8")) as { user?: unknown; text?: unknown }));
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// Short polling (poll) and long polling (longpoll) over node:http.
function createPollingServer(hold: boolean): BareServer {
  const store = new Store();
  const waiters = new Set<{ since: number; res: http.ServerResponse; timer: NodeJS.Timeout }>();

  function answerWaiters(): void {
    const answers = new Map<number, string>();
    for (const waiter of waiters) {
      let body = answers.get(waiter.since);
      if (body === undefined) {
        body = JSON.stringify(store.updateSince(store.epoch, waiter.since));
        answers.set(waiter.since, body);
      }
      clearTimeout(waiter.timer);
      sendJson(waiter.res, 200, body);
    }
    waiters.clear();
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST" && url.pathname === "/api/messages") {
      readBody(req, (body) => {
        const message = store.add(String(body.user), String(body.text));
        sendJson(res, 201, JSON.stringify(message));
        answerWaiters();
      });
      return;
    }
    if (req.method !== "GET" || url.pathname !== "/api/messages") {
      sendJson(res, 404, '{"error":"not found"}');
      return;
    }
    const epoch = url.searchParams.get("epoch") ?? "";
    const since = Number(url.searchParams.get("since") ?? 0);
    const update = store.updateSince(epoch, since);
    if (!hold || update.reset || update.messages.length > 0) {
      sendJson(res, 200, JSON.stringify(update));
      return;
    }
    const waiter = {
      since,
      res,
      timer: setTimeout(() => {
        waiters.delete(waiter);
        sendJson(res, 200, JSON.stringify(store.updateSince(epoch, since)));
      }, LONG_POLL_TIMEOUT_MS),
    };
    waiters.add(waiter);
    res.on("close", () => {
      clearTimeout(waiter.timer);
      waiters.delete(waiter);
    });
  }

  const server = http.createServer(handle);
  return { server, close: () => closeServer(server) };
}

// Server-Sent Events over node:http: one event text, written to every open stream.
function createEventStreamServer(): BareServer {
  const store = new Store();
  const streams = new Set<http.ServerResponse>();

  function event(update: object): string {
    return `id: ${store.epoch}:${store.lastId}\nevent: update\ndata: ${JSON.stringify(update)}\n\n`;
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST" && url.pathname === "/api/messages") {
      readBody(req, (body) => {
        const message = store.add(String(body.user), String(body.text));
        sendJson(res, 201, JSON.stringify(message));
        const text = event({ epoch: store.epoch, reset: false, messages: [message] });
        for (const stream of streams) {
          stream.write(text);
        }
      });
      return;
    }
    if (req.method !== "GET" || url.pathname !== "/api/events") {
      sendJson(res, 404, '{"error":"not found"}');
      return;
    }
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.write(event(store.updateSince("", 0)));
    streams.add(res);
    res.on("close", () => streams.delete(res));
  }

  const server = http.createServer(handle);
  return { server, close: () => closeServer(server) };
}

// WebSockets with ws: "resume" gets the history, "chat" gets an ack and one JSON text sent to every socket.
function createWebSocketServer(): BareServer {
  const store = new Store();
  const wss = new WebSocketServer({ noServer: true });
  const resumed = new Set<WebSocket>();

  function receive(socket: WebSocket, frame: Record<string, unknown>): void {
    if (frame.type === "resume") {
      resumed.add(socket);
      socket.send(JSON.stringify({ type: "history", ...store.updateSince(String(frame.epoch), Number(frame.since)) }));
      return;
    }
    if (frame.type === "chat") {
      const message = store.add("Sender", String(frame.text));
      socket.send(JSON.stringify({ type: "ack", ref: frame.ref, id: message.id }));
      const data = JSON.stringify({ type: "chat", message });
      for (const peer of resumed) {
        peer.send(data);
      }
    }
  }

  const server = http.createServer((_req, res) => sendJson(res, 404, '{"error":"not found"}'));
  server.on("upgrade", (req, socket, head) => {
    if (!req.url?.startsWith(WEBSOCKET_PATH)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (websocket) => {
      websocket.on("message", (data) => receive(websocket, JSON.parse(data.toString()) as Record<string, unknown>));
      websocket.on("close", () => resumed.delete(websocket));
    });
  });
  return {
    server,
    close: () => {
      for (const socket of wss.clients) {
        socket.terminate();
      }
      return closeServer(server);
    },
  };
}

export function createBaseline(protocol: ProtocolName): BareServer {
  switch (protocol) {
    case "poll":
      return createPollingServer(false);
    case "longpoll":
      return createPollingServer(true);
    case "sse":
      return createEventStreamServer();
    case "websocket":
      return createWebSocketServer();
  }
}
