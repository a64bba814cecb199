// Step 06: one WebSocket for every tab of the browser, held by a SharedWorker; the page's side.
// THE TECHNIQUE: the page opens no WebSocket of its own. It connects to the SharedWorker of this origin (the same
// one for every tab) and talks to it through a MessagePort: it sends commands (connect, join, chat, typing, logout,
// close) and reacts to events (a snapshot for itself, new messages, who is online, what became of each message,
// the state of the one connection). Where there is no SharedWorker, the same worker script runs as a dedicated
// worker of this tab: a socket per tab, as in step 04, and the status says so.
import { countDown } from "./backoff.js";
import { onOtherTabs, tellOtherTabs, type TabMessage } from "./broadcast.js";
import { dropAllPending, keepPendingLast, markFailed, showPending, takePending, waitingMessages } from "./pending.js";
import { showJoined, showLeft, showOnline } from "./presence.js";
import type { ConnectionState, HubEvent, Message, TabCommand } from "./protocol.js";
import { ROOM_NAME, ROOM_NAME_RULE, WORKER_SILENCE_MS } from "./settings.js";
import { onTyping, showTyping, stopTyping } from "./typing.js";
import { countDelivered, countFrame, element, onSend, replaceMessages, setStatus, showError, showMessages, userName } from "./ui.js";

// Part of the worker's address and name. Every page that asks for the same address and name gets the same
// SharedWorker, which lives as long as one of them is open. After a change to the worker, bump this: otherwise
// a new page would talk to the old worker that the old tabs keep running.
const WORKER_VERSION = 1;
const WORKER_URL = `/js/worker/worker.js?v=${WORKER_VERSION}`;
const WORKER_NAME = `chat-hub-v${WORKER_VERSION}`;
const DEFAULT_ROOM = "general";

const MODE_NOTES = {
  shared: "SharedWorker: one WebSocket for every tab of this browser",
  dedicated: "fallback: no SharedWorker in this browser, so this tab has a WebSocket of its own",
};

interface HubLink {
  mode: keyof typeof MODE_NOTES;
  post(command: TabCommand): void;
  // Lets go of the worker: closes this tab's port (shared), or ends this tab's own worker (dedicated).
  release(): void;
}

const address = new URLSearchParams(location.search);
const room = address.get("room")?.trim() || DEFAULT_ROOM;
// Without ?user=, ui.ts makes up a guest name; this tab then takes the name this browser is signed in as, if any.
const nameInAddress = Boolean(address.get("user")?.trim());
const messageInput = element<HTMLInputElement>("#message");
const sendButton = element<HTMLButtonElement>("#composer button");
const signOutButton = element<HTMLButtonElement>("#sign-out");
const signInSection = element<HTMLElement>("#sign-in");
const newNameInput = element<HTMLInputElement>("#new-name");

let hub: HubLink | undefined;
let lastHeard = Date.now();
let signedOut = false;
// Why a message cannot be sent now (the server refused us, another user holds the socket, we signed out).
let cannotSend: string | undefined;
let countdown = new AbortController();

function reportWorkerFailure(): void {
  setStatus("The worker could not start, so this tab cannot connect. Reload the page.");
}

function attachToHub(): HubLink {
  if (typeof SharedWorker === "function") {
    const worker = new SharedWorker(WORKER_URL, { type: "module", name: WORKER_NAME });
    worker.addEventListener("error", reportWorkerFailure);
    worker.port.addEventListener("message", receiveEvent);
    // A port that is listened to with addEventListener delivers nothing until start() is called.
    worker.port.start();
    return { mode: "shared", post: (command) => worker.port.postMessage(command), release: () => worker.port.close() };
  }
  const worker = new Worker(WORKER_URL, { type: "module", name: WORKER_NAME });
  worker.addEventListener("error", reportWorkerFailure);
  worker.addEventListener("message", receiveEvent);
  return { mode: "dedicated", post: (command) => worker.postMessage(command), release: () => worker.terminate() };
}

function connectToHub(): void {
  hub = attachToHub();
  lastHeard = Date.now();
  setStatus(`Connecting… (${MODE_NOTES[hub.mode]})`);
  // A port delivers in order: the worker handles "connect" first, and "join" only if it accepted us.
  hub.post({ type: "connect", user: userName });
  hub.post({ type: "join", room });
  // Messages the previous worker took along when it stopped: the same ids again, so none is stored twice.
  for (const { id, text } of waitingMessages()) {
    hub.post({ type: "chat", id, text });
  }
}

