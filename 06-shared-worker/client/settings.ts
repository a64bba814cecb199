// Timings and limits that the page and the worker must agree on, in one place. No DOM code here: the worker and
// the tests import this file too.

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
