// Step 06: one WebSocket for every tab of the browser, held by a SharedWorker; the page's side.
// THE TECHNIQUE: the page opens no WebSocket. It signs in to the worker (worker-link.ts), posts it commands and
// shows what the worker tells it: a snapshot of the conversation for itself alone, then new messages, who is
// online, what became of each message, and the state of the one connection. A message shows at once, greyed out,
// until the worker says it was stored (pending.ts). Signing out reaches every tab by BroadcastChannel.
import { countDown } from "./backoff.js";
import { onOtherTabs, tellOtherTabs } from "./broadcast.js";
import { dropAllPending, keepPendingLast, markFailed, showPending, takePending, waitingMessages } from "./pending.js";
import { showJoined, showLeft, showOnline } from "./presence.js";
import type { Message } from "./protocol.js";
import { newRef } from "./socket.js";
import { onTyping, showTyping, stopTyping } from "./typing.js";
import {
  countDelivered,
  countFrame,
  countRoundTrip,
  element,
  onSend,
  replaceMessages,
  setStatus,
  showError,
  showMessages,
  userName,
} from "./ui.js";
import { attach, detach, mode, MODE_NOTES, onSilence, post } from "./worker-link.js";
import type { ConnectionState, WorkerEvent } from "./worker-protocol.js";

// Without ?user=, ui.ts makes up a guest name; this tab then takes the name this browser is signed in as, if any.
const nameInAddress = Boolean(new URLSearchParams(location.search).get("user")?.trim());
const messageInput = element<HTMLInputElement>("#message");
const sendButton = element<HTMLButtonElement>("#composer button");
const signOutButton = element<HTMLButtonElement>("#sign-out");

// Why a message cannot be sent now: the server refused us, another user holds the socket, or we signed out.
// While the worker reconnects, messages can still be sent: they wait in the worker.
let whyNotConnected: string | undefined;
let signedOut = false;
// Aborted when the next connection state arrives: the countdown on the status line belongs to the last one.
let countdown = new AbortController();

// A port delivers in order: the worker signs this tab in before it reads the messages below.
function connect(): void {
  attach(receiveEvent);
  setStatus(`Connecting… (${MODE_NOTES[mode]})`);
  post({ type: "sign-in", user: userName });
  // Messages a stopped worker took along: the same refs again, so the server stores none of them twice.
  for (const { ref, text } of waitingMessages()) {
    post({ type: "chat", ref, text });
  }
}

function reconnect(): void {
  detach();
  connect();
}

function showSnapshot(event: Extract<WorkerEvent, { type: "snapshot" }>): void {
  replaceMessages(event.messages);
  keepPendingLast();
  showOnline(event.online);
  showConnection(event.connection);
}

function showLive(messages: Message[]): void {
  for (const message of messages) {
    stopTyping(message.user);
  }
  showMessages(messages);
  countDelivered(messages);
  keepPendingLast();
}

function showConnection(connection: ConnectionState): void {
  countdown.abort();
  countdown = new AbortController();
  switch (connection.state) {
    case "connecting":
      setStatus(`Connecting… (${MODE_NOTES[mode]})`);
      break;
    case "connected":
      setStatus(mode === "shared" ? describeSharing(connection.tabs) : `Connected (${MODE_NOTES.dedicated}).`);
      break;
    case "reconnecting":
      countDown(
        connection.retryAt - Date.now(),
        (seconds) => `${connection.reason} Reconnecting in ${seconds} s; messages wait until then.`,
        countdown.signal,
      );
      break;
    case "refused":
      whyNotConnected = `The server refused this connection: ${connection.reason}. Change ?user= in the address and reload.`;
      setStatus("Disconnected: the server refused this connection.");
      showError(whyNotConnected);
      break;
  }
}

function describeSharing(tabs: number): string {
  return `Connected: one WebSocket shared by ${tabs} ${tabs === 1 ? "tab" : "tabs"} of this browser, held by a SharedWorker.`;
}

// The server will never accept this text as it is: it goes back into the box (if the box is free) to be edited.
function showRefused(ref: number, error: string): void {
  const text = takePending(ref);
  showError(error);
  if (text !== undefined && messageInput.value === "") {
    messageInput.value = text;
  }
}

function retry(ref: number, text: string): void {
  post({ type: "chat", ref, text });
}

