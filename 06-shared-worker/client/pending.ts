// Messages this tab sent that the server has not acknowledged yet. Each is shown at the end of the log, greyed out,
// until its fate is known: acknowledged (the real message comes from the server), refused (taken out), or not
// acknowledged in time (crossed out, with a Retry button).
import { element, userName } from "./ui.js";

const messageList = element<HTMLOListElement>("#messages");
const pendingItems = new Map<number, { item: HTMLLIElement; text: string }>();

function setState(item: HTMLLIElement, state: "pending" | "failed"): void {
  item.classList.toggle("pending", state === "pending");
  item.classList.toggle("failed", state === "failed");
  item.querySelector("small")?.replaceChildren(state === "pending" ? "sending…" : "not sent");
}

export function showPending(ref: number, text: string): void {
  const item = document.createElement("li");
  item.classList.add("mine");
  const author = document.createElement("strong");
  author.textContent = userName;
  const body = document.createElement("span");
  body.textContent = text;
  item.append(author, " ", body, " ", document.createElement("small"));
  setState(item, "pending");
  pendingItems.set(ref, { item, text });
  messageList.append(item);
  item.scrollIntoView({ block: "nearest" });
}

// `retry` runs when the user clicks Retry; the item is then pending again.
export function markFailed(ref: number, retry: (ref: number, text: string) => void): void {
  const pending = pendingItems.get(ref);
  if (!pending) {
    return;
  }
  setState(pending.item, "failed");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Retry";
  button.addEventListener("click", () => {
    button.remove();
    setState(pending.item, "pending");
    retry(ref, pending.text);
  });
  pending.item.append(" ", button);
}

// Takes the item out of the log and returns its text; undefined if this tab has no such item.
export function takePending(ref: number): string | undefined {
  const pending = pendingItems.get(ref);
  pending?.item.remove();
  pendingItems.delete(ref);
  return pending?.text;
}

// The messages still waiting for their ack (not those marked failed, which wait for the user).
export function waitingMessages(): { ref: number; text: string }[] {
  const waiting = [...pendingItems].filter(([, pending]) => pending.item.classList.contains("pending"));
  return waiting.map(([ref, pending]) => ({ ref, text: pending.text }));
}

// Messages from the server go in id order, and a snapshot replaces the whole log: afterwards, put the messages
// still waiting back at the end, where the next message will appear.
export function keepPendingLast(): void {
  for (const { item } of pendingItems.values()) {
    messageList.append(item);
  }
}
