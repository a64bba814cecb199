// The simulated pages of the load test and of the soak, one class per way of talking to the server, and the sender.
// They speak exactly what the steps' pages speak, with the protocol clients of tools/clients/ (the steps' own types),
// so the same client can load a step and its baselines.
import { StringDecoder } from "node:string_decoder";
import type { RawData, WebSocket } from "ws";
import { openChatSocket, parseServerFrame, sendFrame, type ServerFrame } from "../clients/chat-socket.ts";
import { eventData, EVENTS_PATH, eventsPath, EventStreamParser, type StreamEvent } from "../clients/event-stream.ts";
import { HttpConnection } from "../clients/http-connection.ts";
import { chatBody, Cursor, MESSAGES_PATH, updatesPath, type Message, type Update } from "../clients/messages.ts";
import type { ProtocolName } from "../steps.ts";

// Step 02's POLL_INTERVAL_MS (02-http-polling/client/chat.ts).
export const POLL_INTERVAL_MS = 3000;
// Step 03's LONG_POLL_TIMEOUT_MS (03-http-longpolling/server.ts).
export const LONG_POLL_TIMEOUT_MS = 25_000;
// After a broken connection: the pages back off with jitter; a second is enough here.
const RETRY_DELAY_MS = 1000;

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
  // Something went wrong for this client: a refused request, a cut connection, a frame it does not understand.
  onError(reason: string): void;
}

export interface LoadClient {
  start(): void;
  stop(): void;
}

// What every simulated page does with what it receives: move its cursor, note each message's arrival, and say once
// that it is connected (its first answer is the history).
abstract class SimulatedPage implements LoadClient {
  protected readonly cursor = new Cursor();
  protected stopped = false;
  private ready = false;

  constructor(
    private readonly index: number,
    protected readonly context: ClientContext,
  ) {}

  abstract start(): void;
  abstract stop(): void;

  // Returns true for the page's first answer.
  protected receiveUpdate(update: Update): boolean {
    this.cursor.apply(update);
    this.context.arrivals.record(this.index, update.messages);
    if (this.ready) {
      return false;
    }
    this.ready = true;
    this.context.onReady();
    return true;
  }

  protected receiveMessage(message: Message): void {
    this.cursor.advance(message);
    this.context.arrivals.record(this.index, [message]);
  }

  // The server cut the connection: count it, and connect again a moment later, as the pages do.
  protected reconnectLater(reason: string): void {
    if (!this.stopped) {
      this.context.onError(reason);
      setTimeout(() => this.start(), RETRY_DELAY_MS);
    }
  }
}

// Steps 02 and 03: GET /api/messages?epoch=…&since=… on one keep-alive connection. Short polling waits
// POLL_INTERVAL_MS after each answer; long polling asks again at once, since the server holds the request.
class PollingClient extends SimulatedPage {
  private readonly connection: HttpConnection;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    index: number,
    context: ClientContext,
    private readonly intervalMs: number,
  ) {
    super(index, context);
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
    this.connection.request("GET", updatesPath(this.cursor.epoch, this.cursor.since), {
      onBody: (piece) => pieces.push(piece),
      onEnd: (response) => {
        if (response.status !== 200) {
          this.context.onError(`GET ${MESSAGES_PATH} answered ${response.status}`);
          this.retry();
          return;
        }
        this.receive(JSON.parse(Buffer.concat(pieces).toString("utf8")) as Update);
      },
    });
  }

  private receive(update: Update): void {
    if (this.receiveUpdate(update)) {
      // Pages open at random moments, so their polls are spread over the interval, not all at once.
      this.timer = setTimeout(() => this.poll(), Math.random() * this.intervalMs);
    } else if (this.intervalMs === 0) {
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

  // The connection closed between two polls is simply opened again by the next poll.
  private connectionClosed(duringRequest: boolean): void {
    if (duringRequest && !this.stopped) {
      this.context.onError("the server closed a connection during a poll");
      this.retry();
    }
  }
}

// Step 05: one GET /api/events that never ends, read by the shared event-stream parser.
class EventStreamClient extends SimulatedPage {
  private readonly connection: HttpConnection;
  private readonly decoder = new StringDecoder("utf8");
  private parser = this.newParser();

  constructor(
    index: number,
    context: ClientContext,
    private readonly user: string,
  ) {
    super(index, context);
    this.connection = new HttpConnection(context.port, () => this.reconnectLater("the server closed an event stream"));
  }

  start(): void {
    // Like EventSource after a reconnect: the last event id tells the server where we are.
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (this.cursor.epoch !== "") {
      headers["Last-Event-ID"] = `${this.cursor.epoch}:${this.cursor.since}`;
    }
    this.parser = this.newParser();
    this.connection.request(
      "GET",
      eventsPath(this.user),
      {
        onHead: (response) => {
          if (response.status !== 200) {
            this.context.onError(`GET ${EVENTS_PATH} answered ${response.status}`);
          }
        },
        onBody: (piece) => this.parser.push(this.decoder.write(piece)),
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

  private newParser(): EventStreamParser {
    return new EventStreamParser({ onEvent: (event) => this.receive(event) });
  }

  // Only "update" carries messages; presence events ("online", "joined", "left") are read past.
  private receive(event: StreamEvent): void {
    if (event.event === "update") {
      this.receiveUpdate(eventData(event, "update"));
    }
  }
}

// Steps 04 and 06: one WebSocket; "resume" first, then "history" once and a "chat" frame per message.
class WebSocketClient extends SimulatedPage {
  private socket: WebSocket | undefined;

  constructor(
    index: number,
    context: ClientContext,
    private readonly user: string,
  ) {
    super(index, context);
  }

  start(): void {
    const socket = openChatSocket(this.context.port, this.user);
    this.socket = socket;
    socket.on("open", () => sendFrame(socket, { type: "resume", epoch: this.cursor.epoch, since: this.cursor.since }));
    socket.on("message", (data) => this.receive(data));
    socket.on("error", () => {});
    socket.on("close", () => this.reconnectLater("the server closed a WebSocket"));
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  private receive(data: RawData): void {
    let frame: ServerFrame;
    try {
      frame = parseServerFrame(data);
    } catch (error) {
      this.context.onError((error as Error).message);
      return;
    }
    if (frame.type === "history") {
      this.receiveUpdate(frame);
    } else if (frame.type === "chat") {
      this.receiveMessage(frame.message);
    } else if (frame.type === "error") {
      this.context.onError(`error frame: ${frame.error}`);
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
        MESSAGES_PATH,
        {
          onBody: () => {},
          onEnd: (response) => {
            failed += response.status === 201 ? 0 : 1;
          },
        },
        chatBody("Sender", text),
      );
    },
    failures: () => failed,
    close: () => connection.close(),
  };
}

// The sender hears only acks and refusals; a frame it cannot read counts as a refusal too.
function isRefusal(data: RawData): boolean {
  try {
    return parseServerFrame(data).type === "error";
  } catch {
    return true;
  }
}

// A chat frame names itself with a number (`ref`), new for every message: step 06 stores a repeated ref only once.
function webSocketSender(port: number): Sender {
  let failed = 0;
  let ref = 0;
  const socket = openChatSocket(port, "Sender");
  socket.on("message", (data) => {
    failed += isRefusal(data) ? 1 : 0;
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("open", () => {
      sendFrame(socket, { type: "resume", epoch: "", since: 0 });
      resolve();
    });
    socket.once("error", reject);
  });
  return {
    ready,
    send(text) {
      ref += 1;
      sendFrame(socket, { type: "chat", ref, text });
    },
    failures: () => failed,
    close: () => socket.terminate(),
  };
}
