// The page: the user's name, the message list, the status line, errors and the traffic panel.
// This file is not the lesson: it is identical in every step.
// Everything that people typed is shown with textContent, never innerHTML, so "<script>" stays text.
import type { Message } from "./protocol.js";

const DEFAULT_USER_PREFIX = "Guest-";

export function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) {
    throw new Error(`The page has no element ${selector}`);
  }
  return found;
}

const messageList = element<HTMLOListElement>("#messages");
const statusLine = element<HTMLElement>("#status");
const errorLine = element<HTMLElement>("#error");
const composer = element<HTMLFormElement>("#composer");
const messageInput = element<HTMLInputElement>("#message");
const sendButton = element<HTMLButtonElement>("#composer button");
const shownIds = new Set<number>();

// ?user=Alice names this window. Without it, a random guest name, so two windows are still two people.
function readUserName(): string {
  const fromUrl = new URLSearchParams(location.search).get("user")?.trim();
  if (fromUrl) {
    return fromUrl;
  }
  return DEFAULT_USER_PREFIX + String(Math.floor(Math.random() * 10000)).padStart(4, "0");
}

export const userName = readUserName();
element("#me").textContent = userName;

export function setStatus(text: string): void {
  statusLine.textContent = text;
}

export function showError(text: string): void {
  errorLine.textContent = text;
  errorLine.hidden = false;
}

// Given the text of an error, hides the line only while it still shows that error: a newer one stays.
export function clearError(onlyText?: string): void {
  if (onlyText !== undefined && errorLine.textContent !== onlyText) {
    return;
  }
  errorLine.textContent = "";
  errorLine.hidden = true;
}

function renderMessage(message: Message): HTMLLIElement {
  const item = document.createElement("li");
  item.dataset.id = String(message.id);
  item.classList.toggle("mine", message.user === userName);
  const author = document.createElement("strong");
  author.textContent = message.user;
  const text = document.createElement("span");
  text.textContent = message.text;
  const time = document.createElement("time");
  time.dateTime = new Date(message.ts).toISOString();
  time.textContent = new Date(message.ts).toLocaleTimeString();
  item.append(author, " ", text, " ", time);
  return item;
}

// Messages nearly always arrive in order and go at the end: only an older one searches the list for its place.
function itemAfter(id: number): Element | null {
  const last = messageList.lastElementChild as HTMLElement | null;
  if (!last || Number(last.dataset.id) < id) {
    return null;
  }
  return [...messageList.children].find((item) => Number((item as HTMLElement).dataset.id) > id) ?? null;
}

// Inserts messages in id order and skips those already shown. Every step asks only for messages newer than its
// cursor, so none should arrive twice; if a change to a step ever delivers one twice, it is still shown once.
export function showMessages(messages: Message[]): void {
  for (const message of messages) {
    if (shownIds.has(message.id)) {
      continue;
    }
    shownIds.add(message.id);
    messageList.insertBefore(renderMessage(message), itemAfter(message.id));
  }
  messageList.lastElementChild?.scrollIntoView({ block: "nearest" });
}

// After a server restart ids start again at 1: what we show belongs to the old epoch and must go.
export function replaceMessages(messages: Message[]): void {
  messageList.replaceChildren();
  shownIds.clear();
  showMessages(messages);
}

// Calls `send` with the text when the user presses Enter or clicks Send. The input is cleared only
// when the send succeeded; a failed send keeps the text and shows the server's reason.
// One send at a time: pressing Enter twice while the first send is on its way would send the text twice.
export function onSend(send: (text: string) => Promise<void>): void {
  composer.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sendButton.disabled) {
      return;
    }
    sendButton.disabled = true;
    clearError();
    try {
      await send(messageInput.value);
      messageInput.value = "";
    } catch (error) {
      showError(error instanceof Error ? error.message : String(error));
    } finally {
      sendButton.disabled = false;
    }
  });
}

// The traffic panel counts what this page sent and received. It only updates the page: no requests of its own.
const counters = {
  requests: 0,
  frames: 0,
  sentBytes: 0,
  receivedBytes: 0,
  messages: 0,
};

function renderTraffic(): void {
  for (const [name, value] of Object.entries(counters)) {
    element(`[data-traffic="${name}"]`).textContent = value.toLocaleString();
  }
  renderRequestsPerMessage();
}

// Only the polling steps' pages have this row: there every request asks "anything new?", and most answers say no.
// It is the two rows above it divided, so a student can check it.
function renderRequestsPerMessage(): void {
  const row = document.querySelector('[data-traffic="requestsPerMessage"]');
  if (!row || counters.messages === 0) {
    return;
  }
  const perMessage = counters.requests / counters.messages;
  row.textContent = perMessage.toLocaleString(undefined, { maximumFractionDigits: 1 });
}

export function countRequest(sentBytes: number, receivedBytes: number): void {
  counters.requests += 1;
  counters.sentBytes += sentBytes;
  counters.receivedBytes += receivedBytes;
  renderTraffic();
}

export function countFrame(direction: "sent" | "received", bytes: number): void {
  counters.frames += 1;
  if (direction === "sent") {
    counters.sentBytes += bytes;
  } else {
    counters.receivedBytes += bytes;
  }
  renderTraffic();
}

// Call for messages that arrived live (not history). The latency is display time minus the server's
// timestamp, so it is exact only when the server runs on this machine (the same clock).
export function countDelivered(messages: Message[]): void {
  const newest = messages.at(-1);
  if (!newest) {
    return;
  }
  counters.messages += messages.length;
  element('[data-traffic="latency"]').textContent = `${Math.max(0, Date.now() - newest.ts)} ms`;
  renderTraffic();
}

// Call with the time from sending a frame to its answer on the same connection: one round trip, measured with
// frames the page sends anyway (steps 04 and 06 time each chat frame until its ack). Only their pages have this row.
export function countRoundTrip(milliseconds: number): void {
  element('[data-traffic="roundTrip"]').textContent = `${formatMilliseconds(milliseconds)} ms`;
}

// With the server on the same computer a round trip takes about a millisecond: below 10 ms, one decimal shows it.
function formatMilliseconds(milliseconds: number): string {
  if (milliseconds < 10) {
    return milliseconds.toFixed(1);
  }
  return String(Math.round(milliseconds));
}

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
