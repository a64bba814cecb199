// Step 03: long polling.
// THE TECHNIQUE: the page asks "anything after message N of epoch E?" and, when there is nothing yet, the server
// does not answer: it keeps the request open until a newer message arrives or LONG_POLL_TIMEOUT_MS pass.
// Sending is still a plain POST, which answers every waiting request.
import express, { type Request, type Response } from "express";
import { closeHttpServer, countOtherConnections, createHttpServer, sendError, type ChatServer } from "./app.ts";
import { describeUpdate, logEvent, quoted } from "./log.ts";
import { limitSenders } from "./rate-limit.ts";
import { MessageStore, type Cursor } from "./store.ts";
import { checkChatInput, checkCursor } from "./validation.ts";

// A proxy closes a connection that stays silent for 60 s (nginx's default proxy_read_timeout): 25 s is well below
// that, so the server always answers before a proxy cuts the request.
export const LONG_POLL_TIMEOUT_MS = 25_000;

interface Waiter {
  cursor: Cursor;
  res: Response;
  timer: NodeJS.Timeout;
  // When the request began to wait (Date.now()), for the console.
  startedAt: number;
}

export interface LongPollServer extends ChatServer {
  // How many requests are being held open now (the tests check that none is left behind).
  waitingCount(): number;
}

export function createChatServer({ longPollTimeoutMs = LONG_POLL_TIMEOUT_MS } = {}): LongPollServer {
  const store = new MessageStore();
  const waiters = new Set<Waiter>();

  function forget(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiters.delete(waiter);
  }

  function answer(waiter: Waiter, body: string): void {
    forget(waiter);
    waiter.res.type("json").send(body);
  }

  function answerWithNothingNew(waiter: Waiter): void {
    answer(waiter, JSON.stringify(store.updateSince(waiter.cursor)));
    logEvent("long-poll", `answered at the timeout, ${timeWaited(waiter)}: nothing new; the page asks again at once`);
  }

  function timeWaited(waiter: Waiter): string {
    return `after ${((Date.now() - waiter.startedAt) / 1000).toFixed(1)} s`;
  }

  // "close" also fires after we answer; a waiter still in the set was not answered: its page went away.
  function forgetIfAbandoned(waiter: Waiter): void {
    if (!waiters.has(waiter)) {
      return;
    }
    forget(waiter);
    logEvent("long-poll", `abandoned ${timeWaited(waiter)}: the page went away (${waiters.size} waiting)`);
  }

  function waitForUpdate(req: Request, res: Response): void {
    const cursor = checkCursor(req.query.epoch, req.query.since);
    if (!cursor.ok) {
      sendError(res, 400, cursor.error);
      return;
    }
    // A page that is behind (or comes from another epoch) gets its answer at once: waiting would lose messages.
    const update = store.updateSince(cursor.value);
    if (update.reset || update.messages.length > 0) {
      res.json(update);
      logEvent("long-poll", `answered at once, the page was behind: ${describeUpdate(update)}`);
      return;
    }
    const timer = setTimeout(() => answerWithNothingNew(waiter), longPollTimeoutMs);
    const waiter: Waiter = { cursor: cursor.value, res, timer, startedAt: Date.now() };
    waiters.add(waiter);
    // "close" on the response fires when the client goes away (tab closed, request aborted) and after we answer.
    // Listen on the response, not the request: the request's "close" fires as soon as its body has been read.
    res.on("close", () => forgetIfAbandoned(waiter));
    logEvent("long-poll", `held: waiting for a message after ${cursor.value.since} (${waiters.size} waiting)`);
  }

  // Every waiter is at the newest id (or it would have been answered at once), so most share a cursor:
  // build each distinct answer once, not once per waiting page.
  function wakeWaiters(): void {
    logEvent("long-poll", `a new message answers the ${waiters.size} waiting requests`);
    const answers = new Map<number, string>();
    for (const waiter of waiters) {
      let body = answers.get(waiter.cursor.since);
      if (body === undefined) {
        body = JSON.stringify(store.updateSince(waiter.cursor));
        answers.set(waiter.cursor.since, body);
      }
      answer(waiter, body);
    }
  }

  function receiveMessage(req: Request, res: Response): void {
    const input = checkChatInput(req.body);
    if (!input.ok) {
      sendError(res, 400, input.error);
      return;
    }
    const message = store.add(input.value.user, input.value.text);
    res.status(201).json(message);
    logEvent("http", `POST /api/messages: ${quoted(message.user)} sent message ${message.id}`);
    wakeWaiters();
  }

  // GET /api/stats: what this server holds now (the history, the open connections and the polls it holds).
  // The landing page of `npm run all` shows it.
  async function sendStats(_req: Request, res: Response): Promise<void> {
    res.json({ ...store.summary(), tcpConnections: await countOtherConnections(server), waitingPolls: waiters.size });
  }

  const api = express.Router();
  api.get("/messages", waitForUpdate);
  api.post("/messages", limitSenders(), receiveMessage);
  api.get("/stats", sendStats);

  const server = createHttpServer(api);
  return { server, close: () => closeHttpServer(server), waitingCount: () => waiters.size };
}
