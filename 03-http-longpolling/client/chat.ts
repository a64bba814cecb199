// Step 03: long polling, the page's side.
// THE TECHNIQUE: the page asks "anything after message N?" and the server holds the request open until the answer
// is yes (or about 25 s pass). As soon as an answer arrives, the page asks again: one request is always waiting.
import { countDown } from "./backoff.js";
import { retryDelay } from "./retry.js";
import { requestJson, sendChatMessage } from "./http.js";
import type { Update } from "./protocol.js";
import { countDelivered, onSend, replaceMessages, setStatus, showMessages, userName } from "./ui.js";

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

// The request in progress; aborted when the user leaves the page.
let leaving = new AbortController();

async function pollForever(): Promise<void> {
  const controller = new AbortController();
  leaving = controller;
  let failures = 0;
  while (!controller.signal.aborted) {
    try {
      setStatus("Waiting for new messages: the request stays open until something happens.");
      // "no-store" keeps the request away from the browser's HTTP cache, which lets only one request for a URL
      // through at a time: without it, tabs of one browser waiting on the same URL queue behind each other.
      applyUpdate(await requestJson<Update>(updateUrl(), { signal: controller.signal, cache: "no-store" }));
      failures = 0;
    } catch (error) {
      if (controller.signal.aborted) {
        return;
      }
      failures += 1;
      const delay = retryDelay(failures);
      await countDown(delay, (seconds) => `${describeFailure(error)} Retrying in ${seconds} s.`, controller.signal);
    }
  }
}

// Leaving the page (or entering the back/forward cache): end the open request now, so the server forgets
// this waiter at once instead of at its timeout. If the page is shown again from that cache, start again.
function leavePage(): void {
  leaving.abort();
}

function returnToPage(event: PageTransitionEvent): void {
  if (event.persisted) {
    pollForever();
  }
}

// The message is shown when the waiting request brings it back, like everyone else's: the server decides the order.
async function sendMessage(text: string): Promise<void> {
  await sendChatMessage(userName, text);
}

addEventListener("pagehide", leavePage);
addEventListener("pageshow", returnToPage);
onSend(sendMessage);
pollForever();
