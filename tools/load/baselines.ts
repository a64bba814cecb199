// Baseline servers for the load test: the same requests, streams and frames as the steps, and nothing else. No
// validation beyond what keeps them running, no security headers, no presence. Each comes in two kinds:
// - "bare": node:http (and ws) alone, in this file;
// - "express": a minimal Express app, one route per endpoint (express-baseline.ts), around the same chat.
// What a step costs beyond the bare server is the price of its framework and of its care; what it costs beyond the
// minimal Express app is the price of the lesson's code alone, measured on the same machine.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { WEBSOCKET_PATH, type ClientFrame } from "../clients/chat-socket.ts";
import { EVENTS_PATH } from "../clients/event-stream.ts";
import { MESSAGES_PATH, type Message, type Update } from "../clients/messages.ts";
import type { ProtocolName } from "../steps.ts";
import { LONG_POLL_TIMEOUT_MS } from "./protocols.ts";

// The two kinds, as tools/load/server.ts is told which to run.
export type BaselineKind = "bare" | "express";

export interface BaselineServer {
  server: http.Server;
  close(): Promise<void>;
}

const HISTORY_LIMIT = 300;
const SENDER = "Sender";

// How a kind of baseline runs the chat's HTTP side: how it answers, and what handles each request (with no chat,
// every plain request is unknown: the WebSocket baselines serve only the upgrade).
export interface Framework {
  respond: Respond;
  handler(chat: HttpChat | undefined): http.RequestListener;
}

export function createBaseline(framework: Framework, protocol: ProtocolName): BaselineServer {
  switch (protocol) {
    case "poll":
    case "longpoll":
      return serve(framework.handler(new PollingChat(protocol === "longpoll", framework.respond)));
    case "sse":
      return serve(framework.handler(new EventStreamChat(framework.respond)));
    case "websocket":
      return serveWebSocket(framework.handler(undefined));
  }
}

// The HTTP endpoints of a baseline: what each does, whatever framework runs it.
export interface HttpChat {
  readonly receivePath: string;
  receive(query: URLSearchParams, res: http.ServerResponse): void;
  post(user: string, text: string, res: http.ServerResponse): void;
}

export type Respond = (res: http.ServerResponse, status: number, json: string) => void;

// node:http alone: one function looks at the method and the path of every request.
export const BARE: Framework = {
  respond: respondBare,
  handler: (chat) =>
    function handleRequest(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (chat && req.method === "POST" && url.pathname === MESSAGES_PATH) {
        readJsonBody(req, (body) => chat.post(String(body.user), String(body.text), res));
        return;
      }
      if (chat && req.method === "GET" && url.pathname === chat.receivePath) {
        chat.receive(url.searchParams, res);
        return;
      }
      respondBare(res, 404, '{"error":"not found"}');
    },
};

function respondBare(res: http.ServerResponse, status: number, json: string): void {
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json) });
  res.end(json);
}

function readJsonBody(req: http.IncomingMessage, use: (body: { user?: unknown; text?: unknown }) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => use(JSON.parse(Buffer.concat(chunks).toString("utf8")) as { user?: unknown; text?: unknown }));
}

function serve(handler: http.RequestListener): BaselineServer {
  const server = http.createServer(handler);
  return { server, close: () => closeServer(server) };
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

  updateSince(epoch: string, since: number): Update {
    if (epoch !== this.epoch || since > this.lastId) {
      return { epoch: this.epoch, reset: true, messages: this.messages };
    }
    return { epoch: this.epoch, reset: false, messages: this.messages.filter((message) => message.id > since) };
  }
}

interface Waiter {
  since: number;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
}

// Short polling (hold false) and long polling (hold true): GET /api/messages?epoch=…&since=….
class PollingChat implements HttpChat {
  readonly receivePath = MESSAGES_PATH;
  private readonly store = new Store();
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly hold: boolean,
    private readonly respond: Respond,
  ) {}

  receive(query: URLSearchParams, res: http.ServerResponse): void {
    const epoch = query.get("epoch") ?? "";
    const since = Number(query.get("since") ?? 0);
    const update = this.store.updateSince(epoch, since);
    if (!this.hold || update.reset || update.messages.length > 0) {
      this.respond(res, 200, JSON.stringify(update));
      return;
    }
    const waiter: Waiter = {
      since,
      res,
      timer: setTimeout(() => {
        this.waiters.delete(waiter);
        this.respond(res, 200, JSON.stringify(this.store.updateSince(epoch, since)));
      }, LONG_POLL_TIMEOUT_MS),
    };
    this.waiters.add(waiter);
    res.on("close", () => {
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
    });
  }

  post(user: string, text: string, res: http.ServerResponse): void {
    const message = this.store.add(user, text);
    this.respond(res, 201, JSON.stringify(message));
    this.answerWaiters();
  }

  // Waiters with the same cursor get the same answer: it is written out once.
  private answerWaiters(): void {
    const answers = new Map<number, string>();
    for (const waiter of this.waiters) {
      let body = answers.get(waiter.since);
      if (body === undefined) {
        body = JSON.stringify(this.store.updateSince(this.store.epoch, waiter.since));
        answers.set(waiter.since, body);
      }
      clearTimeout(waiter.timer);
      this.respond(waiter.res, 200, body);
    }
    this.waiters.clear();
  }
}

// Server-Sent Events: GET /api/events, one event text written to every open stream.
class EventStreamChat implements HttpChat {
  readonly receivePath = EVENTS_PATH;
  private readonly store = new Store();
  private readonly streams = new Set<http.ServerResponse>();

  constructor(private readonly respond: Respond) {}

  receive(_query: URLSearchParams, res: http.ServerResponse): void {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.write(this.event(this.store.updateSince("", 0)));
    this.streams.add(res);
    res.on("close", () => this.streams.delete(res));
  }

  post(user: string, text: string, res: http.ServerResponse): void {
    const message = this.store.add(user, text);
    this.respond(res, 201, JSON.stringify(message));
    const event = this.event({ epoch: this.store.epoch, reset: false, messages: [message] });
    for (const stream of this.streams) {
      stream.write(event);
    }
  }

  private event(update: Update): string {
    return `id: ${this.store.epoch}:${this.store.lastId}\nevent: update\ndata: ${JSON.stringify(update)}\n\n`;
  }
}

// WebSockets with ws: "resume" gets the history, "chat" gets an ack and one JSON text sent to every socket. The
// upgrade goes to ws whatever handles the plain requests (the steps hand it to ws before Express, too).
function serveWebSocket(handler: http.RequestListener): BaselineServer {
  const store = new Store();
  const wss = new WebSocketServer({ noServer: true });
  const resumed = new Set<WebSocket>();

  function receiveFrame(socket: WebSocket, frame: ClientFrame): void {
    if (frame.type === "resume") {
      resumed.add(socket);
      socket.send(JSON.stringify({ type: "history", ...store.updateSince(frame.epoch, frame.since) }));
      return;
    }
    if (frame.type === "chat") {
      const message = store.add(SENDER, frame.text);
      socket.send(JSON.stringify({ type: "ack", ref: frame.ref, id: message.id }));
      const data = JSON.stringify({ type: "chat", message });
      for (const peer of resumed) {
        peer.send(data);
      }
    }
  }

  const server = http.createServer(handler);
  server.on("upgrade", (req, socket, head) => {
    if (!req.url?.startsWith(WEBSOCKET_PATH)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (websocket) => {
      websocket.on("message", (data) => receiveFrame(websocket, JSON.parse(data.toString()) as ClientFrame));
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

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
