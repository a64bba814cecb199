// Checks on everything a client sends. The server is the authority: the page may skip these checks, the server never does.
// This file is not the lesson: it is identical in every step.
import type { Cursor } from "./store.ts";

export const MAX_USER_LENGTH = 32;
export const MAX_TEXT_LENGTH = 500;
const MAX_EPOCH_LENGTH = 64;

// C0 and C1 control characters, newlines and tabs included: a chat line is one line.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// Characters that change how a name looks without being seen: the bidi controls (U+202E turns "Bob\u202Eecila"
// into "Bobalice" on screen) and the zero-width ones (U+200B to U+200D, U+2060, U+FEFF). A message may contain
// them, since it is only text; a name must not, or two people could look the same. This refuses a few real uses
// too (a zero-width joiner inside some emoji and some scripts); a real service would apply Unicode's rules for
// identifiers (UTS #39).
const INVISIBLE_IN_NAMES = /[\p{Bidi_Control}\u200b-\u200d\u2060\ufeff]/u;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ChatInput {
  user: string;
  text: string;
}

function checkString(field: string, value: unknown, maxLength: number): Checked<string> {
  if (typeof value !== "string") {
    return { ok: false, error: `"${field}" must be a string` };
  }
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    return { ok: false, error: `"${field}" must not be empty` };
  }
  if (trimmed.length > maxLength) {
    return { ok: false, error: `"${field}" must be at most ${maxLength} characters (got ${trimmed.length})` };
  }
  if (CONTROL_CHARACTERS.test(trimmed)) {
    return { ok: false, error: `"${field}" must not contain control characters` };
  }
  // A lone UTF-16 surrogate (JSON allows "\ud800") has no UTF-8 form and would turn into "?" later.
  if (!trimmed.isWellFormed()) {
    return { ok: false, error: `"${field}" must be valid Unicode text` };
  }
  return { ok: true, value: trimmed };
}

// A user's name: the sender of a message, or the name a page gives when it opens a stream or a socket (?user=).
export function checkUserName(value: unknown): Checked<string> {
  const name = checkString("user", value, MAX_USER_LENGTH);
  if (!name.ok) {
    return name;
  }
  if (INVISIBLE_IN_NAMES.test(name.value)) {
    return { ok: false, error: '"user" must not contain invisible or direction-changing characters' };
  }
  // "é" can be one character or "e" plus an accent; NFC makes both the same, so they count as one name.
  return { ok: true, value: name.value.normalize("NFC") };
}

export function checkChatInput(body: unknown): Checked<ChatInput> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, error: 'expected a JSON object like {"user": "Alice", "text": "Hi"}' };
  }
  const fields = body as Record<string, unknown>;
  const user = checkUserName(fields.user);
  if (!user.ok) {
    return user;
  }
  const text = checkString("text", fields.text, MAX_TEXT_LENGTH);
  if (!text.ok) {
    return text;
  }
  return { ok: true, value: { user: user.value, text: text.value } };
}

// A cursor arrives as text (a query string or a header): `since` must be a whole number, `epoch` short text.
// A missing epoch is allowed: it simply never matches, so the client gets the whole history.
export function checkCursor(epoch: unknown, since: unknown): Checked<Cursor> {
  if (epoch !== undefined && (typeof epoch !== "string" || epoch.length > MAX_EPOCH_LENGTH)) {
    return { ok: false, error: `"epoch" must be text of at most ${MAX_EPOCH_LENGTH} characters` };
  }
  const sinceText = since ?? "0";
  if (typeof sinceText !== "string" || !/^\d{1,15}$/.test(sinceText)) {
    return { ok: false, error: '"since" must be a whole number, the id of the last message you have' };
  }
  return { ok: true, value: { epoch: epoch ?? "", since: Number(sinceText) } };
}