function post(command: TabCommand): void {
  hub?.post(command);
}

// Goodbye: a port has no close event, so the worker learns that this tab is gone from this message (or, if the
// tab crashed, from the pings it stops answering).
function leaveHub(): void {
  post({ type: "close" });
  hub?.release();
  hub = undefined;
}

function reconnectToHub(): void {
  hub?.release();
  connectToHub();
}

// The worker pings every tab; nothing heard for a while means it is gone (terminated, or crashed).
function watchWorker(): void {
  if (hub && Date.now() - lastHeard > WORKER_SILENCE_MS) {
    console.info("The worker has not pinged this tab for a while: connecting to it again.");
    reconnectToHub();
  }
}

function describeConnected(tabs: number): string {
  if (hub?.mode === "dedicated") {
    return `Connected (${MODE_NOTES.dedicated}).`;
  }
  return `Connected: one WebSocket shared by ${tabs} ${tabs === 1 ? "tab" : "tabs"} of this browser, held by a SharedWorker.`;
}

function showConnection(connection: ConnectionState): void {
  countdown.abort();
  countdown = new AbortController();
  const mode = MODE_NOTES[hub?.mode ?? "shared"];
  switch (connection.state) {
    case "connecting":
      setStatus(`Connecting… (${mode})`);
      break;
    case "connected":
      setStatus(describeConnected(connection.tabs));
      break;
    case "reconnecting":
      // Every tab counts down to the same moment, chosen by the worker.
      countDown(connection.retryAt - Date.now(), (seconds) => `${connection.reason} Reconnecting in ${seconds} s; messages wait until then. (${mode})`, countdown.signal);
      break;
    case "refused":
      cannotSend = `The server refused this connection: ${connection.reason}. Change ?user= in the address and reload.`;
      setStatus("Disconnected: the server refused this connection.");
      showError(cannotSend);
      break;
    case "signed-out":
      signOutHere();
      break;
  }
}

function showSnapshot(messages: Message[], online: string[], connection: ConnectionState): void {
  replaceMessages(messages);
  keepPendingLast();
  showOnline(online);
  showConnection(connection);
}

function showLive(messages: Message[]): void {
  for (const message of messages) {
    stopTyping(message.user);
  }
  showMessages(messages);
  countDelivered(messages);
  keepPendingLast();
}

function confirmSent(id: string, message: Message): void {
  takePending(id);
  showMessages([message]);
  keepPendingLast();
}

// The server will never accept this text as it is: it goes back into the box (if the box is free) to be edited.
function showRefused(id: string, error: string): void {
  const text = takePending(id);
  showError(error);
  if (text !== undefined && messageInput.value === "") {
    messageInput.value = text;
  }
}

function retry(id: string, text: string): void {
  post({ type: "chat", id, text });
}

// This tab lets go of the worker: it would only get the other user's events. A tab opened without a name
// reloads with the name this browser is signed in as.
function showIdentityConflict(signedInAs: string): void {
  if (!nameInAddress) {
    location.replace(addressFor(signedInAs));
    return;
  }
  leaveHub();
  cannotSend = `This browser is signed in as ${signedInAs} in another tab, and its tabs share one connection. Sign out first, or open ${userName} in a private window (another browser profile).`;
  setStatus(`Not connected: this browser is signed in as ${signedInAs}.`);
  showError(cannotSend);
}

function showRoomRefused(error: string): void {
  cannotSend = `The server refused room ${room}: ${error}. Try another room (?room= in the address), or reload later.`;
  showError(cannotSend);
}

function showBadRoom(): void {
  cannotSend = `A room name is ${ROOM_NAME_RULE}, so "${room}" cannot be used: change ?room= in the address.`;
  setStatus("Not connected: the room in the address is not a valid room name.");
  showError(cannotSend);
}

