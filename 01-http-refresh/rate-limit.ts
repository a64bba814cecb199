// How often one sender may post: a person types a few messages a minute, a script thousands a second.
// This file is not the lesson: it is identical in every step. Steps 04 and 06 receive messages as WebSocket frames:
// they use only RateLimiter, one for each connection.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { sendError } from "./app.ts";
import { checkUserName } from "./validation.ts";

export const SEND_LIMIT = 20;
export const SEND_WINDOW_MS = 10_000;

// Counts actions per key in fixed windows. All counts start again together when a window ends,
// so memory holds only the keys seen in one window.
export class RateLimiter {
  private counts = new Map<string, number>();
  private windowStart = Date.now();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  // True when `key` may act now; each call counts as one action.
  allow(key: string): boolean {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.counts.clear();
      this.windowStart = now;
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.limit;
  }

  secondsUntilNextWindow(): number {
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - Date.now()) / 1000));
  }
}

// The key is the address and the name together: students who share one laptop (one address) each get their own
// allowance. The name is the one the message will be stored under, checked and normalised: otherwise "Alice",
// "Alice " and "Alice  " would each get an allowance of their own. A flooder who invents a new name every time is
// not stopped by this alone; a real service would also limit per address and require sign-in.
export function limitSenders(limiter = new RateLimiter(SEND_LIMIT, SEND_WINDOW_MS)): RequestHandler {
  return function checkSendRate(req: Request, res: Response, next: NextFunction): void {
    const user = checkUserName(req.body?.user);
    if (limiter.allow(`${req.ip} ${user.ok ? user.value : ""}`)) {
      next();
      return;
    }
    res.set("Retry-After", String(limiter.secondsUntilNextWindow()));
    sendError(
      res,
      429,
      `too many messages: at most ${limiter.limit} every ${limiter.windowMs / 1000} s, try again in a moment`,
    );
  };
}
