// Step 06: the worker that holds the one WebSocket of this browser.
// THE TECHNIQUE: every tab of the origin connects to this SharedWorker through a MessagePort of its own, and the
// worker keeps one WebSocket to the server for all of them: step 04's page code, moved here and shared. It keeps
// the conversation, so that a new tab gets a snapshot at once; it tracks every message until the server
// acknowledges it; and it reconnects, with backoff, for every tab. Commands from the tabs and frames from the server
// each go through one table of handlers. The registry of tabs, with its heartbeat, is in tabs.ts.
// Where a browser has no SharedWorker, the page runs this same script as a dedicated worker: one socket per tab.
import type { ClientFrame, Message, ServerFrame, Update } from "../client/protocol.js";
import { retryDelay } from "../client/retry.js";
import { MAX_FRAME_BYTES, SEND_TIMEOUT_MS, TYPING_FRAME_INTERVAL_MS } from "../client/settings.js";
import type { ConnectionState, TabCommand, WorkerEvent } from "../client/worker-protocol.js";
import { forgetTab, postTo, postToAll, registerTab, serveTabs, signedInTabs, type Tab } from "./tabs.js";

// As many messages as the server keeps (HISTORY_LIMIT in store.ts): enough for the snapshot of a new tab.
const HISTORY_LIMIT = 300;

// Close codes from RFC 6455, section 7.4.1.
const CLOSE_NORMAL = 1000;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_MESSAGE_TOO_BIG = 1009;
const CLOSE_REASONS: Record<number, string> = {
  1001: "The server is restarting or shutting down (close code 1001).",
  1006: "The connection was lost, or the server cannot be reached (close code 1006).",
};

// Why a message was not sent, as its tab shows it. TOO_BIG is step 04's wording.
const TOO_BIG_TO_SEND = `That message is too big for the server, which reads frames of at most ${MAX_FRAME_BYTES} bytes. It was not sent: shorten it.`;
const TOO_BIG =
  "That message was too big for the server, which closed the connection (close code 1009). It was not sent: shorten it.";

// ---- The conversation, and the messages on their way. ----

// What every tab shows: where this browser is in the conversation (as in step 04's page: the server process and
// the newest id), the messages and who is online.
function newConversation() {
  return { cursor: { epoch: "", since: 0 }, messages: [] as Message[], online: [] as string[] };
}
let conversation = newConversation();

// A message sent, or waiting for the socket, and not acknowledged yet. By ref, in the order the tabs sent them.
interface Send {
  ref: number;
  text: string;
  tab: Tab;
  timer: ReturnType<typeof setTimeout>;
  // The socket that last carried it, and when (performance.now()).
  via: WebSocket | undefined;
  sentAt: number;
}
const sends = new Map<number, Send>();

function snapshot(): WorkerEvent {
  return { type: "snapshot", messages: conversation.messages, online: conversation.online, connection };
}

// ---- The socket: open, resume, close, back off. ----

let user: string | undefined;
let socket: WebSocket | undefined;
let connection: ConnectionState = { state: "connecting" };
let failures = 0;
// Why the connection was lost, from its first close until the next history: the attempts in between fail with
// 1006 (nobody answers), which says less than the close that started it (1001: the server is restarting).
let outageReason: string | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let lastTypingSent = -Infinity;

