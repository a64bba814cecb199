// Step 06: the worker that holds the one WebSocket of this browser.
// THE TECHNIQUE: every tab of the origin talks to this SharedWorker through a MessagePort of its own (tabs.ts keeps
// the ports), and the worker keeps one WebSocket to the server for all of them: step 04's page code, moved here and
// shared. It keeps the conversation, so that a new tab gets a snapshot at once; it tracks every message until the
// server acknowledges it; and it reconnects, with backoff, for every tab. Frames from the server and commands from
// the tabs each go through one table of handlers.
// Where a browser has no SharedWorker, the page runs this same script as a dedicated worker: one socket per tab.
import type { ClientFrame, Message, ServerFrame, Update } from "../client/protocol.js";
import { retryDelay } from "../client/retry.js";
import {
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_NORMAL,
  CLOSE_POLICY_VIOLATION,
  describeClose,
  socketUrl,
  TOO_BIG,
} from "../client/socket.js";
import { SEND_TIMEOUT_MS, type ConnectionState, type TabCommand, type WorkerEvent } from "../client/worker-protocol.js";
import { postTo, postToAll, reportTraffic, serveTabs, signedInTabs, type CommandHandlers, type Tab } from "./tabs.js";

// As many messages as the server keeps (HISTORY_LIMIT in store.ts): enough for the snapshot of a new tab.
const HISTORY_LIMIT = 300;

// ---- The state of one conversation: what every tab shows, and the messages on their way. ----

// Where this browser is in the conversation (step 04's cursor: the server process and the newest id), the
// messages and who is online.
function newConversation() {
  return { cursor: { epoch: "", since: 0 }, messages: [] as Message[], online: [] as string[] };
}
let conversation = newConversation();

// A message that a tab sent and the server has not acknowledged yet, by ref, in the order the tabs sent them.
interface Send {
  ref: number;
  text: string;
  tab: Tab;
  timer: ReturnType<typeof setTimeout>;
  // When it last went out (performance.now()), to time the round trip.
  sentAt: number;
}
const sends = new Map<number, Send>();

// ---- The socket: open, resume, close, back off. ----

// The one user this browser is signed in as (undefined when signed out, or refused by the server).
let user: string | undefined;
let socket: WebSocket | undefined;
let connection: ConnectionState = { state: "connecting" };
let failures = 0;
// Why the connection was lost, from its first close until the next history: the attempts in between fail with
// 1006 (nobody answers), which says less than the close that started it (1001: the server is restarting).
let outageReason: string | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function openSocket(): void {
  if (user === undefined) {
    return;
  }
  setConnection({ state: "connecting" });
  socket = new WebSocket(socketUrl(user));
  socket.addEventListener("open", resume);
  socket.addEventListener("message", receiveFrame);
  socket.addEventListener("close", handleClose);
}

// As in step 04, the first frame says where we are. Then every message still waiting for its ack goes out (again):
// the server knows a retry by its ref and stores it only once.
function resume(): void {
  setConnection({ state: "connected" });
  sendFrame({ type: "resume", ...conversation.cursor });
  for (const send of sends.values()) {
    transmit(send);
  }
}

// While the socket is closed nothing goes out: a chat frame waits in `sends` until resume() sends it.
function sendFrame(frame: ClientFrame): void {
  if (socket?.readyState !== WebSocket.OPEN) {
    return;
  }
  const data = JSON.stringify(frame);
  socket.send(data);
  reportTraffic("sent", data);
}

function transmit(send: Send): void {
  send.sentAt = performance.now();
  sendFrame({ type: "chat", ref: send.ref, text: send.text });
}

