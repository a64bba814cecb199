// Step 02: short polling, the page's side.
// THE TECHNIQUE: every POLL_INTERVAL_MS the page asks "anything after message N?", whether or not anything happened.
// Simple and robust, but most answers are empty, and a new message waits up to a whole interval to be seen.
import { countDown } from "./backoff.js";
import { retryDelay } from "./retry.js";
import { requestJson, sendChatMessage } from "./http.js";
import type { Update } from "./protocol.js";
import { countDelivered, onSend, replaceMessages, setStatus, showMessages, userName } from "./ui.js";

const POLL_INTERVAL_MS = 3000;

// Where this page is in the conversation: the server process (epoch) and the newest message id it has.
let cursor = { epoch: "", since: 0 };

function updateUrl(): string {
  const query = new URLSearchParams({ epoch: cursor.epoch, since: String(cursor.since) });
  return `/api/messages?${query}`;
}

function applyUpdate(update: Update): void {
  if (update.reset) {
    // The first answer, or the server restarted: its ids started again at 1, so everything shown is replaced.
    if (cursor.epoch !== "" && cursor.epoch !== update.epoch) {
      console.info(`The server restarted (epoch ${update.epoch}): reloaded the history.`);
    }
    replaceMessages(update.messages);
  } else {
    showMessages(update.messages);
    countDelivered(update.messages);
  }
  const newestId = update.messages.at(-1)?.id;
  cursor = { epoch: update.epoch, since: newestId ?? (update.reset ? 0 : cursor.since) };
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Polling a tab nobody looks at wastes requests: wait until it is visible again.
function waitUntilVisible(): Promise<void> {
  if (!document.hidden) {
    return Promise.resolve();
  }
  setStatus("Paused while this tab is hidden: no requests.");
  return new Promise((resolve) => document.addEventListener("visibilitychange", () => resolve(), { once: true }));
}

// Aborted by a send, so the sender sees the message at once instead of at the next scheduled poll.
// It is replaced before each poll starts: a send during the poll then skips the wait that follows it.
let skipWait = new AbortController();

function pollNow(): void {
  skipWait.abort();
}

async function pollForever(): Promise<void> {
  let failures = 0;
  for (;;) {
    await waitUntilVisible();
    skipWait = new AbortController();
    try {
      applyUpdate(await requestJson<Update>(updateUrl()));
      failures = 0;
      const describe = (seconds: number): string =>
        `Polling every ${POLL_INTERVAL_MS / 1000} s. Next poll in ${seconds} s.`;
      await countDown(POLL_INTERVAL_MS, describe, skipWait.signal);
    } catch (error) {
      failures += 1;
      const delay = retryDelay(failures);
      await countDown(delay, (seconds) => `${describeFailure(error)} Retrying in ${seconds} s.`);
    }
  }
}

// The message is shown when a poll brings it back, like everyone else's: the server decides the order.
async function sendMessage(text: string): Promise<void> {
  await sendChatMessage(userName, text);
  pollNow();
}

onSend(sendMessage);
pollForever();