type WorkerEventHandlers = {
  [T in Exclude<WorkerEvent["type"], "ping">]: (event: Extract<WorkerEvent, { type: T }>) => void;
};

// One handler per event of the worker (worker-link.ts answers the pings), as the worker has one per frame.
const workerEvents: WorkerEventHandlers = {
  snapshot: showSnapshot,
  messages: (event) => showLive(event.messages),
  presence: (event) => showOnline(event.users),
  joined: (event) => showJoined(event.user),
  left: (event) => showLeft(event.user),
  typing: (event) => showTyping(event.user),
  ack: (event) => takePending(event.ref),
  refused: (event) => showRefused(event.ref, event.error),
  failed: (event) => markFailed(event.ref, retry),
  connection: (event) => showConnection(event.connection),
  "signed-in-as": (event) => showOtherUser(event.user),
  forgotten: reconnect,
  error: (event) => showError(event.error),
  traffic: (event) => countFrame(event.direction, event.bytes),
  "round-trip": (event) => countRoundTrip(event.milliseconds),
};

// TypeScript cannot see that an event and the handler chosen by its own type belong together: one cast, here.
function receiveEvent(event: WorkerEvent): void {
  const handle = workerEvents[event.type as keyof WorkerEventHandlers] as (event: WorkerEvent) => void;
  handle(event);
}

// One socket speaks for one user. A tab opened without a name reloads with the name the browser is signed in as;
// a tab with another name lets go of the worker, whose events are another user's.
function showOtherUser(signedInAs: string): void {
  if (!nameInAddress) {
    const url = new URL(location.href);
    url.searchParams.set("user", signedInAs);
    location.replace(url);
    return;
  }
  detach();
  whyNotConnected = `This browser is signed in as ${signedInAs} in another tab, and its tabs share one connection. Sign out first, or open ${userName} in a private window (another browser profile).`;
  setStatus(`Not connected: this browser is signed in as ${signedInAs}.`);
  showError(whyNotConnected);
}

// The message shows at once, greyed out, and the box is cleared; the log then shows what became of it.
async function sendMessage(text: string): Promise<void> {
  if (whyNotConnected !== undefined) {
    throw new Error(whyNotConnected);
  }
  const ref = newRef();
  showPending(ref, text);
  post({ type: "chat", ref, text });
}

function sendTyping(): void {
  post({ type: "typing" });
}

// This tab tells the worker; the others hear it on the channel, and let go of the worker.
function signOutEverywhere(): void {
  post({ type: "sign-out" });
  tellOtherTabs({ type: "signed-out" });
  signOutHere();
}

function signOutHere(): void {
  if (signedOut) {
    return;
  }
  signedOut = true;
  whyNotConnected = "You are signed out.";
  disconnect();
  dropAllPending();
  replaceMessages([]);
  showOnline([]);
  messageInput.disabled = true;
  sendButton.disabled = true;
  signOutButton.hidden = true;
  element("#identity").textContent = "You are signed out.";
  setStatus(
    `Signed out, in every tab of this browser. Reload to sign in again as ${userName}, or change ?user= in the address.`,
  );
}

// Leaving the page (or entering the back/forward cache): say goodbye, so the worker forgets this tab at once.
function disconnect(): void {
  countdown.abort();
  detach();
}

function reconnectOnReturn(event: PageTransitionEvent): void {
  if (event.persisted && !signedOut) {
    connect();
    reconnectNow();
  }
}

// The worker's socket may be waiting out a delay that grew while the network was away, or while this page was in
// the back/forward cache. Chromium fires "online" at windows only, not in workers: the tabs hear it for the worker.
function reconnectNow(): void {
  post({ type: "reconnect-now" });
}

// The worker stopped (chrome://inspect's "terminate", or a crash), and its socket with it: this tab starts a new one.
function restartWorker(): void {
  reconnect();
  setStatus("The shared worker stopped answering, so this tab started a new one. Connecting…");
}

signOutButton.addEventListener("click", signOutEverywhere);
// The one thing the tabs tell each other: this browser signed out.
onOtherTabs(signOutHere);
addEventListener("pagehide", disconnect);
addEventListener("pageshow", reconnectOnReturn);
addEventListener("online", reconnectNow);
onSend(sendMessage);
onTyping(sendTyping);
onSilence(restartWorker);
connect();
