// Timings and limits that the page, the worker and the server must agree on, in one place. No DOM code here:
// the worker, the server and the tests import this file too.

// The worker pings every tab this often. A tab busy for a moment (rendering a burst of messages, a long task)
// may miss a ping or two; one that misses more than TAB_MISSED_PINGS_ALLOWED in a row is forgotten, so a crashed
// tab leaves its room (and the Online lists) within TAB_MISSED_PINGS_ALLOWED + 2 intervals.
export const TAB_HEARTBEAT_MS = 2000;
export const TAB_MISSED_PINGS_ALLOWED = 2;
// A tab that has heard nothing from the worker for this long (the worker was stopped) connects to it again.
export const WORKER_SILENCE_MS = 10_000;
// A message the server has not acknowledged after this long is marked failed in its tab, which can retry it.
export const SEND_TIMEOUT_MS = 10_000;

// The biggest WebSocket frame the server reads (the same limit as for HTTP bodies in the other steps). The
// server closes a socket that sends a bigger one with 1009, so the worker checks every chat frame first.
export const MAX_FRAME_BYTES = 4096;

// Room names come from the address (?room=): short, and safe to show anywhere. The page checks the name
// before it asks for the room; the server checks it again, as it checks everything.
export const ROOM_NAME = /^[A-Za-z0-9_-]{1,32}$/;
export const ROOM_NAME_RULE = '1 to 32 letters, digits, "-" or "_"';
