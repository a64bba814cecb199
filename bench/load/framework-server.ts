// One of the servers of bench/framework-cost.ts, in a process of its own: every variant answers
// GET /api/messages with the same small JSON body; they differ only in what runs around the handler.
// Usage (by bench/framework-cost.ts, over fork): framework-server.ts <variant>
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createHttpServer } from "../../03-http-longpolling/app.ts";

const BODY = JSON.stringify({ epoch: "5d0f6d7e-5ad6-4c8e-9a53-2a1f0e0b3c11", reset: false, messages: [] });

function answerBare(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(BODY) });
  res.end(BODY);
}

function answerExpress(_req: express.Request, res: express.Response): void {
  res.type("json").send(BODY);
}

// What Express does to every request before any middleware: give req and res prototypes of its own.
const requestPrototype = Object.create(http.IncomingMessage.prototype) as object;
const responsePrototype = Object.create(http.ServerResponse.prototype) as object;

export const VARIANTS: Record<string, () => http.Server> = {
  "node:http": () => http.createServer(answerBare),
  "node:http + setPrototypeOf": () =>
    http.createServer((req, res) => {
      Object.setPrototypeOf(req, requestPrototype);
      Object.setPrototypeOf(res, responsePrototype);
      answerBare(req, res);
    }),
  "express, one route": () => {
    const app = express();
    app.set("etag", false);
    app.get("/api/messages", answerExpress);
    return http.createServer(app);
  },
  "express, the course's app.ts": () => {
    const api = express.Router();
    api.get("/messages", answerExpress);
    return createHttpServer(api);
  },
};

const create = VARIANTS[process.argv[2] ?? ""];
if (create && process.send) {
  const server = create();
  server.listen(0, "127.0.0.1", () =>
    process.send?.({ type: "listening", port: (server.address() as AddressInfo).port }),
  );
  process.on("message", (request: { type: string }) => {
    if (request.type !== "measure") {
      process.exit(0);
    }
    const cpu = process.cpuUsage();
    process.send?.({ type: "measurement", cpuMicros: cpu.user + cpu.system });
  });
  process.on("disconnect", () => process.exit(0));
}
