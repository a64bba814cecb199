// Step 06: the worker that holds the one WebSocket of this browser.
// THE TECHNIQUE: every tab of the origin connects to this SharedWorker through its own MessagePort, and the worker
// keeps one WebSocket to the server for all of them. Commands from the tabs and events from the server each go
// through one table of handlers. The worker subscribes to a room while at least one tab shows it, gives every new
// tab a snapshot of its own, tracks each message until the server acknowledges it, and reconnects (with backoff,
// resuming every room from its cursor) by itself. When the last tab leaves, it closes the socket.
// Where a browser has no SharedWorker, the page runs this same script as a dedicated worker: one socket per tab.
import type { ClientFrame, ConnectionState, HubEvent, Message, ServerFrame, TabCommand } from "../client/protocol.js";
import { MAX_FRAME_BYTES, SEND_TIMEOUT_MS } from "../client/settings.js";
import { retryDelay } from "../client/retry.js";
import { forgetTab, postTo, postToAll, postToRoom, registerTab, serveTabs, tabCount, tabsIn, type Port, type Tab } from "./tabs.js";

// As many messages per room as the server keeps: enough for the snapshot of a new tab.
const HISTORY_LIMIT = 300;

// Close codes from RFC 6455, section 7.4.1.
const CLOSE_NORMAL = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_ABNORMAL = 1006;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_MESSAGE_TOO_BIG = 1009;

// Why a message was not sent, as its tab shows it. TOO_BIG is step 04's wording.
const TOO_BIG_TO_SEND = `That message is too big for the server, which reads frames of at most ${MAX_FRAME_BYTES} bytes. It was not sent: shorten it.`;
const TOO_BIG = "That message was too big for the server, which closed the connection (close code 1009). It was not sent: shorten it.";
const NOT_IN_A_ROOM = "This tab is not in a room, so the message was not sent.";

// What the worker knows of a room that at least one tab shows.
interface Room {
  cursor: { epoch: string; since: number };
  messages: Message[];
  online: string[];
  // true once a history has arrived: from then on a new tab gets its snapshot at once.
  loaded: boolean;
}

// A message on its way: sent (or waiting for the socket) and not acknowledged yet. When it fails, the worker
// forgets it, and its tab keeps the text for a retry: no late ack can come, because the socket that carried it is
// closed by then, and a closed WebSocket delivers nothing more.
interface Send {
  id: string;
  room: string;
  text: string;
  tab: Tab;
  timer: ReturnType<typeof setTimeout> | undefined;
  // The socket that last carried it, if any.
  via: WebSocket | undefined;
}

let user: string | undefined;
let socket: WebSocket | undefined;
let connection: ConnectionState = { state: "signed-out" };
let failures = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
const rooms = new Map<string, Room>();
const sends = new Map<string, Send>();
const encoder = new TextEncoder();

function setConnection(next: ConnectionState): void {
  connection = next;
  postToAll({ type: "connection", connection });
}

// The tab count is part of the "connected" state: every tab can say how many share the socket.
function tabsChanged(): void {
  if (connection.state === "connected") {
    setConnection({ state: "connected", tabs: tabCount() });
  }
}

function snapshotOf(name: string, room: Room): HubEvent {
  return { type: "snapshot", room: name, messages: room.messages, online: room.online, connection };
}

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

// Sends a frame if the socket is open. When it is not, nothing is lost: on the next open the worker joins every
// room again and sends every message still waiting.
function sendFrame(frame: ClientFrame): void {
  if (socket?.readyState !== WebSocket.OPEN) {
    return;
  }
  const data = JSON.stringify(frame);
  socket.send(data);
  postToAll({ type: "traffic", direction: "sent", bytes: byteLength(data) });
}

function joinFrame(name: string, room: Room): ClientFrame {
  return { type: "join", room: name, ...room.cursor };
}

function chatFrame(send: Send): ClientFrame {
  return { type: "chat", room: send.room, id: send.id, text: send.text };
}

function frameBytes(send: Send): number {
  return byteLength(JSON.stringify(chatFrame(send)));
}

function transmit(send: Send): void {
  if (socket?.readyState === WebSocket.OPEN) {
    sendFrame(chatFrame(send));
    send.via = socket;
  }
}

function addMessages(room: Room, messages: Message[]): void {
  room.messages = [...room.messages, ...messages].slice(-HISTORY_LIMIT);
  room.cursor.since = messages.at(-1)?.id ?? room.cursor.since;
}

// ---- Events from the server: one handler per ServerFrame type. ----

