// The one client of text/event-stream that is not a browser (step 05's stream), used by the tests, the load test and
// the reliability suite. A small parser written from the spec
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation), so that the tests
// check what is on the wire, not what EventSource makes of it; and a node:http client that never reconnects by itself.
import http from "node:http";
import type { Online, PresenceChange, Update } from "../../05-sse/client/protocol.ts";

// The path of the stream, and the data of each named event that step 05 sends on it.
export const EVENTS_PATH = "/api/events";

export interface ChatEvents {
  update: Update;
  online: Online;
  joined: PresenceChange;
  left: PresenceChange;
}

export interface StreamEvent {
  // The last id the stream set, as EventSource would send it back in Last-Event-ID.
  id: string;
  event: string;
  data: string;
}

export interface StreamHandlers {
  onEvent(event: StreamEvent): void;
  onComment?(text: string): void;
  onRetry?(ms: number): void;
}

// The path that opens a stream for `user`.
export function eventsPath(user: string): string {
  return `${EVENTS_PATH}?user=${encodeURIComponent(user)}`;
}

// The data of a chat event, parsed as JSON and typed by its name. Throws when the event has another name.
export function eventData<Name extends keyof ChatEvents>(event: StreamEvent, name: Name): ChatEvents[Name] {
  if (event.event !== name) {
    throw new Error(`expected a "${name}" event, got "${event.event}"`);
  }
  return JSON.parse(event.data) as ChatEvents[Name];
}

// Reads the text of a stream, given in pieces as they arrive, and calls the handlers for every event, comment and
// retry in it.
export class EventStreamParser {
  private lastEventId = "";
  private eventType = "";
  private dataLines: string[] = [];
  private unfinishedLine = "";

  constructor(private readonly handlers: StreamHandlers) {}

  // Our server ends lines with "\n" only (the spec also allows "\r\n" and "\r"), so this splits on "\n".
  push(text: string): void {
    const lines = (this.unfinishedLine + text).split("\n");
    this.unfinishedLine = lines.pop() ?? "";
    for (const line of lines) {
      this.interpret(line);
    }
  }

  private interpret(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) {
      this.handlers.onComment?.(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) {
      value = value.slice(1);
    }
    if (field === "id" && !value.includes("\0")) {
      this.lastEventId = value;
    } else if (field === "event") {
      this.eventType = value;
    } else if (field === "data") {
      this.dataLines.push(value);
    } else if (field === "retry" && /^\d+$/.test(value)) {
      this.handlers.onRetry?.(Number(value));
    }
  }

  // A blank line ends an event. One without data lines is not dispatched (its id still counts, as in the spec).
  private dispatch(): void {
    if (this.dataLines.length > 0) {
      this.handlers.onEvent({
        id: this.lastEventId,
        event: this.eventType || "message",
        data: this.dataLines.join("\n"),
      });
    }
    this.eventType = "";
    this.dataLines = [];
  }
}

// One stream over node:http, for the tests: it keeps every event and comment it received.
export class EventStream {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  // Everything received, unparsed (for an answer that is not a stream, this is its body).
  text = "";
  // Resolves when the server ends the response or the connection closes.
  readonly ended: Promise<void>;
  // Set when the connection broke before the response was complete (our close() or the server going away).
  failure: Error | undefined;

  private readonly parser = new EventStreamParser({
    onEvent: (event) => this.events.push(event),
    onComment: (text) => this.comments.push(text),
    onRetry: (ms) => (this.retry = ms),
  });

  private constructor(
    private readonly outgoing: http.ClientRequest,
    readonly response: http.IncomingMessage,
  ) {
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => this.receive(chunk));
    response.once("error", (error) => (this.failure = error));
    this.ended = new Promise((resolve) => response.once("close", resolve));
  }

  // Resolves once the status and headers have arrived.
  static open(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const outgoing = http.request(url, { headers: { Accept: "text/event-stream", ...headers }, agent: false });
      outgoing.once("error", reject);
      outgoing.once("response", (response) => resolve(new EventStream(outgoing, response)));
      outgoing.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  // The events whose type is `name`, with their data parsed as JSON.
  data<Name extends keyof ChatEvents>(name: Name): ChatEvents[Name][] {
    return this.events.filter((event) => event.event === name).map((event) => eventData(event, name));
  }

  close(): void {
    this.outgoing.destroy();
  }

  private receive(chunk: string): void {
    this.text += chunk;
    this.parser.push(chunk);
  }
}