function openSocket(): void {
  if (user === undefined) {
    return;
  }
  // The worker's own address has the page's origin: ws: next to http:, wss: next to https:.
  const url = new URL("/ws", self.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("user", user);
  setConnection({ state: "connecting" });
  const opening = new WebSocket(url);
  socket = opening;
  opening.addEventListener("open", resume);
  opening.addEventListener("message", (event: MessageEvent<string>) => receiveFrame(event.data));
  opening.addEventListener("close", (event) => handleClose(opening, event));
}

// As in step 04, the first frame says where we are. Then every message still waiting for its ack goes out (again):
// the server knows a retry by its ref and stores it only once.
function resume(): void {
  setConnection({ state: "connected", tabs: signedInTabs().length });
  sendFrame({ type: "resume", ...conversation.cursor });
  for (const send of sends.values()) {
    transmit(send);
  }
}

function sendFrame(frame: ClientFrame): void {
  if (socket?.readyState !== WebSocket.OPEN) {
    return;
  }
  const data = JSON.stringify(frame);
  socket.send(data);
  postToAll({ type: "traffic", direction: "sent", bytes: byteLength(data) });
}

// While the socket is closed the message waits: resume() sends it on the next connection.
function transmit(send: Send): void {
  if (socket?.readyState === WebSocket.OPEN) {
    sendFrame({ type: "chat", ref: send.ref, text: send.text });
    send.via = socket;
    send.sentAt = performance.now();
  }
}

function handleClose(closed: WebSocket, event: CloseEvent): void {
  // A socket we closed on purpose (sign-out, no answer) has been replaced already.
  if (closed !== socket) {
    return;
  }
  socket = undefined;
  forgetWhoIsOnline();
  if (event.code === CLOSE_POLICY_VIOLATION) {
    // The server refused who we are (a name that is too long, say): trying again would not help.
    setConnection({ state: "refused", reason: event.reason });
    for (const send of sends.values()) {
      refuse(send, `The server refused this connection: ${event.reason}`);
    }
    return;
  }
  // 1009: a frame over the server's limit. The worker checks every chat frame first, so only a server that reads
  // less does this (another version of it, say). It answers frames in order: the frame it refused is the oldest
  // message on this socket with no answer yet. Sent again, that message would close the next socket too.
  const oldest = [...sends.values()].find((send) => send.via === closed);
  if (event.code === CLOSE_MESSAGE_TOO_BIG && oldest) {
    refuse(oldest, TOO_BIG);
  }
  reconnectLater(CLOSE_REASONS[event.code] ?? `The connection closed (close code ${event.code}).`);
}

// Every tab counts down to the same moment, the one chosen here.
function reconnectLater(reason: string): void {
  failures += 1;
  outageReason ??= reason;
  const delay = retryDelay(failures);
  setConnection({ state: "reconnecting", retryAt: Date.now() + delay, reason: outageReason });
  retryTimer = setTimeout(openSocket, delay);
}

// A tab heard the browser's "online" event (Chromium fires it at windows, not in workers), or came back from the
// back/forward cache. The delay that grew while the network was away says nothing about now: try at once.
function reconnectNow(): void {
  if (connection.state !== "reconnecting") {
    return;
  }
  clearTimeout(retryTimer);
  failures = 0;
  openSocket();
}

function closeSocket(reason: string): void {
  clearTimeout(retryTimer);
  const closing = socket;
  socket = undefined;
  closing?.close(CLOSE_NORMAL, reason);
}

function setConnection(next: ConnectionState): void {
  connection = next;
  postToAll({ type: "connection", connection });
}

// The tab count is part of the "connected" state: every tab can say how many share the socket.
function tabsChanged(): void {
  if (connection.state === "connected") {
    setConnection({ state: "connected", tabs: signedInTabs().length });
  }
}

// Without a connection we do not know who is online: an empty list is better than a stale one.
function forgetWhoIsOnline(): void {
  conversation.online = [];
  postToAll({ type: "presence", users: [] });
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

// ---- Frames from the server: one handler per ServerFrame type, as in step 04's page. ----

function receiveHistory(update: Update): void {
  failures = 0;
  outageReason = undefined;
  if (update.reset) {
    // The first history, or the server restarted (a new epoch): every tab starts again from this snapshot.
    conversation.messages = [];
  }
  conversation.messages = [...conversation.messages, ...update.messages].slice(-HISTORY_LIMIT);
  const newestId = update.messages.at(-1)?.id;
  conversation.cursor = { epoch: update.epoch, since: newestId ?? (update.reset ? 0 : conversation.cursor.since) };
  postToAll(update.reset ? snapshot() : { type: "messages", messages: update.messages });
}

function receiveChat(frame: Extract<ServerFrame, { type: "chat" }>): void {
  receiveHistory({ epoch: conversation.cursor.epoch, reset: false, messages: [frame.message] });
}

// The message shows in every tab when the server sends it to everyone; the ack tells its own tab that it is stored.
function receiveAck(frame: Extract<ServerFrame, { type: "ack" }>): void {
  const send = finishSend(frame.ref);
  if (send) {
    postTo(send.tab, { type: "ack", ref: send.ref });
    // The ack answers the frame that transmit() sent last: one round trip of the shared socket, timed for free.
    postToAll({ type: "round-trip", milliseconds: performance.now() - send.sentAt });
  }
}

// Who is online and who is typing go on to every tab as they came; who is online is kept for the next snapshot.
function passOn(frame: Extract<ServerFrame, { type: "presence" | "joined" | "left" | "typing" }>): void {
  if (frame.type === "presence") {
    conversation.online = frame.users;
  }
  if (frame.type === "joined") {
    // In the server's order, so that a snapshot lists the names as the other tabs show them.
    conversation.online = [...conversation.online, frame.user].sort((a, b) => a.localeCompare(b));
  }
  if (frame.type === "left") {
    conversation.online = conversation.online.filter((name) => name !== frame.user);
  }
  postToAll(frame);
}

// An error that names a ref refuses that message, in its own tab alone. (A ref this worker no longer tracks was a
// message of a tab that has gone, or one given up already: nobody waits for its answer.) An error without a ref
// is about the socket that every tab shares.
function receiveError(frame: Extract<ServerFrame, { type: "error" }>): void {
  if (frame.ref === undefined) {
    postToAll({ type: "error", error: `The server refused a frame: ${frame.error}` });
    return;
  }
  const send = sends.get(frame.ref);
  if (send) {
    refuse(send, `The server refused the message: ${frame.error}`);
  }
}

type ServerFrameHandlers = { [T in ServerFrame["type"]]: (frame: Extract<ServerFrame, { type: T }>) => void };

const serverFrames: ServerFrameHandlers = {
  history: receiveHistory,
  chat: receiveChat,
  ack: receiveAck,
  presence: passOn,
  joined: passOn,
  left: passOn,
  typing: passOn,
  error: receiveError,
};

// The server is our own, so a frame of a known type is trusted. Anything else (not JSON, no type, a type that a
// newer server added) is skipped: it must not throw in the worker that every tab depends on.
function receiveFrame(data: string): void {
  postToAll({ type: "traffic", direction: "received", bytes: byteLength(data) });
  let frame: { type?: unknown } | null = null;
  try {
    frame = JSON.parse(data) as { type?: unknown } | null;
  } catch {
    // Not JSON: skipped just below.
  }
  if (typeof frame?.type !== "string" || !Object.hasOwn(serverFrames, frame.type)) {
    console.warn("The server sent a frame this worker cannot read:", data);
    return;
  }
  // TypeScript cannot see that a frame and the handler chosen by its own type belong together: one cast, here.
  const handle = serverFrames[frame.type as ServerFrame["type"]] as (frame: ServerFrame) => void;
  handle(frame as ServerFrame);
}

// ---- Commands from the tabs, checked by tabs.ts: one handler per TabCommand type. ----

// One socket speaks for one user: a tab that asks for another name while this browser is signed in is told who is.
function signIn(tab: Tab, command: Extract<TabCommand, { type: "sign-in" }>): void {
  const signedIn = user !== undefined && connection.state !== "refused";
  if (signedIn && command.user !== user) {
    postTo(tab, { type: "signed-in-as", user: user ?? "" });
    return;
  }
  if (!signedIn) {
    signOut();
    user = command.user;
    openSocket();
  }
  tab.signedIn = true;
  // For this tab alone. (Before the first history it is empty: that history then goes to every tab as a snapshot.)
  postTo(tab, snapshot());
  tabsChanged();
}

function sendChat(tab: Tab, command: Extract<TabCommand, { type: "chat" }>): void {
  // Already on its way (the tab sent it twice): its answer will come.
  if (sends.has(command.ref)) {
    return;
  }
  // The server would close the socket on it (1009), and the worker would send it again on the next one.
  if (byteLength(JSON.stringify({ type: "chat", ref: command.ref, text: command.text })) > MAX_FRAME_BYTES) {
    postTo(tab, { type: "refused", ref: command.ref, error: TOO_BIG_TO_SEND });
    return;
  }
  const timer = setTimeout(() => giveUp(command.ref), SEND_TIMEOUT_MS);
  const send: Send = { ref: command.ref, text: command.text, tab, timer, via: undefined, sentAt: 0 };
  sends.set(send.ref, send);
  transmit(send);
}

// Forgotten: it is not sent again unless the user retries it, with the same ref.
function giveUp(ref: number): void {
  const send = finishSend(ref);
  if (!send) {
    return;
  }
  postTo(send.tab, { type: "failed", ref });
  // Only the server pings, so a connection that died quietly (Wi-Fi gone, laptop asleep) shows no close event
  // for minutes. The socket that carried this message did not answer: drop it and connect again at once.
  if (send.via !== undefined && send.via === socket) {
    closeSocket("no answer from the server");
    forgetWhoIsOnline();
    reconnectLater("The server did not answer in time.");
  }
}

function finishSend(ref: number): Send | undefined {
  const send = sends.get(ref);
  clearTimeout(send?.timer);
  sends.delete(ref);
  return send;
}

function refuse(send: Send, error: string): void {
  finishSend(send.ref);
  postTo(send.tab, { type: "refused", ref: send.ref, error });
}

// "Alice is typing" is the same news from any of her tabs: one frame per interval is enough for all of them.
function sendTyping(): void {
  if (Date.now() - lastTypingSent < TYPING_FRAME_INTERVAL_MS) {
    return;
  }
  lastTypingSent = Date.now();
  sendFrame({ type: "typing" });
}

// A tab still signed out is late to the news: the browser signed out already (BroadcastChannel told that tab).
function signOutBrowser(tab: Tab): void {
  if (tab.signedIn) {
    signOut();
  }
}

// The socket closes and everything is forgotten. Also before a new sign-in, and after the last tab has gone.
function signOut(): void {
  closeSocket("signed out");
  for (const send of sends.values()) {
    finishSend(send.ref);
  }
  for (const tab of signedInTabs()) {
    tab.signedIn = false;
  }
  user = undefined;
  failures = 0;
  outageReason = undefined;
  conversation = newConversation();
}

// The tab said goodbye, crashed or stopped answering. Its messages go with it (a frame already sent still reaches
// the server); the last tab takes the socket along.
function tabGone(tab: Tab): void {
  for (const send of sends.values()) {
    if (send.tab === tab) {
      finishSend(send.ref);
    }
  }
  if (signedInTabs().length === 0) {
    signOut();
    return;
  }
  tabsChanged();
}

type TabCommandHandlers = {
  [T in Exclude<TabCommand["type"], "pong">]: (tab: Tab, command: Extract<TabCommand, { type: T }>) => void;
};

const tabCommands: TabCommandHandlers = {
  "sign-in": signIn,
  chat: sendChat,
  typing: sendTyping,
  "sign-out": signOutBrowser,
  // tabs.ts then tells tabGone.
  goodbye: forgetTab,
  "reconnect-now": reconnectNow,
};

// As for the server's frames, one cast. tabs.ts has checked the command, and answers the pongs itself.
function receiveCommand(tab: Tab, command: TabCommand): void {
  const handle = tabCommands[command.type as keyof TabCommandHandlers] as (tab: Tab, command: TabCommand) => void;
  handle(tab, command);
}

// In a SharedWorker every tab arrives through a "connect" event with a port of its own. In a dedicated worker
// (the fallback) the worker's global scope is the one port to its one tab.
declare const self: SharedWorkerGlobalScope | DedicatedWorkerGlobalScope;

function addTab(event: MessageEvent): void {
  const port = event.ports[0];
  registerTab(port);
  // A port that is listened to with addEventListener delivers nothing until start() is called.
  port.start();
}

serveTabs({ command: receiveCommand, gone: tabGone });
if ("onconnect" in self) {
  self.addEventListener("connect", addTab);
} else {
  registerTab(self);
}
