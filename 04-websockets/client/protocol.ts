// What travels between the server and the page: one JSON object per WebSocket frame, in both directions.
// Types only: the server imports them with `import type`, so both sides agree on every frame.

export interface Message {
  id: number;
  user: string;
  text: string;
  // When the server accepted the message, in milliseconds since 1970 (Date.now()).
  ts: number;
}

export interface Update {
  // The id of the server process. Ids restart at 1 when the server restarts, so a cursor is only valid within one epoch.
  epoch: string;
  // true when the page must throw away what it shows and show `messages` instead.
  reset: boolean;
  messages: Message[];
}

// Page → server. A frame has no answer of its own as an HTTP request does, so a chat frame carries `ref`,
// a number the page draws at random, and the server's answer (an ack or an error) names the same `ref`.
// A message sent again keeps its ref: the server knows it by the ref and the user, and stores it only once.
export type ClientFrame =
  // "I have everything up to message `since` of server process `epoch`": sent first on every connection.
  | { type: "resume"; epoch: string; since: number }
  | { type: "chat"; ref: number; text: string }
  // "I am typing": sent at most every few seconds while keys are pressed.
  | { type: "typing" };

// Server → page.
export type ServerFrame =
  // The answer to "resume": what the page missed, or the whole history with reset: true.
  | ({ type: "history" } & Update)
  // A new message, to every connected page (the sender's included).
  | { type: "chat"; message: Message }
  // To the sender only: the chat frame `ref` was stored as message `id`.
  | { type: "ack"; ref: number; id: number }
  // Who is online, once, just before the answer to "resume".
  | { type: "presence"; users: string[] }
  // After that, each change: a user came online (their first page) or went offline (their last page closed).
  | { type: "joined"; user: string }
  | { type: "left"; user: string }
  | { type: "typing"; user: string }
  // Something the page sent was refused. `ref` is there when the refused frame had one.
  | { type: "error"; error: string; ref?: number };
