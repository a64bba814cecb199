// The chat's memory: a bounded list of messages, shared by every step of the course.
// This file is not the lesson: it is identical in every step, so a diff between steps shows the technique alone.
import { randomUUID } from "node:crypto";
import type { Message, Update } from "./client/protocol.ts";

// What the client asks for: "everything after message `since` of server process `epoch`".
export interface Cursor {
  epoch: string;
  since: number;
}

// A few hundred messages are plenty for a lecture and keep memory bounded however long the server runs.
export const HISTORY_LIMIT = 300;

export class MessageStore {
  // Ids restart at 1 in every server process, so a cursor means nothing without the epoch it came from.
  readonly epoch = randomUUID();
  private messages: Message[] = [];
  private lastId = 0;

  add(user: string, text: string): Message {
    this.lastId += 1;
    const message: Message = { id: this.lastId, user, text, ts: Date.now() };
    this.messages.push(message);
    if (this.messages.length > HISTORY_LIMIT) {
      this.messages.shift();
    }
    return message;
  }

  latestId(): number {
    return this.lastId;
  }

  // What GET /api/stats reports of the history: the epoch, how many messages are kept, the newest id.
  summary(): { epoch: string; messagesStored: number; newestId: number } {
    return { epoch: this.epoch, messagesStored: this.messages.length, newestId: this.lastId };
  }

  history(): Update {
    return { epoch: this.epoch, reset: true, messages: [...this.messages] };
  }

  // The answer to a cursor. A cursor from another server process, or older than the history we keep,
  // gets the whole history and `reset`: never a silent gap, never a wait for ids this process will not reach soon.
  updateSince(cursor: Cursor): Update {
    if (cursor.epoch !== this.epoch || cursor.since > this.lastId) {
      return this.history();
    }
    const oldestKept = this.messages[0]?.id ?? this.lastId + 1;
    if (cursor.since < oldestKept - 1) {
      return this.history();
    }
    const newer = this.messages.filter((message) => message.id > cursor.since);
    return { epoch: this.epoch, reset: false, messages: newer };
  }
}
