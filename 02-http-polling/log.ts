// The server's console: one line for each thing the step's technique does, so that a class can watch the server
// work. This file is not the lesson: it is identical in every step. QUIET=1 silences it (the tests, the load test).
import type { Update } from "./client/protocol.ts";

const QUIET = process.env.QUIET === "1";
// A class reads a few lines a second. Past this many in one second (a hundred polls at once), lines are counted
// instead, and one line says how many were left out.
const MAX_LINES_PER_SECOND = 10;
const SECOND_MS = 1000;

let windowStart = 0;
let linesInWindow = 0;
let linesLeftOut = 0;

// `topic` is a short prefix to search for: "http", "poll", "long-poll", "ws", "sse".
export function logEvent(topic: string, text: string): void {
  if (QUIET) {
    return;
  }
  const now = Date.now();
  if (now - windowStart >= SECOND_MS) {
    windowStart = now;
    linesInWindow = 0;
  }
  linesInWindow += 1;
  if (linesInWindow <= MAX_LINES_PER_SECOND) {
    console.log(`${timeOfDay(now)} [${topic}] ${text}`);
    return;
  }
  if (linesLeftOut === 0) {
    // unref: a pending summary must not keep the process alive when it is asked to stop.
    setTimeout(reportLinesLeftOut, windowStart + SECOND_MS - now).unref();
  }
  linesLeftOut += 1;
}

function reportLinesLeftOut(): void {
  console.log(`${timeOfDay(Date.now())} (${linesLeftOut} more lines in the last second, not shown)`);
  linesLeftOut = 0;
}

// Anything a client sent, in quotes, with control and invisible characters written as escapes: a name or a header
// must not move the cursor, ring the bell or hide text in the lecturer's terminal.
export function quoted(text: string): string {
  return JSON.stringify(text).replace(
    /[\p{Cf}\u2028\u2029]/gu,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

// An answer in words: "2 new messages", "nothing new", "the whole history (reset), 12 messages".
export function describeUpdate(update: Update): string {
  if (update.reset) {
    return `the whole history (reset), ${update.messages.length} messages`;
  }
  return update.messages.length === 0 ? "nothing new" : `${update.messages.length} new messages`;
}

function timeOfDay(time: number): string {
  const date = new Date(time);
  const milliseconds = String(date.getMilliseconds()).padStart(3, "0");
  return `${date.toTimeString().slice(0, 8)}.${milliseconds}`;
}