function receiveHistory(frame: Extract<ServerFrame, { type: "history" }>): void {
  const room = rooms.get(frame.room);
  // A room that every tab left while its history was on the way.
  if (!room) {
    return;
  }
  failures = 0;
  room.loaded = true;
  if (frame.reset) {
    // The first history of this room, or the server restarted (a new epoch): every tab of the room starts again.
    room.cursor = { epoch: frame.epoch, since: 0 };
    room.messages = [];
    addMessages(room, frame.messages);
    postToRoom(frame.room, snapshotOf(frame.room, room));
    return;
  }
  if (frame.messages.length > 0) {
    addMessages(room, frame.messages);
    postToRoom(frame.room, { type: "messages", messages: frame.messages });
  }
}

function receiveChat(frame: Extract<ServerFrame, { type: "chat" }>): void {
  const room = rooms.get(frame.room);
  if (!room) {
    return;
  }
  addMessages(room, [frame.message]);
  postToRoom(frame.room, { type: "messages", messages: [frame.message] });
}

function finishSend(id: string): Send | undefined {
  const send = sends.get(id);
  if (send) {
    clearTimeout(send.timer);
    sends.delete(id);
  }
  return send;
}

function receiveAck(frame: Extract<ServerFrame, { type: "ack" }>): void {
  const send = finishSend(frame.id);
  if (send) {
    postTo(send.tab, { type: "sent", id: frame.id, message: frame.message });
  }
}

function receivePresence(frame: Extract<ServerFrame, { type: "presence" }>): void {
  const room = rooms.get(frame.room);
  if (!room) {
    return;
  }
  room.online = frame.users;
  postToRoom(frame.room, { type: "online", users: frame.users });
}

function receiveJoined(frame: Extract<ServerFrame, { type: "joined" }>): void {
  const room = rooms.get(frame.room);
  if (!room) {
    return;
  }
  // In the server's order, so that a new tab's snapshot lists the names as the other tabs show them.
  room.online = [...room.online, frame.user].sort((a, b) => a.localeCompare(b));
  postToRoom(frame.room, { type: "joined", user: frame.user });
}

function receiveLeft(frame: Extract<ServerFrame, { type: "left" }>): void {
  const room = rooms.get(frame.room);
  if (!room) {
    return;
  }
  room.online = room.online.filter((name) => name !== frame.user);
  postToRoom(frame.room, { type: "left", user: frame.user });
}

function receiveTyping(frame: Extract<ServerFrame, { type: "typing" }>): void {
  postToRoom(frame.room, { type: "typing", user: frame.user });
}

// The server would not let this browser into a room (it has too many rooms, say). Only the tabs that show the
// room are told, and they no longer count as being in it.
function refuseRoom(name: string, error: string): void {
  if (!rooms.delete(name)) {
    return;
  }
  for (const tab of tabsIn(name)) {
    tab.room = undefined;
    postTo(tab, { type: "room-refused", error });
  }
}

function receiveError(frame: Extract<ServerFrame, { type: "error" }>): void {
  if (frame.id !== undefined) {
    // A message this worker no longer tracks belonged to a tab that has gone: nobody is waiting for the answer.
    const send = finishSend(frame.id);
    if (send) {
      postTo(send.tab, { type: "refused", id: send.id, error: `The server refused the message: ${frame.error}` });
    }
    return;
  }
  if (frame.room !== undefined) {
    refuseRoom(frame.room, frame.error);
    return;
  }
  postToAll({ type: "error", error: `The server refused a frame: ${frame.error}` });
}

type ServerFrameHandlers = { [T in ServerFrame["type"]]: (frame: Extract<ServerFrame, { type: T }>) => void };

const serverEvents: ServerFrameHandlers = {
  history: receiveHistory,
  chat: receiveChat,
  ack: receiveAck,
  presence: receivePresence,
  joined: receiveJoined,
  left: receiveLeft,
  typing: receiveTyping,
  error: receiveError,
};

// The server is our own, so a frame of a known type is trusted. Anything else (not JSON, no type, a type that a
// newer server added) is skipped here: it must not throw in the worker that every tab depends on.
function parseServerFrame(data: string): ServerFrame | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return undefined;
  }
  const type = (frame as { type?: unknown } | null)?.type;
  return typeof type === "string" && Object.hasOwn(serverEvents, type) ? (frame as ServerFrame) : undefined;
}

function receiveFrame(data: string): void {
  postToAll({ type: "traffic", direction: "received", bytes: byteLength(data) });
  const frame = parseServerFrame(data);
  if (!frame) {
    console.warn("The server sent a frame this worker cannot read:", data);
    return;
  }
  // TypeScript cannot see that a frame and the handler chosen by its own type belong together: one cast, here.
  const handle = serverEvents[frame.type] as (frame: ServerFrame) => void;
  handle(frame);
}

// ---- The socket. ----

