// What travels where. Types only: the server and the worker import them with `import type`.
//   server ⇄ worker: one JSON object per WebSocket frame (ClientFrame, ServerFrame);
//   worker ⇄ tab: objects posted through a MessagePort (TabCommand, HubEvent).

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

// Worker → server. One socket carries every room that a tab of this browser shows. A chat frame carries `id`,
// chosen by the page: the ack names it, and a retry with the same id is stored only once.
export type ClientFrame =
  // "I have everything up to message `since` of this room's `epoch`": sent for each room on every connection.
  | { type: "join"; room: string; epoch: string; since: number }
  | { type: "leave"; room: string }
  | { type: "chat"; room: string; id: string; text: string }
  | { type: "typing"; room: string };

// Server → worker.
export type ServerFrame =
  // The answer to "join": what the worker missed, or the room's whole history with reset: true.
  | ({ type: "history"; room: string } & Update)
  | { type: "chat"; room: string; message: Message }
  // To the sender only: the chat frame `id` is stored as `message` (also when it was a retry of a stored one).
  | { type: "ack"; id: string; message: Message }
  // Who is in the room, once, just after the answer to "join".
  | { type: "presence"; room: string; users: string[] }
  // After that, each change: a user came into the room (their first connection there) or left it (their last).
  | { type: "joined"; room: string; user: string }
  | { type: "left"; room: string; user: string }
  | { type: "typing"; room: string; user: string }
  // Something the worker sent was refused. `id` is there when the refused frame was a chat frame, `room` when it
  // was a join: the connection is not in that room.
  | { type: "error"; error: string; id?: string; room?: string };

// What the tabs are told about the one connection, so they all show the same thing.
export type ConnectionState =
  | { state: "connecting" }
  | { state: "connected"; tabs: number }
  // `retryAt` is a Date.now() time: every tab counts down to the same moment.
  | { state: "reconnecting"; retryAt: number; reason: string }
  // The server refused who we are (close code 1008): trying again would not help.
  | { state: "refused"; reason: string }
  | { state: "signed-out" };

// Tab → worker.
export type TabCommand =
  // Sign this browser in as `user`; the worker opens the socket if it has none.
  | { type: "connect"; user: string }
  // Show this tab the room: the worker subscribes to it if no other tab has, and sends this tab a snapshot.
  | { type: "join"; room: string }
  // Send a message to this tab's room; `id` is new for a new message and the same for a retry.
  | { type: "chat"; id: string; text: string }
  | { type: "typing" }
  // Sign out: the worker closes the socket and forgets everything.
  | { type: "logout" }
  // Goodbye: this tab is closing (a port has no close event of its own).
  | { type: "close" }
  // The answer to the worker's "ping".
  | { type: "pong" };

// Worker → tab.
export type HubEvent =
  // For a new tab alone, and for every tab of a room whose history was replaced (a server restart).
  | { type: "snapshot"; room: string; messages: Message[]; online: string[]; connection: ConnectionState }
  | { type: "messages"; messages: Message[] }
  // The whole Online list of the tab's room (after a reconnect, or empty while there is no connection),
  // then each change to it.
  | { type: "online"; users: string[] }
  | { type: "joined"; user: string }
  | { type: "left"; user: string }
  | { type: "typing"; user: string }
  // What became of a chat command: stored, refused (`error` says why, as a sentence to show), or not
  // acknowledged in time.
  | { type: "sent"; id: string; message: Message }
  | { type: "refused"; id: string; error: string }
  | { type: "failed"; id: string }
  | { type: "connection"; connection: ConnectionState }
  // This browser is already signed in as `user` in other tabs: one socket means one user per browser.
  | { type: "identity"; user: string }
  // The server would not let this browser into the tab's room (it has too many rooms, say): `error` says why.
  | { type: "room-refused"; error: string }
  // The worker no longer knows this tab (it missed the pings, frozen at a breakpoint, say): connect again.
  | { type: "forgotten" }
  | { type: "error"; error: string }
  // The worker counts the socket's frames and tells every tab, for the traffic panel.
  | { type: "traffic"; direction: "sent" | "received"; bytes: number }
  | { type: "ping" };
