// Step 04: WebSockets, the page's side.
// THE TECHNIQUE: one connection that stays open. The page first says where it is in the conversation ("resume"),
// and the server answers with what the page missed; after that the server pushes every new message, who is online
// and who is typing, the moment it happens. Sending is a frame on the same connection, answered by an ack or an
// error that names the same ref. When the connection drops, the page reconnects with backoff and resumes.
import { countDown } from "./backoff.js";
import { retryDelay } from "./retry.js";
import { showJoined, showLeft, showOnline } from "./presence.js";
import type { ClientFrame, Message, ServerFrame, Update } from "./protocol.js";
import {
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_NORMAL,
  CLOSE_POLICY_VIOLATION,
  describeClose,
  newRef,
  socketUrl,
  TOO_BIG,
} from "./socket.js";
import { onTyping, showTyping, stopTyping } from "./typing.js";
import {
  byteLength,
  clearError,
  countDelivered,
  countFrame,
  countRoundTrip,
  onSend,
  replaceMessages,
  setStatus,
  showError,
  showMessages,
  userName,
} from "./ui.js";

const CONNECTED = "Connected: one WebSocket stays open, and messages arrive the moment they are sent.";
// While the socket is closed, sends are refused, not queued: the text stays in the box until it can really go.
// (A send while the socket is still opening waits for it: that is a matter of milliseconds.)
const NOT_CONNECTED =
  "Not connected, so the message was not sent: it is still in the box. Send it again once the status says Connected.";
const LOST_BEFORE_ANSWER =
  "The connection closed before the server confirmed this message. It may have arrived: send it again once the status says Connected, and the server will not store it twice.";
const NO_ANSWER =
  "The server did not confirm this message in time, so the connection is being renewed. Send it again once the status says Connected: if it did arrive, the server will not store it twice.";

// A connection can die without a close event for a long time (Wi-Fi gone, laptop asleep): only the server pings.
// A send that is not answered in this time gives up, and the socket is closed so the page reconnects and resumes.
const ACK_TIMEOUT_MS = 10_000;

interface UnansweredSend {
  resolve: () => void;
  reject: (error: Error) => void;
}

// Where this page is in the conversation: the server process (epoch) and the newest message id it has.
let cursor = { epoch: "", since: 0 };
let socket: WebSocket | undefined;
// What a send says while the socket is closed: normally that we are reconnecting; the server's reason if it refused us.
let whyNotConnected = NOT_CONNECTED;
let failures = 0;
// Why the connection was lost, from its first close until the next history. The attempts in between fail with
// 1006 (nobody answers), which says less than the close that started it (1001: the server is restarting).
let outageReason: string | undefined;
// Aborted to end the wait before the next attempt: the network came back, or the user left the page.
let retryWait: AbortController | undefined;
// The last message sent and not acknowledged yet. If its send fails, its text stays in the box, and sent again
// unchanged it keeps its ref: the server then stores it once, even if the first attempt arrived after all.
let unacknowledged: { ref: number; text: string } | undefined;
// Chat frames sent and not answered yet, by ref. The server answers each with "ack" or "error".
const unanswered = new Map<number, UnansweredSend>();
// Aborted when the user leaves the page: no more reconnecting.
let leaving = new AbortController();

