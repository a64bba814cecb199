// A client for text/event-stream that is not a browser: node:http and a small parser written from the spec
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation), so the server
// tests check what is on the wire, not what EventSource makes of it. It never reconnects by itself.
import http from "node:http";

export interface StreamEvent {
  // The last id the stream set, as EventSource would send it back in Last-Event-ID.
  id: string;
  event: string;
  data: string;
}

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

  private lastEventId = "";
  private eventType = "";
  private dataLines: string[] = [];
  private unfinishedLine = "";

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
  data<T>(name: string): T[] {
    return this.events.filter((event) => event.event === name).map((event) => JSON.parse(event.data) as T);
  }

  close(): void {
    this.outgoing.destroy();
  }

  // Our server ends lines with "\n" only (the spec also allows "\r\n" and "\r"), so this splits on "\n".
  private receive(chunk: string): void {
    this.text += chunk;
    const lines = (this.unfinishedLine + chunk).split("\n");
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
      this.comments.push(line.slice(1).trim());
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
      this.retry = Number(value);
    }
  }

  // A blank line ends an event. One without data lines is not dispatched (its id still counts, as in the spec).
  private dispatch(): void {
    if (this.dataLines.length > 0) {
      this.events.push({ id: this.lastEventId, event: this.eventType || "message", data: this.dataLines.join("\n") });
    }
    this.eventType = "";
    this.dataLines = [];
  }
}