function socketUrl(name: string): string {
  // The worker's own address has the page's origin: ws: next to http:, wss: next to https:.
  const url = new URL("/ws", self.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("user", name);
  return url.href;
}

function handleOpen(): void {
  setConnection({ state: "connected", tabs: tabCount() });
  // Joins first: the server handles frames in order, so each message below finds its room joined.
  for (const [name, room] of rooms) {
    sendFrame(joinFrame(name, room));
  }
  for (const send of sends.values()) {
    transmit(send);
  }
}

function describeClose(event: CloseEvent): string {
  if (event.code === CLOSE_GOING_AWAY) {
    return "The server is restarting or shutting down (close code 1001).";
  }
  if (event.code === CLOSE_ABNORMAL) {
    return "The connection was lost, or the server cannot be reached (close code 1006).";
  }
  return `The connection closed (close code ${event.code}${event.reason ? `: ${event.reason}` : ""}).`;
}

// Without a connection we do not know who is online: an empty list is better than a stale one.
function forgetWhoIsOnline(): void {
  for (const [name, room] of rooms) {
    room.online = [];
    postToRoom(name, { type: "online", users: [] });
  }
}

function reconnectLater(reason: string): void {
  forgetWhoIsOnline();
  failures += 1;
  const delay = retryDelay(failures);
  setConnection({ state: "reconnecting", retryAt: Date.now() + delay, reason });
  retryTimer = setTimeout(openSocket, delay);
}

function refuseAllSends(error: string): void {
  for (const send of sends.values()) {
    clearTimeout(send.timer);
    postTo(send.tab, { type: "refused", id: send.id, error });
  }
  sends.clear();
}

// 1009: the socket carried a frame over the server's limit. The worker checks every chat frame first, so this
// happens only when the server reads less than MAX_FRAME_BYTES (another version of it, say). Sent again, that
// message would close the next socket too. Of the messages this socket carried without an ack, the biggest is
// over the limit: it is refused, and the others are sent again after reconnecting.
function refuseBiggestSend(closed: WebSocket): void {
  let biggest: Send | undefined;
  for (const send of sends.values()) {
    if (send.via === closed && (biggest === undefined || frameBytes(send) > frameBytes(biggest))) {
      biggest = send;
    }
  }
  if (biggest) {
    finishSend(biggest.id);
    postTo(biggest.tab, { type: "refused", id: biggest.id, error: TOO_BIG });
  }
}

function handleClose(closed: WebSocket, event: CloseEvent): void {
  // A socket we closed on purpose (sign-out, last tab gone) has been replaced already.
  if (closed !== socket) {
    return;
  }
  socket = undefined;
  if (event.code === CLOSE_POLICY_VIOLATION) {
    forgetWhoIsOnline();
    setConnection({ state: "refused", reason: event.reason });
    refuseAllSends(`The server refused this connection: ${event.reason}`);
    return;
  }
  if (event.code === CLOSE_MESSAGE_TOO_BIG) {
    refuseBiggestSend(closed);
  }
  reconnectLater(describeClose(event));
}

function openSocket(): void {
  if (user === undefined) {
    return;
  }
  setConnection({ state: "connecting" });
  const opening = new WebSocket(socketUrl(user));
  socket = opening;
  opening.addEventListener("open", handleOpen);
  opening.addEventListener("message", (event: MessageEvent<string>) => receiveFrame(event.data));
  opening.addEventListener("close", (event) => handleClose(opening, event));
}

function closeSocket(reason: string): void {
  clearTimeout(retryTimer);
  const closing = socket;
  socket = undefined;
  closing?.close(CLOSE_NORMAL, reason);
}

// ---- Commands from the tabs: one handler per TabCommand type. ----

function signIn(tab: Tab, command: Extract<TabCommand, { type: "connect" }>): void {
  if (command.user === user && connection.state !== "refused") {
    tab.signedIn = true;
    postTo(tab, { type: "connection", connection });
    return;
  }
  // One socket means one user per browser: a tab asking for another name is told who is signed in.
  if (user !== undefined && connection.state !== "refused") {
    postTo(tab, { type: "identity", user });
    return;
  }
  tab.signedIn = true;
  closeSocket("signing in again");
  user = command.user;
  openSocket();
}

function leaveRoomIfEmpty(name: string): void {
  if (tabsIn(name).length > 0) {
    return;
  }
  rooms.delete(name);
  sendFrame({ type: "leave", room: name });
}

function showRoom(tab: Tab, command: Extract<TabCommand, { type: "join" }>): void {
  const previous = tab.room;
  if (previous === command.room) {
    return;
  }
  tab.room = command.room;
  if (previous !== undefined) {
    leaveRoomIfEmpty(previous);
  }
  let room = rooms.get(command.room);
  if (!room) {
    room = { cursor: { epoch: "", since: 0 }, messages: [], online: [], loaded: false };
    rooms.set(command.room, room);
    sendFrame(joinFrame(command.room, room));
  }
  // For this tab alone; a room still loading sends every tab of it a snapshot when its history arrives.
  if (room.loaded) {
    postTo(tab, snapshotOf(command.room, room));
  }
}

function giveUp(id: string): void {
  // Forgotten: it is not sent again on the next connection unless the user retries it.
  const send = finishSend(id);
  if (!send) {
    return;
  }
  postTo(send.tab, { type: "failed", id });
  // Only the server pings, so a connection that died quietly (Wi-Fi gone, laptop asleep) shows no close event
  // for minutes. The socket that carried this message did not answer: drop it and connect again at once (the
  // close handshake of a dead connection would only wait).
  if (send.via !== undefined && send.via === socket) {
    socket = undefined;
    send.via.close(CLOSE_NORMAL, "no answer from the server");
    reconnectLater("The server did not answer in time.");
  }
}

function sendChat(tab: Tab, command: Extract<TabCommand, { type: "chat" }>): void {
  // On its way already: a tab that connected again sends what it is still waiting for.
  if (sends.has(command.id)) {
    return;
  }
  if (tab.room === undefined || user === undefined) {
    postTo(tab, { type: "refused", id: command.id, error: NOT_IN_A_ROOM });
    return;
  }
  // A retry keeps the id of the first attempt: if that one was stored after all, the server only acks it again.
  const send: Send = { id: command.id, room: tab.room, text: command.text, tab, timer: undefined, via: undefined };
  // The server would close the socket on it (1009), and the worker would send it again on the next one.
  if (frameBytes(send) > MAX_FRAME_BYTES) {
    postTo(tab, { type: "refused", id: send.id, error: TOO_BIG_TO_SEND });
    return;
  }
  send.timer = setTimeout(() => giveUp(send.id), SEND_TIMEOUT_MS);
  sends.set(send.id, send);
  transmit(send);
}

function sendTyping(tab: Tab): void {
  if (tab.room !== undefined) {
    sendFrame({ type: "typing", room: tab.room });
  }
}

function forgetEverything(): void {
  user = undefined;
  failures = 0;
  closeSocket("signed out");
  for (const send of sends.values()) {
    clearTimeout(send.timer);
  }
  sends.clear();
  rooms.clear();
}

function signOut(): void {
  if (user === undefined) {
    return;
  }
  forgetEverything();
  setConnection({ state: "signed-out" });
}

function sayGoodbye(tab: Tab): void {
  forgetTab(tab);
}

// The tab closed, crashed or stopped answering. Its messages still waiting go with it (a frame already sent
// still reaches the server); its room is left if no other tab shows it; the last tab takes the socket along.
function tabGone(tab: Tab): void {
  for (const send of sends.values()) {
    if (send.tab === tab) {
      finishSend(send.id);
    }
  }
  if (tab.room !== undefined) {
    leaveRoomIfEmpty(tab.room);
  }
  if (tabCount() === 0) {
    forgetEverything();
    connection = { state: "signed-out" };
    return;
  }
  tabsChanged();
}

type TabCommandHandlers = { [T in Exclude<TabCommand["type"], "pong">]: (tab: Tab, command: Extract<TabCommand, { type: T }>) => void };

const tabCommands: TabCommandHandlers = {
  connect: signIn,
  join: showRoom,
  chat: sendChat,
  typing: sendTyping,
  logout: signOut,
  close: sayGoodbye,
};

function receiveCommand(tab: Tab, command: TabCommand): void {
  if (!Object.hasOwn(tabCommands, command.type)) {
    console.warn("A tab sent a command this worker does not know:", command);
    return;
  }
  // A tab that asked for another user than the one signed in may only say goodbye (or try again).
  if (!tab.signedIn && command.type !== "connect" && command.type !== "close") {
    return;
  }
  // As for the server's frames: TypeScript cannot see that a command and the handler chosen by its own type
  // belong together (and the type was checked just above), so one cast, here.
  const handle = tabCommands[command.type as keyof TabCommandHandlers] as (tab: Tab, command: TabCommand) => void;
  handle(tab, command);
}

function addTab(port: Port): void {
  registerTab(port);
  tabsChanged();
}

// In a SharedWorker every tab arrives through a "connect" event with a port of its own. In a dedicated worker
// (the fallback) the worker's global scope is the one port to its one tab.
declare const self: SharedWorkerGlobalScope | DedicatedWorkerGlobalScope;

serveTabs({ command: receiveCommand, gone: tabGone });
if ("onconnect" in self) {
  self.addEventListener("connect", (event) => {
    const port = event.ports[0];
    addTab(port);
    // A port that is listened to with addEventListener delivers nothing until start() is called.
    port.start();
  });
} else {
  addTab(self);
}
