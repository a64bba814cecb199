// Step 05: Server-Sent Events, the page's side.
// THE TECHNIQUE: one EventSource keeps a GET request open, and the server writes an event into it whenever something
// happens. When the connection breaks, the browser reconnects by itself and sends the id of the last event it got
// (Last-Event-ID). Only when the browser gives up for good does the page reconnect, with its own backoff.
import { countDown } from "./backoff.js";
import { retryDelay } from "./retry.js";
import { sendChatMessage } from "./http.js";
import { showJoined, showLeft, showOnline } from "./presence.js";
import type { ErrorBody, Online, PresenceChange, Update } from "./protocol.js";
import {
  byteLength,
  countDelivered,
  countFrame,
  countRequest,
  onSend,
  replaceMessages,
  setStatus,
  showError,
  showMessages,
  userName,
} from "./ui.js";

// The server process whose messages the page shows. The page keeps no message cursor: EventSource remembers
// the last event id and sends it back when it reconnects.
let epoch = "";

function streamUrl(): string {
  const query = new URLSearchParams({ user: userName });
  return `/api/events?${query}`;
}

function applyUpdate(update: Update): void {
  if (update.reset) {
    // The first event, or the server restarted: its ids started again at 1, so everything shown is replaced.
    if (epoch !== "" && epoch !== update.epoch) {
      console.info(`The server restarted (epoch ${update.epoch}): reloaded the history.`);
    }
    replaceMessages(update.messages);
  } else {
    showMessages(update.messages);
    countDelivered(update.messages);
  }
  epoch = update.epoch;
}

function receiveUpdate(event: MessageEvent<string>): void {
  countFrame("received", byteLength(event.data));
  applyUpdate(JSON.parse(event.data) as Update);
}

function receiveOnline(event: MessageEvent<string>): void {
  countFrame("received", byteLength(event.data));
  showOnline((JSON.parse(event.data) as Online).users);
}

function receiveJoined(event: MessageEvent<string>): void {
  countFrame("received", byteLength(event.data));
  showJoined((JSON.parse(event.data) as PresenceChange).user);
}

function receiveLeft(event: MessageEvent<string>): void {
  countFrame("received", byteLength(event.data));
  showLeft((JSON.parse(event.data) as PresenceChange).user);
}

// The open stream, and the page's own wait before it opens a new one; both end when the user leaves the page.
let source: EventSource | undefined;
let leaving = new AbortController();
let failures = 0;

function openStream(): void {
  setStatus("Connecting…");
  source = new EventSource(streamUrl());
  source.addEventListener("open", reportOpen);
  source.addEventListener("update", receiveUpdate);
  source.addEventListener("online", receiveOnline);
  source.addEventListener("joined", receiveJoined);
  source.addEventListener("left", receiveLeft);
  source.addEventListener("error", handleStreamError);
}

// A stream is one HTTP request, however many events it carries.
function reportOpen(): void {
  failures = 0;
  countRequest(0, 0);
  setStatus("Connected. The stream stays open and the server writes every new message into it.");
}

// EventSource fires "error" in two different situations, and readyState tells them apart.
function handleStreamError(): void {
  if (source?.readyState === EventSource.CONNECTING) {
    // The connection broke (server restart, network): the browser retries by itself after the server's `retry:`.
    setStatus("Connection lost. The browser reconnects by itself and asks for what it missed (Last-Event-ID).");
    return;
  }
  // CLOSED: the server answered with an HTTP error, or with something that is not an event stream.
  // The browser never retries after that, so the page must, with backoff.
  source?.close();
  explainRefusal();
}

// EventSource does not say why the server refused. The page asks once more with fetch, which shows the answer:
// a 400 (a name the server does not accept) cannot get better by retrying, so the page shows the server's reason
// and stops. Any other answer, or none, is worth another try later.
async function explainRefusal(): Promise<void> {
  const probe = new AbortController();
  try {
    const response = await fetch(streamUrl(), { signal: probe.signal, cache: "no-store" });
    countRequest(0, 0);
    if (response.status === 400) {
      const reason = ((await response.json()) as ErrorBody).error;
      setStatus("Disconnected: the server refused this page's stream.");
      showError(`The server refused the stream: ${reason}. Change ?user= in the address and reload.`);
      return;
    }
  } catch {
    // The server cannot be reached, or its answer was not JSON: retry below.
  } finally {
    // A stream the server accepted this time would stay open: the page opens its own below.
    probe.abort();
  }
  reconnectLater();
}

async function reconnectLater(): Promise<void> {
  const controller = new AbortController();
  leaving = controller;
  failures += 1;
  const delay = retryDelay(failures);
  await countDown(
    delay,
    (seconds) => `The server refused the stream, and the browser gave up. Reconnecting in ${seconds} s.`,
    controller.signal,
  );
  if (!controller.signal.aborted) {
    openStream();
  }
}

// Leaving the page (or entering the back/forward cache): close the stream now, so the server unsubscribes this
// page at once and others see us go offline. If the page is shown again from that cache, open a new stream.
function leavePage(): void {
  leaving.abort();
  source?.close();
}

function returnToPage(event: PageTransitionEvent): void {
  if (event.persisted) {
    openStream();
  }
}

// The message is shown when the stream brings it back, like everyone else's: the server decides the order.
async function sendMessage(text: string): Promise<void> {
  await sendChatMessage(userName, text);
}

addEventListener("pagehide", leavePage);
addEventListener("pageshow", returnToPage);
onSend(sendMessage);
openStream();
