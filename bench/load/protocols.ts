// The simulated pages of the load test, one class per way of talking to the server, and the sender.
// They speak exactly what the steps' pages speak (the paths, cursors and frames of each step's client/chat.ts),
// so the same client can load a step and its bare baseline.
import { StringDecoder } from "node:string_decoder";
import { WebSocket } from "ws";
import { HttpConnection } from "./http-client.ts";

export type ProtocolName = "poll" | "longpoll" | "sse" | "websocket";

// How each live step talks. Step 06's worker speaks step 04's frames: one simulated client of step 06 is one
// browser, the worker's single socket.
export const STEP_PROTOCOL: Partial<Record<number, ProtocolName>> = {
  2: "poll",
  3: "longpoll",
  4: "websocket",
  5: "sse",
  6: "websocket",
};

// Step 02's POLL_INTERVAL_MS (02-http-polling/client/chat.ts).
export const POLL_INTERVAL_MS = 3000;
// Step 04's and 06's WEBSOCKET_PATH (server.ts).
export const WEBSOCKET_PATH = "/ws";
// After a broken connection: the pages back off with jitter; a second is enough here.
const RETRY_DELAY_MS = 1000;

interface Message {
  id: number;
  text: string;
}

interface Update {
  epoch: string;
  reset: boolean;
  messages: Message[];
}

// Wall-clock time in milliseconds with fractions: the sender and the clients run in different processes.
export function now(): number {
  return performance.timeOrigin + performance.now();
}

// Every load-test message says which one it is and when it was sent, so each client can compute its latency.
export function loadText(number: number, sentAt: number): string {
  return `load ${number} ${sentAt.toFixed(3)}`;
}

const LOAD_TEXT = /^load (\d+) ([\d.]+)$/;

// The first arrival of each message at each client, as a latency; NaN until it arrives.
export class Arrivals {
  readonly latencies: Float64Array;
  delivered = 0;

  constructor(
    clients: number,
    private readonly messages: number,
  ) {
    this.latencies = new Float64Array(clients * messages).fill(Number.NaN);
  }

  record(client: number, messages: Message[]): void {
    const arrivedAt = now();
    for (const message of messages) {
      const match = LOAD_TEXT.exec(message.text);
      if (!match) {
        continue;
      }
      const slot = client * this.messages + Number(match[1]);
      if (Number.isNaN(this.latencies[slot])) {
        this.latencies[slot] = arrivedAt - Number(match[2]);
        this.delivered += 1;
      }
    }
  }
}

export interface ClientContext {
  port: number;
  arrivals: Arrivals;
  // Called once per client, when it has its first answer (the history): from then on it is "connected".
  onReady(): void;
  onError(): void;
}

export interface LoadClient {
  start(): void;
  stop(): void;
}

// The epoch and newest id, as every page keeps them (step 02's and 03's `cursor`).
class Cursor {
  epoch = "";
  since = 0;

  apply(update: Update): void {
    const newest = update.messages.at(-1)?.id;
    this.since = newest ?? (update.reset ? 0 : this.since);
    this.epoch = update.epoch;
  }

  query(): string {
    return `epoch=${encodeURIComponent(this.epoch)}&since=${this.since}`;
  }
}