function sendFrame(frame: ClientFrame): void {
  if (socket?.readyState !== WebSocket.OPEN) {
    throw new Error(whyNotConnected);
  }
  const data = JSON.stringify(frame);
  socket.send(data);
  countFrame("sent", byteLength(data));
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

function receiveHistory(update: Update): void {
  applyUpdate(update);
  failures = 0;
  outageReason = undefined;
  setStatus(CONNECTED);
  // "Not connected … send it again once the status says Connected": now it does.
  clearError(NOT_CONNECTED);
}

function receiveChat(message: Message): void {
  stopTyping(message.user);
  applyUpdate({ epoch: cursor.epoch, reset: false, messages: [message] });
}

// The send that `ref` answers, now answered; undefined when no send of this page is waiting for that ref.
function takeUnanswered(ref: number | undefined): UnansweredSend | undefined {
  if (ref === undefined) {
    return undefined;
  }
  const send = unanswered.get(ref);
  unanswered.delete(ref);
  return send;
}

function receiveError(error: string, ref?: number): void {
  const send = takeUnanswered(ref);
  if (send) {
    send.reject(new Error(`The server refused the message: ${error}`));
  } else {
    showError(`The server refused a frame: ${error}`);
  }
}

function receiveFrame(event: MessageEvent<string>): void {
  countFrame("received", byteLength(event.data));
  const frame = JSON.parse(event.data) as ServerFrame;
  switch (frame.type) {
    case "history":
      receiveHistory(frame);
      break;
    case "chat":
      receiveChat(frame.message);
      break;
    case "ack":
      takeUnanswered(frame.ref)?.resolve();
      break;
    case "presence":
      showOnline(frame.users);
      break;
    case "joined":
      showJoined(frame.user);
      break;
    case "left":
      showLeft(frame.user);
      break;
    case "typing":
      showTyping(frame.user);
      break;
    case "error":
      receiveError(frame.error, frame.ref);
      break;
  }
}

async function reconnectLater(event: CloseEvent): Promise<void> {
  failures += 1;
  outageReason ??= describeClose(event);
  const why = outageReason;
  retryWait = new AbortController();
  await countDown(
    retryDelay(failures),
    (seconds) => `${why} Reconnecting in ${seconds} s; until then sending is off.`,
    retryWait.signal,
  );
  retryWait = undefined;
  if (!leaving.signal.aborted) {
    connect();
  }
}

// The network is back (the browser's "online" event): the delay that grew while it was away says nothing about
// now. A page that is waiting to reconnect tries at once, and backs off from the start if that fails.
function retryNow(): void {
  failures = 0;
  retryWait?.abort();
}

function handleClose(event: CloseEvent): void {
  // A socket we already replaced (closed on pagehide, then the page came back) has nothing left to say.
  if (event.target !== socket) {
    return;
  }
  socket = undefined;
  // After 1009 we know what happened to the message that closed the socket: it was refused, never stored.
  const fate = event.code === CLOSE_MESSAGE_TOO_BIG ? TOO_BIG : LOST_BEFORE_ANSWER;
  for (const send of unanswered.values()) {
    send.reject(new Error(fate));
  }
  unanswered.clear();
  // Without a connection we do not know who is online: an empty list is better than a stale one.
  showOnline([]);
  if (leaving.signal.aborted) {
    return;
  }
  if (event.code === CLOSE_POLICY_VIOLATION) {
    // The server refused who we are (for example a name that is too long): trying again would not help.
    whyNotConnected = `The server refused this connection: ${event.reason}. Change ?user= in the address and reload.`;
    setStatus("Disconnected: the server refused this connection.");
    showError(whyNotConnected);
    return;
  }
  reconnectLater(event);
}

function connect(): void {
  setStatus(outageReason ? `${outageReason} Connecting…` : "Connecting…");
  socket = new WebSocket(socketUrl(userName));
  socket.addEventListener("open", () => sendFrame({ type: "resume", ...cursor }));
  socket.addEventListener("message", receiveFrame);
  socket.addEventListener("close", handleClose);
}

// Resolves when a socket that is still connecting has opened, or failed to.
function settled(opening: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    opening.addEventListener("open", () => resolve(), { once: true });
    opening.addEventListener("close", () => resolve(), { once: true });
  });
}

// The message is shown when the server sends it back to everyone, this page included: the server decides the order.
// The ack only tells this page that the text was accepted, so the box can be cleared.
async function sendMessage(text: string): Promise<void> {
  if (socket?.readyState === WebSocket.CONNECTING) {
    await settled(socket);
  }
  const ref = unacknowledged?.text === text ? unacknowledged.ref : newRef();
  sendFrame({ type: "chat", ref, text });
  unacknowledged = { ref, text };
  const sentAt = performance.now();
  const giveUp = setTimeout(() => abandonSend(ref), ACK_TIMEOUT_MS);
  try {
    await new Promise<void>((resolve, reject) => unanswered.set(ref, { resolve, reject }));
    unacknowledged = undefined;
  } finally {
    clearTimeout(giveUp);
  }
  // The ack answers this very frame: the time until it came is one round trip, measured without a frame of its own.
  countRoundTrip(performance.now() - sentAt);
}

function abandonSend(ref: number): void {
  takeUnanswered(ref)?.reject(new Error(NO_ANSWER));
  socket?.close(CLOSE_NORMAL, "no answer from the server");
}

function sendTyping(): void {
  if (socket?.readyState === WebSocket.OPEN) {
    sendFrame({ type: "typing" });
  }
}

// Leaving the page (or entering the back/forward cache): close the socket now, so the others see us go at once.
// A page with an open WebSocket cannot stay in that cache anyway. If the page is shown again, connect again.
function leavePage(): void {
  leaving.abort();
  retryWait?.abort();
  socket?.close(CLOSE_NORMAL, "the page was closed");
}

function returnToPage(event: PageTransitionEvent): void {
  if (event.persisted) {
    leaving = new AbortController();
    connect();
  }
}

addEventListener("pagehide", leavePage);
addEventListener("pageshow", returnToPage);
addEventListener("online", retryNow);
onSend(sendMessage);
onTyping(sendTyping);
connect();
