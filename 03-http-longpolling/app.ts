// The web server around the lesson: security headers, static files, JSON bodies, errors and shutdown.
// This file is not the lesson: it is identical in every step.
import { isUtf8 } from "node:buffer";
import http from "node:http";
import os from "node:os";
import { fileURLToPath } from "node:url";
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from "express";

export interface ChatServer {
  server: http.Server;
  // Ends every open request, stream and socket, then stops listening.
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL("./public", import.meta.url));
export const MAX_BODY_BYTES = 4096;
// Where the server listens. Only this machine can connect by default, as with most development servers;
// HOST=0.0.0.0 shares it with the local network (for a class that connects to the lecturer's laptop).
export const LISTEN_HOST = process.env.HOST ?? "127.0.0.1";
// Node gives a client 60 s to send its headers and 300 s for the whole request: long enough for one client to hold
// connections open while sending nothing. These limits end at the last byte of the request, so a long poll, an event
// stream or a WebSocket that stays open after it is not cut.
export const HEADERS_TIMEOUT_MS = 5000;
export const REQUEST_TIMEOUT_MS = 10_000;
// How often Node checks those two timeouts (30 s by default, which would let a slow request live 35 s).
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

// Only our own scripts, styles and connections: even if a message slipped into the page as HTML, it could not run.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
// A JSON answer or an event stream is never a page, so a policy that allows nothing is all it needs. It also keeps
// every poll's headers short: the page's policy is about 250 bytes.
const API_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

// DNS rebinding: a site can make its own name point to 127.0.0.1, and its page can then talk to this server as if
// from the same origin, because the browser only compares names. That page's requests still carry the attacker's
// name in the Host header, so the server answers only to the names it really has.
const ALWAYS_LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);
const ALLOWED_HOST_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", ...sharedHostNames()]);

// With HOST set to a network address, the names a classmate may use: the machine's name and its addresses.
function sharedHostNames(): string[] {
  if (ALWAYS_LOCAL_HOSTS.has(LISTEN_HOST)) {
    return [];
  }
  const addresses = Object.values(os.networkInterfaces()).flatMap((entries) => entries ?? []);
  const written = addresses.map((entry) => (entry.family === "IPv6" ? `[${entry.address}]` : entry.address));
  return [LISTEN_HOST, os.hostname(), `${os.hostname()}.local`, ...written].map((name) => name.toLowerCase());
}

export function isAllowedHost(host: string | undefined): boolean {
  if (host === undefined || !URL.canParse(`http://${host}`)) {
    return false;
  }
  return ALLOWED_HOST_NAMES.has(new URL(`http://${host}`).hostname);
}

export const UNKNOWN_HOST_REASON =
  "this server answers only to its own names (localhost, 127.0.0.1); start it with HOST=0.0.0.0 to share it";

function refuseUnknownHosts(req: Request, res: Response, next: NextFunction): void {
  if (isAllowedHost(req.headers.host)) {
    next();
    return;
  }
  sendError(res, 403, UNKNOWN_HOST_REASON);
}

function setPageHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  });
  next();
}

function setApiHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({ "Content-Security-Policy": API_SECURITY_POLICY, "X-Content-Type-Options": "nosniff" });
  next();
}

// Chat data changes all the time: no browser or proxy may answer from a cache.
function forbidCaching(_req: Request, res: Response, next: NextFunction): void {
  res.set("Cache-Control", "no-store");
  next();
}

export function sendError(res: Response, status: number, reason: string): void {
  res.status(status).json({ error: reason });
}

function handleUnknownEndpoint(req: Request, res: Response): void {
  sendError(res, 404, `no such endpoint: ${req.method} ${req.originalUrl}`);
}

// The body of an API request, read by hand rather than with express.json(): that one reads a body over its limit
// to the very end before it answers, so a client that announces a terabyte keeps the server reading for as long
// as it sends. Here the answer comes as soon as the limit is passed, and the connection is closed. Every body is
// read within the limit, JSON or not, so that no body is left for Node to read to its end after the answer.
function readBody(req: Request, res: Response, next: NextFunction): void {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
    refuseLargeBody(res);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      refuseLargeBody(res);
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (res.headersSent) {
      return;
    }
    if (req.is("application/json")) {
      parseJsonBody(req, res, next, Buffer.concat(chunks));
      return;
    }
    next();
  });
}

function parseJsonBody(req: Request, res: Response, next: NextFunction, body: Buffer): void {
  // Bytes that are not UTF-8 would silently become replacement characters (U+FFFD): refuse them with a clear reason.
  if (!isUtf8(body)) {
    sendError(res, 400, "the body is not valid UTF-8");
    return;
  }
  try {
    // Any JSON value, not only an object: the handler's own check can then say what is wrong with a JSON "hello".
    req.body = JSON.parse(body.toString("utf8"));
  } catch {
    sendError(res, 400, "the body is not valid JSON");
    return;
  }
  next();
}

function refuseLargeBody(res: Response): void {
  if (res.headersSent) {
    return;
  }
  // Without "Connection: close" Node would go on reading the rest of the body, to reuse the connection.
  res.set("Connection", "close");
  sendError(res, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
}

// Express calls this for errors thrown by handlers.
const handleErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error.status >= 400 && error.status < 500) {
    sendError(res, error.status, error.message);
    return;
  }
  console.error(error);
  sendError(res, 500, "internal server error");
};

// The web server of a step: its API under /api, its page, and the limits above.
export function createHttpServer(api: express.Router): http.Server {
  const options = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  return http.createServer(options, createApp(api));
}

function createApp(api: express.Router): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // An ETag means hashing every API answer, and chat answers are never reused: skip the work.
  app.set("etag", false);
  app.use(refuseUnknownHosts);
  app.use("/api", setApiHeaders, forbidCaching, readBody, api, handleUnknownEndpoint);
  // After the API, not before: express.static looks for a file on disk for every request it sees, and the
  // API's requests (in the polling steps, one from every page every few seconds) would each pay for a file
  // lookup that finds nothing.
  app.use(setPageHeaders, express.static(PUBLIC_DIR));
  app.use(handleErrors);
  return app;
}

// The TCP connections open to this server now, not counting the one that asks (GET /api/stats): each carries a
// page's request, poll, stream or socket, or is a browser's idle keep-alive connection waiting for the next request.
export function countOtherConnections(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.getConnections((error, count) => (error ? reject(error) : resolve(Math.max(0, count - 1))));
  });
}

export function closeHttpServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // close() alone waits for idle keep-alive connections and open requests, which can take minutes.
    server.closeAllConnections();
  });
}
