// The chat's WebSocket seen from the browser: its address, the refs of its chat frames, and why it closed.
// This file is not the lesson: it is identical in steps 04 and 06 (the page holds the socket in step 04, the worker
// in step 06), and it runs in either: `location` is the page's address, or the worker script's on the same origin.

// Close codes from RFC 6455, section 7.4.1. A page may only send 1000 or 3000-4999 itself.
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;

// After 1009 the fate of the message that closed the socket is known: it was refused, never stored.
export const TOO_BIG =
  "That message was too big for the server, which closed the connection (close code 1009). It was not sent: shorten it.";

// The same host and port as the page: ws: next to http:, wss: (encrypted) next to https:.
export function socketUrl(user: string): string {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("user", user);
  return url.href;
}

// A ref for a new chat frame, drawn at random: the server remembers the refs of a user's stored messages, so a ref
// must not come again from a reloaded page or from another tab of the same user. A message sent again keeps its
// ref. It is no secret, so Math.random() is good enough.
export function newRef(): number {
  return Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
}

export function describeClose(event: CloseEvent): string {
  if (event.code === CLOSE_GOING_AWAY) {
    return "The server is restarting or shutting down (close code 1001).";
  }
  if (event.code === CLOSE_ABNORMAL) {
    return "The connection was lost, or the server cannot be reached (close code 1006).";
  }
  return `The connection closed (close code ${event.code}${event.reason ? `: ${event.reason}` : ""}).`;
}
