// A deliberately small HTTP/1.1 client over one keep-alive TCP connection, for the load test. Thousands of
// simulated pages share a core or two with the server, so each must cost as little as possible: no agent,
// no streams, one parser for Content-Length and chunked bodies, and one request at a time per connection.
import net from "node:net";

const HEADER_END = Buffer.from("\r\n\r\n");
const LINE_END = Buffer.from("\r\n");

export interface Response {
  status: number;
  headers: Map<string, string>;
}

// What the caller wants to hear about one request. onBody gets the body in pieces as they arrive
// (an event stream never ends); onEnd comes when a Content-Length or chunked body is complete.
export interface ResponseHandler {
  onHead?(response: Response): void;
  onBody(piece: Buffer): void;
  onEnd(response: Response): void;
}

// Reads responses out of the bytes of one connection.
class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private response: Response | undefined;
  // Bytes of body still expected: of the whole body (Content-Length) or of the current chunk (chunked).
  private remaining = 0;
  private chunked = false;

  constructor(private readonly handler: () => ResponseHandler | undefined) {}

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    // Each step reads a head, a piece of body or a chunk header; stop when the buffer holds too little for one.
    let progressed = true;
    while (progressed) {
      progressed = this.step();
    }
  }

  private step(): boolean {
    if (!this.response) {
      return this.readHead();
    }
    if (this.chunked && this.remaining === 0) {
      return this.readChunkHeader();
    }
    if (this.buffer.length === 0) {
      return false;
    }
    const piece = this.buffer.subarray(0, this.remaining);
    this.buffer = this.buffer.subarray(piece.length);
    this.remaining -= piece.length;
    this.handler()?.onBody(piece);
    if (this.remaining === 0 && !this.chunked) {
      this.finish();
    }
    return true;
  }

  private readHead(): boolean {
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0) {
      return false;
    }
    const [statusLine = "", ...lines] = this.buffer.subarray(0, end).toString("latin1").split("\r\n");
    this.buffer = this.buffer.subarray(end + HEADER_END.length);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const response = { status: Number(statusLine.split(" ")[1]), headers };
    this.response = response;
    this.chunked = headers.get("transfer-encoding") === "chunked";
    this.remaining = this.chunked ? 0 : Number(headers.get("content-length") ?? 0);
    this.handler()?.onHead?.(response);
    if (!this.chunked && this.remaining === 0) {
      this.finish();
    }
    return true;
  }

  // "<size in hex>\r\n" before each chunk, "\r\n" after it; a chunk of size 0 ends the body.
  private readChunkHeader(): boolean {
    const end = this.buffer.indexOf(LINE_END);
    if (end < 0) {
      return false;
    }
    const line = this.buffer.subarray(0, end).toString("latin1");
    this.buffer = this.buffer.subarray(end + LINE_END.length);
    if (line === "") {
      return true;
    }
    this.remaining = Number.parseInt(line, 16);
    if (this.remaining === 0) {
      // The last chunk: skip the empty line after it (no trailers are used here).
      this.buffer = this.buffer.subarray(LINE_END.length);
      this.finish();
    }
    return true;
  }

  private finish(): void {
    const response = this.response as Response;
    this.response = undefined;
    this.chunked = false;
    this.handler()?.onEnd(response);
  }
}

// One connection, one request at a time. If the server closes it, the next request opens a new one;
// a request that was in progress fails with onClose, and the caller decides when to try again.
export class HttpConnection {
  private socket: net.Socket | undefined;
  private current: ResponseHandler | undefined;

  constructor(
    private readonly port: number,
    private readonly onClose: (duringRequest: boolean) => void,
  ) {}

  request(
    method: string,
    path: string,
    handler: ResponseHandler,
    body?: string,
    headers: Record<string, string> = {},
  ): void {
    const socket = this.socket ?? this.connect();
    const wrapped: ResponseHandler = {
      onHead: handler.onHead,
      onBody: handler.onBody,
      onEnd: (response) => {
        this.current = undefined;
        handler.onEnd(response);
      },
    };
    this.current = wrapped;
    let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      head += `${name}: ${value}\r\n`;
    }
    if (body !== undefined) {
      head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    }
    socket.write(`${head}\r\n${body ?? ""}`);
  }

  close(): void {
    this.socket?.destroy();
  }

  private connect(): net.Socket {
    const socket = net.connect({ port: this.port, host: "127.0.0.1", noDelay: true });
    this.socket = socket;
    // A new parser per connection: a response cut off by a closed connection must not confuse the next one.
    const parser = new ResponseParser(() => this.current);
    socket.on("data", (data: Buffer) => parser.push(data));
    socket.on("error", () => {});
    socket.on("close", () => {
      this.socket = undefined;
      const duringRequest = this.current !== undefined;
      this.current = undefined;
      this.onClose(duringRequest);
    });
    return socket;
  }
}