function handleClose(event: CloseEvent): void {
  // A socket we closed on purpose (sign-out, no answer) has been replaced already.
  if (event.target !== socket) {
    return;
  }
  socket = undefined;
  if (event.code === CLOSE_POLICY_VIOLATION) {
    // The server refused who we are (a name that is too long, say): trying again would not help. The worker
    // signs out, and the next tab to sign in may try another name.
    for (const ref of sends.keys()) {
      settle(ref, { type: "refused", ref, error: `The server refused this connection: ${event.reason}` });
    }
    setConnection({ state: "refused", reason: event.reason });
    signOut();
    return;
  }
  // 1009: a frame over the server's limit. tabs.ts checks every chat command first, so only a server that reads
  // less does this. It answers frames in order, so the frame it refused is the oldest message with no answer yet:
  // sent again, that message would close the next socket too.
  const oldest = sends.keys().next().value;
  if (event.code === CLOSE_MESSAGE_TOO_BIG && oldest !== undefined) {
    settle(oldest, { type: "refused", ref: oldest, error: TOO_BIG });
  }
  reconnectLater(describeClose(event));
}

// Every tab counts down to the same moment, the one chosen here. Until then nobody knows who is online: an empty
// list is better than a stale one.
function reconnectLater(reason: string): void {
  conversation.online = [];
  postToAll({ type: "presence", users: [] });
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

// The number of tabs that share the socket goes with its state, and again whenever it changes.
function setConnection(next: ConnectionState): void {
  connection = next;
  postToAll({ type: "connection", connection, tabs: signedInTabs().length });
}

// ---- Frames from the server: one handler per ServerFrame type, as in step 04's page. ----

function receiveHistory(update: Update): void {
  failures = 0;
  outageReason = undefined;
  // The first history, or the server restarted (a new epoch): every tab starts again from this snapshot.
  const kept = update.reset ? [] : conversation.messages;
  conversation.messages = [...kept, ...update.messages].slice(-HISTORY_LIMIT);
  const newestId = update.messages.at(-1)?.id;
  conversation.cursor = { epoch: update.epoch, since: newestId ?? (update.reset ? 0 : conversation.cursor.since) };
  postToAll(update.reset ? snapshot() : { type: "messages", messages: update.messages });
}

function receiveChat(frame: Extract<ServerFrame, { type: "chat" }>): void {
  receiveHistory({ epoch: conversation.cursor.epoch, reset: false, messages: [frame.message] });
}

// The message shows in every tab when the server sends it to everyone; the ack tells its own tab that it is stored.
// It answers the frame that transmit() sent last: one round trip of the shared socket, timed for free.
function receiveAck({ ref }: Extract<ServerFrame, { type: "ack" }>): void {
  const send = settle(ref, { type: "ack", ref });
  if (send) {
    postToAll({ type: "round-trip", milliseconds: performance.now() - send.sentAt });
  }
}

// Who is online and who is typing go on to every tab as they came. Who is online is also kept, in the server's
// order, for the snapshot of the next tab.
function passOn(frame: Extract<ServerFrame, { type: "presence" | "joined" | "left" | "typing" }>): void {
  if (frame.type === "presence") {
    conversation.online = frame.users;
  }
  if (frame.type === "joined") {
    conversation.online = [...conversation.online, frame.user].sort((a, b) => a.localeCompare(b));
  }
  if (frame.type === "left") {
    conversation.online = conversation.online.filter((name) => name !== frame.user);
  }
  postToAll(frame);
}

// An error that names a ref refuses that message, in its own tab alone. An error without a ref is about the
// socket that every tab shares.
function receiveError({ ref, error }: Extract<ServerFrame, { type: "error" }>): void {
  if (ref === undefined) {
    postToAll({ type: "error", error: `The server refused a frame: ${error}` });
    return;
  }
  settle(ref, { type: "refused", ref, error: `The server refused the message: ${error}` });
}

const serverFrames: { [T in ServerFrame["type"]]: (frame: Extract<ServerFrame, { type: T }>) => void } = {
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
function receiveFrame(event: MessageEvent<string>): void {
  reportTraffic("received", event.data);
  let frame: { type?: unknown } | null = null;
  try {
    frame = JSON.parse(event.data) as { type?: unknown } | null;
  } catch {
    // Not JSON: skipped just below.
  }
  if (typeof frame?.type !== "string" || !Object.hasOwn(serverFrames, frame.type)) {
    console.warn("The server sent a frame this worker cannot read:", event.data);
    return;
  }
  // TypeScript cannot see that a frame and the handler chosen by its own type belong together: one cast, here.
  const handle = serverFrames[frame.type as ServerFrame["type"]] as (frame: ServerFrame) => void;
  handle(frame as ServerFrame);
}

// ---- Commands from the tabs, checked by tabs.ts: one handler per command type. ----

// One socket speaks for one user: a tab that asks for another name while this browser is signed in is told who is.
function signIn(tab: Tab, command: Extract<TabCommand, { type: "sign-in" }>): void {
  if (user !== undefined && command.user !== user) {
    postTo(tab, { type: "signed-in-as", user });
    return;
  }
  if (user === undefined) {
    user = command.user;
    openSocket();
  }
  tab.signedIn = true;
  // For this tab alone. (Before the first history it is empty: that history then goes to every tab as a snapshot.)
  postTo(tab, snapshot());
  setConnection(connection);
}

function snapshot(): WorkerEvent {
  return { type: "snapshot", messages: conversation.messages, online: conversation.online };
}

function sendChat(tab: Tab, { ref, text }: Extract<TabCommand, { type: "chat" }>): void {
  // Already on its way (the tab sent it twice): its answer will come.
  if (sends.has(ref)) {
    return;
  }
  const send: Send = { ref, text, tab, timer: setTimeout(() => giveUp(ref), SEND_TIMEOUT_MS), sentAt: 0 };
  sends.set(ref, send);
  transmit(send);
}

// Forgotten: it is not sent again unless the user retries it, with the same ref.
function giveUp(ref: number): void {
  settle(ref, { type: "failed", ref });
  // Only the server pings, so a connection that died quietly (Wi-Fi gone, laptop asleep) shows no close event
  // for minutes. An open socket has carried this message and did not answer: drop it and connect again at once.
  if (socket?.readyState === WebSocket.OPEN) {
    closeSocket("no answer from the server");
    reconnectLater("The server did not answer in time.");
  }
}

// The worker forgets the message and tells its tab what became of it (if there is a `fate` to tell). A ref the
// worker no longer tracks was given up already, or forgotten at sign-out: nobody waits for it.
function settle(ref: number, fate?: Extract<WorkerEvent, { type: "ack" | "refused" | "failed" }>): Send | undefined {
  const send = sends.get(ref);
  if (!send) {
    return undefined;
  }
  clearTimeout(send.timer);
  sends.delete(ref);
  if (fate) {
    postTo(send.tab, fate);
  }
  return send;
}

// The socket closes and everything is forgotten: on a tab's command, when the server refused who we are, and after
// the last tab has gone.
function signOut(): void {
  closeSocket("signed out");
  for (const ref of sends.keys()) {
    settle(ref);
  }
  for (const tab of signedInTabs()) {
    tab.signedIn = false;
  }
  user = undefined;
  failures = 0;
  outageReason = undefined;
  conversation = newConversation();
}

// The tab said goodbye, crashed or stopped answering. Its messages still go out, and their answers reach no tab
// (postTo() posts only to tabs in the registry); the last tab takes the socket, and the messages, along.
function tabGone(): void {
  if (signedInTabs().length === 0) {
    signOut();
    return;
  }
  setConnection(connection);
}

const tabCommands: CommandHandlers = {
  "sign-in": signIn,
  chat: sendChat,
  // tabs.ts passes on one typing command per interval, whichever tab posts it.
  typing: () => sendFrame({ type: "typing" }),
  "sign-out": signOut,
  "reconnect-now": reconnectNow,
};

serveTabs(tabCommands, tabGone);
