// Messages this tab sent that the server has not acknowledged yet. Each is shown at the end of the log, greyed out,
// until its fate is known: acknowledged (replaced by the real message), refused (taken out), or not acknowledged
// in time (marked failed, with a Retry button).
import { element, userName } from "./ui.js";

const messageList = element<HTMLOListElement>("#messages");
const pendingItems = new Map<string, { item: HTMLLIElement; text: string }>();

function setState(item: HTMLLIElement, state: "pending" | "failed"): void {
  item.classList.toggle("pending", state === "pending");
  item.classList.toggle("failed", state === "failed");
  const note = item.querySelector("small");
  if (note) {
    note.textContent = state === "pending" ? "sending…" : "not sent";
  }
}

export function showPending(id: string, text: string): void {
  const item = document.createElement("li");
  item.classList.add("mine");
  item.dataset.pendingId = id;
  const author = document.createElement("strong");
  author.textContent = userName;
  const body = document.createElement("span");
  body.textContent = text;
  item.append(author, " ", body, " ", document.createElement("small"));
  setState(item, "pending");
  pendingItems.set(id, { item, text });
  messageList.append(item);
  item.scrollIntoView({ block: "nearest" });
}

// `retry` runs when the user clicks Retry; the item is then pending again.
export function markFailed(id: string, retry: (id: string, text: string) => void): void {
  const pending = pendingItems.get(id);
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
    retry(id, pending.text);
  });
  pending.item.append(" ", button);
}

// Takes the item out of the log and returns its text; undefined if this tab has no such item.
export function takePending(id: string): string | undefined {
  const pending = pendingItems.get(id);
  if (!pending) {
    return undefined;
  }
  pending.item.remove();
  pendingItems.delete(id);
  return pending.text;
}

// The messages still waiting for their ack (not those marked failed, which wait for the user).
export function waitingMessages(): { id: string; text: string }[] {
  return [...pendingItems]
    .filter(([, pending]) => pending.item.classList.contains("pending"))
    .map(([id, pending]) => ({ id, text: pending.text }));
}

export function dropAllPending(): void {
  for (const id of [...pendingItems.keys()]) {
    takePending(id);
  }
}

// Messages from the server are added in id order, and a snapshot replaces the whole log: afterwards, put the
// messages still waiting back at the end, where the next message will appear.
export function keepPendingLast(): void {
  for (const { item } of pendingItems.values()) {
    messageList.append(item);
  }
}
