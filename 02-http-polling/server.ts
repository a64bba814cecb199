// Step 02: short polling.
// THE TECHNIQUE: the page asks every few seconds "anything after message N of epoch E?" and the server
// answers at once, usually with nothing. Sending is still a plain POST.
import express, { type Request, type Response } from "express";
import { closeHttpServer, countOtherConnections, createHttpServer, sendError, type ChatServer } from "./app.ts";
import { describeUpdate, logEvent, quoted } from "./log.ts";
import { limitSenders } from "./rate-limit.ts";
import { MessageStore } from "./store.ts";
import { checkChatInput, checkCursor } from "./validation.ts";

export function createChatServer(): ChatServer {
  const store = new MessageStore();

  // The cursor says what the page already has; the answer is only what is newer (or everything, with reset).
  function sendUpdate(req: Request, res: Response): void {
    const cursor = checkCursor(req.query.epoch, req.query.since);
    if (!cursor.ok) {
      sendError(res, 400, cursor.error);
      return;
    }
    const update = store.updateSince(cursor.value);
    res.json(update);
    logEvent("poll", `after message ${cursor.value.since}: ${describeUpdate(update)}`);
  }

  function receiveMessage(req: Request, res: Response): void {
    const input = checkChatInput(req.body);
    if (!input.ok) {
      sendError(res, 400, input.error);
      return;
    }
    const message = store.add(input.value.user, input.value.text);
    res.status(201).json(message);
    logEvent(
      "http",
      `POST /api/messages: ${quoted(message.user)} sent message ${message.id}; the pages get it at their next poll`,
    );
  }

  // GET /api/stats: what this server holds now (the history and the open connections).
  // The landing page of `npm run all` shows it.
  async function sendStats(_req: Request, res: Response): Promise<void> {
    res.json({ ...store.summary(), tcpConnections: await countOtherConnections(server) });
  }

  const api = express.Router();
  api.get("/messages", sendUpdate);
  api.post("/messages", limitSenders(), receiveMessage);
  api.get("/stats", sendStats);

  const server = createHttpServer(api);
  return { server, close: () => closeHttpServer(server) };
}