function receiveEvent(event: MessageEvent<HubEvent>): void {
  lastHeard = Date.now();
  const hubEvent = event.data;
  switch (hubEvent.type) {
    case "ping":
      post({ type: "pong" });
      break;
    case "connection":
      showConnection(hubEvent.connection);
      break;
    case "snapshot":
      showSnapshot(hubEvent.messages, hubEvent.online, hubEvent.connection);
      break;
    case "messages":
      showLive(hubEvent.messages);
      break;
    case "online":
      showOnline(hubEvent.users);
      break;
    case "joined":
      showJoined(hubEvent.user);
      break;
    case "left":
      showLeft(hubEvent.user);
      break;
    case "typing":
      showTyping(hubEvent.user);
      break;
    case "sent":
      confirmSent(hubEvent.id, hubEvent.message);
      break;
    case "refused":
      showRefused(hubEvent.id, hubEvent.error);
      break;
    case "failed":
      markFailed(hubEvent.id, retry);
      break;
    case "identity":
      showIdentityConflict(hubEvent.user);
      break;
    case "room-refused":
      showRoomRefused(hubEvent.error);
      break;
    case "forgotten":
      reconnectToHub();
      break;
    case "error":
      showError(hubEvent.error);
      break;
    case "traffic":
      countFrame(hubEvent.direction, hubEvent.bytes);
      break;
  }
}

// Ids for messages: new for every message, the same for its retries. crypto.randomUUID() exists only on https:
// and localhost pages; random bytes work everywhere.
function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// The message shows at once, greyed out, and the box is cleared; the log then shows what became of it.
// While the worker reconnects, messages wait for it (and fail if that takes too long).
async function sendMessage(text: string): Promise<void> {
  if (cannotSend !== undefined) {
    throw new Error(cannotSend);
  }
  const id = newMessageId();
  showPending(id, text);
  post({ type: "chat", id, text });
  tellOtherTabs({ type: "draft", room, text: "" });
}

function sendTyping(): void {
  post({ type: "typing" });
}

// ---- This browser's state, shared with its other tabs through BroadcastChannel. ----

function signOutHere(): void {
  if (signedOut) {
    return;
  }
  signedOut = true;
  cannotSend = "You are signed out.";
  post({ type: "logout" });
  leaveHub();
  countdown.abort();
  dropAllPending();
  replaceMessages([]);
  showOnline([]);
  messageInput.disabled = true;
  sendButton.disabled = true;
  signOutButton.hidden = true;
  signInSection.hidden = false;
  setStatus("Signed out, in every tab of this browser. Reloading this tab signs it in again with the name in its address.");
}

function signOutEverywhere(): void {
  tellOtherTabs({ type: "signed-out" });
  signOutHere();
}

function addressFor(user: string): string {
  const url = new URL(location.href);
  url.searchParams.set("user", user);
  return url.href;
}

function signInEverywhere(event: SubmitEvent): void {
  event.preventDefault();
  const user = newNameInput.value.trim();
  if (user === "") {
    showError("Type a name to sign in: spaces alone are not a name.");
    return;
  }
  tellOtherTabs({ type: "signed-in", user });
  location.assign(addressFor(user));
}

function receiveFromOtherTab(message: TabMessage): void {
  switch (message.type) {
    case "signed-out":
      signOutHere();
      break;
    case "signed-in":
      location.assign(addressFor(message.user));
      break;
    case "draft":
      if (message.room === room && messageInput.value !== message.text) {
        messageInput.value = message.text;
      }
      break;
  }
}

function shareDraft(): void {
  tellOtherTabs({ type: "draft", room, text: messageInput.value });
}

// The same check as the server's: with a room the server would refuse, the tab would stay empty.
function start(): void {
  if (!ROOM_NAME.test(room)) {
    showBadRoom();
    return;
  }
  connectToHub();
}

function returnToPage(event: PageTransitionEvent): void {
  if (event.persisted && !signedOut) {
    start();
  }
}

element("#room").textContent = room;
signOutButton.addEventListener("click", signOutEverywhere);
element<HTMLFormElement>("#sign-in form").addEventListener("submit", signInEverywhere);
messageInput.addEventListener("input", shareDraft);
onOtherTabs(receiveFromOtherTab);
addEventListener("pagehide", leaveHub);
addEventListener("pageshow", returnToPage);
onSend(sendMessage);
onTyping(sendTyping);
setInterval(watchWorker, WORKER_SILENCE_MS / 2);
start();