// Steps 02 and 03: GET /api/messages?epoch=…&since=… on one keep-alive connection. Short polling waits
// POLL_INTERVAL_MS after each answer; long polling asks again at once, since the server holds the request.
class PollingClient implements LoadClient {
  private readonly cursor = new Cursor();
  private readonly connection: HttpConnection;
  private ready = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly index: number,
    private readonly context: ClientContext,
    private readonly intervalMs: number,
  ) {
    this.connection = new HttpConnection(context.port, (duringRequest) => this.connectionClosed(duringRequest));
  }

  start(): void {
    this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.connection.close();
  }

  private poll(): void {
    const pieces: Buffer[] = [];
    this.connection.request("GET", `/api/messages?${this.cursor.query()}`, {
      onBody: (piece) => pieces.push(piece),
      onEnd: (response) => {
        if (response.status !== 200) {
          this.context.onError();
          this.retry();
          return;
        }
        this.receive(JSON.parse(Buffer.concat(pieces).toString("utf8")) as Update);
      },
    });
  }

  private receive(update: Update): void {
    this.cursor.apply(update);
    this.context.arrivals.record(this.index, update.messages);
    if (!this.ready) {
      this.ready = true;
      this.context.onReady();
      // Pages open at random moments, so their polls are spread over the interval, not all at once.
      this.timer = setTimeout(() => this.poll(), Math.random() * this.intervalMs);
      return;
    }
    if (this.intervalMs === 0) {
      this.poll();
    } else {
      this.timer = setTimeout(() => this.poll(), this.intervalMs);
    }
  }

  private retry(): void {
    if (!this.stopped) {
      this.timer = setTimeout(() => this.poll(), RETRY_DELAY_MS);
    }
  }

  private connectionClosed(duringRequest: boolean): void {
    if (duringRequest && !this.stopped) {
      this.context.onError();
      this.retry();
    }
  }
}

// Step 05: one GET /api/events that never ends; events are "id:", "event:" and "data:" lines and a blank line.
class EventStreamClient implements LoadClient {
  private readonly cursor = new Cursor();
  private readonly connection: HttpConnection;
  private readonly decoder = new StringDecoder("utf8");
  private text = "";
  private ready = false;
  private stopped = false;

  constructor(
    private readonly index: number,
    private readonly context: ClientContext,
    private readonly user: string,
  ) {
    this.connection = new HttpConnection(context.port, () => this.connectionClosed());
  }

  start(): void {
    // Like EventSource after a reconnect: the last event id tells the server where we are.
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (this.cursor.epoch !== "") {
      headers["Last-Event-ID"] = `${this.cursor.epoch}:${this.cursor.since}`;
    }
    this.text = "";
    this.connection.request(
      "GET",
      `/api/events?user=${encodeURIComponent(this.user)}`,
      {
        onHead: (response) => {
          if (response.status !== 200) {
            this.context.onError();
          }
        },
        onBody: (piece) => this.read(this.decoder.write(piece)),
        onEnd: () => {},
      },
      undefined,
      headers,
    );
  }

  stop(): void {
    this.stopped = true;
    this.connection.close();
  }

  private read(text: string): void {
    this.text += text;
    let end = this.text.indexOf("\n\n");
    while (end >= 0) {
      this.dispatch(this.text.slice(0, end));
      this.text = this.text.slice(end + 2);
      end = this.text.indexOf("\n\n");
    }
  }

  private dispatch(event: string): void {
    let name = "message";
    let data = "";
    for (const line of event.split("\n")) {
      if (line.startsWith("event: ")) {
        name = line.slice("event: ".length);
      } else if (line.startsWith("data: ")) {
        data += line.slice("data: ".length);
      }
    }
    if (name !== "update") {
      return;
    }
    const update = JSON.parse(data) as Update;
    this.cursor.apply(update);
    this.context.arrivals.record(this.index, update.messages);
    if (!this.ready) {
      this.ready = true;
      this.context.onReady();
    }
  }

  private connectionClosed(): void {
    if (!this.stopped) {
      this.context.onError();
      setTimeout(() => this.start(), RETRY_DELAY_MS);
    }
  }
}

// Steps 04 and 06: one WebSocket; "resume" first, then "history" once and a "chat" frame per message.
class WebSocketClient implements LoadClient {
  private readonly cursor = new Cursor();
  private socket: WebSocket | undefined;
  private ready = false;
  private stopped = false;

  constructor(
    private readonly index: number,
    private readonly context: ClientContext,
    private readonly user: string,
  ) {}

