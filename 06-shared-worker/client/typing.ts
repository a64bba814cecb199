// "Bob is typing…": who is typing now, and telling the others when this user types.
// This file is not the lesson: it is identical in every step with a typing indicator.
import { element, userName } from "./ui.js";

// While keys are pressed, tell the others at most once per TYPING_THROTTLE_MS: not one frame per key.
export const TYPING_THROTTLE_MS = 2000;
// Nobody says "I stopped typing" (the tab may close, the user may walk away), so a notice fades by itself
// this long after the last one. Longer than the throttle, or it would flicker while someone types on.
export const TYPING_EXPIRY_MS = 4000;

const typingLine = element<HTMLElement>("#typing");
const messageInput = element<HTMLInputElement>("#message");
const expiryTimers = new Map<string, ReturnType<typeof setTimeout>>();

function describeTyping(users: string[]): string {
  if (users.length === 0) {
    return "";
  }
  if (users.length === 1) {
    return `${users[0]} is typing…`;
  }
  if (users.length === 2) {
    return `${users[0]} and ${users[1]} are typing…`;
  }
  return `${users.length} people are typing…`;
}

function renderTyping(): void {
  typingLine.textContent = describeTyping([...expiryTimers.keys()]);
}

export function showTyping(user: string): void {
  // Our own other tabs say we are typing too; that is no news to us.
  if (user === userName) {
    return;
  }
  clearTimeout(expiryTimers.get(user));
  expiryTimers.set(
    user,
    setTimeout(() => stopTyping(user), TYPING_EXPIRY_MS),
  );
  renderTyping();
}

// Their message arrived (or the notice expired): they are not typing any more.
export function stopTyping(user: string): void {
  clearTimeout(expiryTimers.get(user));
  if (expiryTimers.delete(user)) {
    renderTyping();
  }
}

// Calls `notify` when the user types in the message box, at most once per TYPING_THROTTLE_MS.
export function onTyping(notify: () => void): void {
  let lastNotified = -Infinity;
  messageInput.addEventListener("input", () => {
    const now = Date.now();
    if (messageInput.value === "" || now - lastNotified < TYPING_THROTTLE_MS) {
      return;
    }
    lastNotified = now;
    notify();
  });
}
