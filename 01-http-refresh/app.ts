// The web server around the lesson: security headers, static files, JSON bodies, errors and shutdown.
// This file is not the lesson: it is identical in every step.
import { isUtf8 } from "node:buffer";
import http from "node:http";
import { fileURLToPath } from "node:url";
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from "express";

export interface ChatServer {
  server: http.Server;
  // Ends every open request, stream and socket, then stops listening.
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL("./public", import.meta.url));
export const MAX_BODY_BYTES = 4096;

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

function setSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  });
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

// Bytes that are not UTF-8 would silently become replacement characters (U+FFFD): refuse them with a clear reason.
function requireUtf8(_req: Request, _res: Response, body: Buffer): void {
  if (!isUtf8(body)) {
    throw Object.assign(new Error("the body is not valid UTF-8"), { status: 400 });
  }
}

// Express calls this for errors thrown by handlers and for bodies that express.json() refused.
const handleErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error.type === "entity.too.large") {
    sendError(res, 413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    return;
  }
  if (error.type === "entity.parse.failed") {
    sendError(res, 400, "the body is not valid JSON");
    return;
  }
  if (error.status >= 400 && error.status < 500) {
    sendError(res, error.status, error.message);
    return;
  }
  console.error(error);
  sendError(res, 500, "internal server error");
};

export function createApp(api: express.Router): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // An ETag means hashing every API answer, and chat answers are never reused: skip the work.
  app.set("etag", false);
  app.use(setSecurityHeaders);
  // strict: false lets any JSON value through, so our own check can say what is wrong with a JSON "hello".
  const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: false, verify: requireUtf8 });
  app.use("/api", forbidCaching, parseJson, api, handleUnknownEndpoint);
  // After the API, not before: express.static looks for a file on disk for every request it sees, and the
  // API's requests (in the polling steps, one from every page every few seconds) would each pay for a file
  // lookup that finds nothing.
  app.use(express.static(PUBLIC_DIR));
  app.use(handleErrors);
  return app;
}

export function closeHttpServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // close() alone waits for idle keep-alive connections and open requests, which can take minutes.
    server.closeAllConnections();
  });
}
