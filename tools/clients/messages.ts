// The HTTP side of the chat, the same in every step: GET /api/messages?epoch=…&since=… answers an Update (steps 01 to
// 03 receive this way), and POST /api/messages with { user, text } answers 201 and the stored Message (every step but
// 04 and 06 sends this way). The types are the steps' own: client/protocol.ts is the same file in steps 01 to 03.
import type { ErrorBody, Message, Update } from "../../01-http-refresh/client/protocol.ts";

export type { ErrorBody, Message, Update };

export const MESSAGES_PATH = "/api/messages";

// The path that asks for every message after `since` of server process `epoch` ("" and 0 at first).
export function updatesPath(epoch: string, since: number): string {
  return `${MESSAGES_PATH}?${new URLSearchParams({ epoch, since: String(since) })}`;
}

export function chatBody(user: string, text: string): string {
  return JSON.stringify({ user, text });
}

// The epoch and newest id, as every page keeps them (the `cursor` of steps 02 and 03).
export class Cursor {
  epoch = "";
  since = 0;

  apply(update: Update): void {
    const newest = update.messages.at(-1)?.id;
    this.since = newest ?? (update.reset ? 0 : this.since);
    this.epoch = update.epoch;
  }

  // Where one new message moves the cursor (a WebSocket's "chat" frame, an event stream's single update).
  advance(message: Message): void {
    this.since = message.id;
  }
}
