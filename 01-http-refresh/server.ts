// Step 01: HTTP with manual refresh.
// THE TECHNIQUE: plain request and response. The page asks for the history once, when it loads,
// and sends with a POST. The server cannot tell a page that something new has happened.
import express, { type Request, type Response } from "express";
import { closeHttpServer, countOtherConnections, createHttpServer, sendError, type ChatServer } from "./app.ts";
import { describeUpdate, logEvent, quoted } from "./log.ts";
import { limitSenders } from "./rate-limit.ts";
import { MessageStore } from "./store.ts";
import { checkChatInput } from "./validation.ts";

export function createChatServer(): ChatServer {
  const store = new MessageStore();

  function sendHistory(_req: Request, res: Response): void {
    const history = store.history();
    res.json(history);
    logEvent("http", `GET /api/messages: ${describeUpdate(history)}`);
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
      `POST /api/messages: ${quoted(message.user)} sent message ${message.id}; the other pages see it when they reload`,
    );
  }

  // GET /api/stats: what this server holds now (the history and the open connections).
  // The landing page of `npm run all` shows it.
  async function sendStats(_req: Request, res: Response): Promise<void> {
    res.json({ ...store.summary(), tcpConnections: await countOtherConnections(server) });
  }

  const api = express.Router();
  api.get("/messages", sendHistory);
  api.post("/messages", limitSenders(), receiveMessage);
  api.get("/stats", sendStats);

  const server = createHttpServer(api);
  return { server, close: () => closeHttpServer(server) };
}
