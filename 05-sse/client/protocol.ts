// What travels between the server and the page. Types only: the server imports them too.
// The same as in the steps that speak plain HTTP, plus the list of users online.

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

// The body of every 4xx and 5xx answer.
export interface ErrorBody {
  error: string;
}

// Who has at least one page open: the whole list, once at the start of every stream.
export interface Online {
  users: string[];
}

// After that, each change: a user came online (their first page) or went offline (their last page closed).
export interface PresenceChange {
  user: string;
}