  start(): void {
    const { port } = this.context;
    // The server accepts WebSockets only from its own pages, so the simulated page says it is one.
    const socket = new WebSocket(`ws://127.0.0.1:${port}${WEBSOCKET_PATH}?user=${encodeURIComponent(this.user)}`, {
      origin: `http://127.0.0.1:${port}`,
      perMessageDeflate: false,
    });
    this.socket = socket;
    const resume = { type: "resume", epoch: this.cursor.epoch, since: this.cursor.since };
    socket.on("open", () => socket.send(JSON.stringify(resume)));
    socket.on("message", (data) =>
      this.receive(JSON.parse(data.toString()) as { type: string; message?: Message } & Update),
    );
    socket.on("error", () => {});
    socket.on("close", () => this.connectionClosed());
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  private receive(frame: { type: string; message?: Message } & Update): void {
    if (frame.type === "history") {
      this.cursor.apply(frame);
      this.context.arrivals.record(this.index, frame.messages);
      if (!this.ready) {
        this.ready = true;
        this.context.onReady();
      }
    } else if (frame.type === "chat" && frame.message) {
      this.cursor.apply({ epoch: this.cursor.epoch, reset: false, messages: [frame.message] });
      this.context.arrivals.record(this.index, [frame.message]);
    }
  }

  private connectionClosed(): void {
    if (!this.stopped) {
      this.context.onError();
      setTimeout(() => this.start(), RETRY_DELAY_MS);
    }
  }
}

// The simulated pages share a few user names by default (--names), as a class does. With thousands of distinct
// names, the connect phase measures presence: each new name is one small "joined" to every page already there,
// and its own page gets the whole list ("Sent while connecting" in the table).
export const DEFAULT_USER_NAMES = 10;

// `slot` is the client's place in its process's Arrivals; `number` counts the clients of all processes.
export function createClient(
  protocol: ProtocolName,
  slot: number,
  number: number,
  userNames: number,
  context: ClientContext,
): LoadClient {
  const user = `load-${number % userNames}`;
  switch (protocol) {
    case "poll":
      return new PollingClient(slot, context, POLL_INTERVAL_MS);
    case "longpoll":
      return new PollingClient(slot, context, 0);
    case "sse":
      return new EventStreamClient(slot, context, user);
    case "websocket":
      return new WebSocketClient(slot, context, user);
  }
}

// The one user who talks: a POST per message, or a chat frame on its own WebSocket.
export interface Sender {
  // Resolves when the sender can send (its WebSocket is open).
  ready: Promise<void>;
  send(text: string): void;
  // Messages the server refused or could not take.
  failures(): number;
  close(): void;
}

export function createSender(protocol: ProtocolName, port: number): Sender {
  if (protocol === "websocket") {
    return webSocketSender(port);
  }
  return httpSender(port);
}

function httpSender(port: number): Sender {
  let failed = 0;
  const connection = new HttpConnection(port, (duringRequest) => {
    failed += duringRequest ? 1 : 0;
  });
  return {
    ready: Promise.resolve(),
    send(text) {
      connection.request(
        "POST",
        "/api/messages",
        {
          onBody: () => {},
          onEnd: (response) => {
            failed += response.status === 201 ? 0 : 1;
          },
        },
        JSON.stringify({ user: "Sender", text }),
      );
    },
    failures: () => failed,
    close: () => connection.close(),
  };
}

// A chat frame names itself with a number (`ref`), new for every message: step 06 stores a repeated ref only once.
function webSocketSender(port: number): Sender {
  let failed = 0;
  let ref = 0;
  const socket = new WebSocket(`ws://127.0.0.1:${port}${WEBSOCKET_PATH}?user=Sender`, {
    origin: `http://127.0.0.1:${port}`,
    perMessageDeflate: false,
  });
  socket.on("message", (data) => {
    failed += (JSON.parse(data.toString()) as { type: string }).type === "error" ? 1 : 0;
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("open", () => {
      socket.send(JSON.stringify({ type: "resume", epoch: "", since: 0 }));
      resolve();
    });
    socket.once("error", reject);
  });
  return {
    ready,
    send(text) {
      ref += 1;
      socket.send(JSON.stringify({ type: "chat", ref, text }));
    },
    failures: () => failed,
    close: () => socket.terminate(),
  };
}
