// What travels between a tab and the worker, posted through the tab's MessagePort, and the timings and limits
// that both sides keep. The worker and the server speak step 04's frames (protocol.ts), unchanged.
// No DOM code here: the worker and the tests import this file too.
import type { Message, ServerFrame } from "./protocol.js";

// The worker pings every tab this often. A tab busy for a moment (rendering a burst of messages, a long task)
// may miss a ping or two; one that misses more than TAB_MISSED_PINGS_ALLOWED in a row is forgotten, so a crashed
// tab leaves within TAB_MISSED_PINGS_ALLOWED + 2 intervals.
export const TAB_HEARTBEAT_MS = 2000;
export const TAB_MISSED_PINGS_ALLOWED = 2;
// A tab that has heard nothing from the worker for this long (the worker was stopped) starts it again: two pings
// missed, and one second to spare.
export const WORKER_SILENCE_MS = 2 * TAB_HEARTBEAT_MS + 1000;
// A message the server has not acknowledged after this long is marked failed in its tab, which can retry it.
export const SEND_TIMEOUT_MS = 10_000;
// The biggest frame the server reads (MAX_FRAME_BYTES in server.ts). It closes a socket that sends a bigger one
// with 1009, so the worker checks every chat frame first.
export const MAX_FRAME_BYTES = 4096;
// The worker sends at most one typing frame this often, whichever tab types: the page's own TYPING_THROTTLE_MS
// (client/typing.ts). No tab can then spend the rate limit of the socket that every tab shares.
export const TYPING_FRAME_INTERVAL_MS = 2000;

// The one connection, as every tab shows it.
export type ConnectionState =
  | { state: "connecting" }
  | { state: "connected" }
  // `retryAt` is a Date.now() time: every tab counts down to the same moment.
  | { state: "reconnecting"; retryAt: number; reason: string }
  // The server refused who we are (close code 1008): trying again would not help.
  | { state: "refused"; reason: string };

// Tab → worker.
export type TabCommand =
  // The first command of every tab: this browser is `user`. The worker opens the socket if it has none.
  | { type: "sign-in"; user: string }
  // A message. The tab draws `ref` at random, and a retry sends the same ref again.
  | { type: "chat"; ref: number; text: string }
  | { type: "typing" }
  // The worker closes the socket and forgets the conversation.
  | { type: "sign-out" }
  // This tab is closing (on pagehide): a MessagePort has no close event of its own.
  | { type: "goodbye" }
  // The network is back, or this tab is back from the back/forward cache: a worker waiting to reconnect tries now.
  | { type: "reconnect-now" }
  // The answer to the worker's "ping".
  | { type: "pong" };

// Worker → tab.
export type WorkerEvent =
  // The conversation as the worker holds it: for a new tab alone, and for every tab after a server restart.
  | { type: "snapshot"; messages: Message[]; online: string[] }
  | { type: "messages"; messages: Message[] }
  // Step 04's frames about who is online and who is typing, passed on as the server sent them.
  | Extract<ServerFrame, { type: "presence" | "joined" | "left" | "typing" }>
  // What became of a chat command: stored, refused (`error` says why, as a sentence to show), or no ack in time.
  | { type: "ack"; ref: number }
  | { type: "refused"; ref: number; error: string }
  | { type: "failed"; ref: number }
  // With the number of tabs that share it, posted again whenever that number changes.
  | { type: "connection"; connection: ConnectionState; tabs: number }
  // This browser is signed in as `user` already, in other tabs: one socket speaks for one user.
  | { type: "signed-in-as"; user: string }
  // The worker no longer knows this tab (it missed the pings, stopped at a breakpoint, say): connect again.
  | { type: "forgotten" }
  // A command that this tab sent and the worker refused, or a frame the server refused.
  | { type: "error"; error: string }
  // The worker counts the socket's frames and tells every tab, for the traffic panel.
  | { type: "traffic"; direction: "sent" | "received"; bytes: number }
  // From sending a chat frame to its ack, on the shared socket: for every tab's traffic panel.
  | { type: "round-trip"; milliseconds: number }
  | { type: "ping" };
