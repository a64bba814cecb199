// Step 06: one WebSocket for every tab of the browser, held by a SharedWorker; the page's side.
// THE TECHNIQUE: the page opens no WebSocket. It signs in to the worker (worker-link.ts), posts it commands and
// shows what the worker tells it: a snapshot of the conversation for itself alone, then new messages, who is
// online, what became of each message, and the state of the one connection. A message shows at once, greyed out,
// until the worker says it was stored (pending.ts). Signing out reaches every tab by BroadcastChannel.
import { countDown } from "./backoff.js";
import { onOtherTabs, tellOtherTabs } from "./broadcast.js";
import { keepPendingLast, markFailed, showPending, takePending, waitingMessages } from "./pending.js";
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
import { attach, detach, mode, MODE_NOTES, post, type WorkerEventHandlers } from "./worker-link.js";
import type { ConnectionState, WorkerEvent } from "./worker-protocol.js";

const messageInput = element<HTMLInputElement>("#message");

// Why a message cannot be sent now: the server refused us, another user holds the socket, or we signed out.
// While the worker reconnects, messages can still be sent: they wait in the worker.
let whyNotConnected: string | undefined;
let signedOut = false;
// Aborted when the next connection state arrives: the countdown on the status line belongs to the last one.
let countdown = new AbortController();

// The first commands to a worker, and to a new one if this tab must start over: a port delivers in order, so the
// worker signs this tab in before it reads the messages. Those a stopped worker took along go again, with the
// same refs, so the server stores none of them twice.
function signIn(): void {
  setStatus(`Connecting… (${MODE_NOTES[mode]})`);
  post({ type: "sign-in", user: userName });
  for (const { ref, text } of waitingMessages()) {
    postChat(ref, text);
  }
}

function showSnapshot(event: Extract<WorkerEvent, { type: "snapshot" }>): void {
  replaceMessages(event.messages);
  keepPendingLast();
  showOnline(event.online);
}

function showLive(messages: Message[]): void {
  for (const message of messages) {
    stopTyping(message.user);
  }
  showMessages(messages);
  countDelivered(messages);
  keepPendingLast();
}

function showConnection(connection: ConnectionState, tabs: number): void {
  countdown.abort();
  countdown = new AbortController();
  switch (connection.state) {
    case "connecting":
      setStatus(`Connecting… (${MODE_NOTES[mode]})`);
      break;
    case "connected":
      setStatus(mode === "shared" ? describeSharing(tabs) : `Connected (${MODE_NOTES.dedicated}).`);
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

// One socket speaks for one user. A tab opened without ?user= (ui.ts made up a guest name) reloads with the name
// the browser is signed in as; a tab with another name lets go of the worker, whose events are another user's.
function showOtherUser(signedInAs: string): void {
  if (!new URLSearchParams(location.search).get("user")?.trim()) {
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
  failed: (event) => markFailed(event.ref, postChat),
  connection: (event) => showConnection(event.connection, event.tabs),
  "signed-in-as": (event) => showOtherUser(event.user),
  error: (event) => showError(event.error),
  traffic: (event) => countFrame(event.direction, event.bytes),
  "round-trip": (event) => countRoundTrip(event.milliseconds),
};

// The message shows at once, greyed out, and the box is cleared; the log then shows what became of it.
async function sendMessage(text: string): Promise<void> {
  if (whyNotConnected !== undefined) {
    throw new Error(whyNotConnected);
  }
  const ref = newRef();
  showPending(ref, text);
  postChat(ref, text);
}

// A new message, a retry (the same ref again), or a message a stopped worker took along.
function postChat(ref: number, text: string): void {
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
  signedOut = true;
  whyNotConnected = "You are signed out.";
  countdown.abort();
  detach();
  replaceMessages([]);
  showOnline([]);
  messageInput.disabled = true;
  element<HTMLButtonElement>("#composer button").disabled = true;
  element("#sign-out").hidden = true;
  element("#identity").textContent = "You are signed out.";
  setStatus(
    `Signed out, in every tab of this browser. Reload to sign in again as ${userName}, or change ?user= in the address.`,
  );
}

function returnToPage(event: PageTransitionEvent): void {
  if (event.persisted && !signedOut) {
    attach(workerEvents, signIn);
    reconnectNow();
  }
}

// The worker's socket may be waiting out a delay that grew while the network was away, or while this page was in
// the back/forward cache. Chromium fires "online" at windows only, not in workers: the tabs hear it for the worker.
function reconnectNow(): void {
  post({ type: "reconnect-now" });
}

element("#sign-out").addEventListener("click", signOutEverywhere);
// The one thing the tabs tell each other: this browser signed out.
onOtherTabs(signOutHere);
// Leaving the page (or entering the back/forward cache): say goodbye, so the worker forgets this tab at once.
addEventListener("pagehide", detach);
addEventListener("pageshow", returnToPage);
addEventListener("online", reconnectNow);
onSend(sendMessage);
onTyping(sendTyping);
attach(workerEvents, signIn);
