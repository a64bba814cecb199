// The fault "a client stops reading". A program connects the way a page does (steps 04 and 06: the WebSocket, with
// the page's Origin and its first frame; step 05: GET /api/events) and then stops reading its socket, while two
// Chromium windows chat and a chorus of senders keeps the chat busy with the longest messages the server accepts.
// Everything the server writes to the slow client piles up, first in the kernel's buffers, then in the server's
// memory. The server must cut it off (it leaves the Online list and its connection ends), and the windows must
// still show every message exactly once, round after round, within a few seconds.
import { once } from "node:events";
import net from "node:net";
import type { WebSocket } from "ws";
// validation.ts is the same file in every step.
import { MAX_TEXT_LENGTH } from "../../01-http-refresh/validation.ts";
import { openChatSocket, parseServerFrame, sendFrame, type ClientFrame } from "../clients/chat-socket.ts";
import { eventsPath } from "../clients/event-stream.ts";
import type { ProtocolName } from "../steps.ts";
import { postChat } from "../testing/http.ts";
import type { Fault, FaultOutcome } from "./fault.ts";
import type { ServerProcess } from "./server-process.ts";
import { openWindow, RECOVERY_DEADLINE_MS, trySend, type Window } from "./windows.ts";

const SLOW_USER = "Slow reader";
// Each round, the chorus sends this many messages (about 150 KB) and each window sends one. The next round starts
// only when both windows show the last one, so they are never more than a round behind.
const CHORUS_PER_ROUND = 100;
// Fewer than any step's rate limit allows one sender (20 messages or frames per 10 s), so nothing is refused.
const MESSAGES_PER_SENDER = 10;
// A round lasts at least this long: the windows send at a person's pace, under the rate limit too.
const MIN_ROUND_MS = 1000;
// Before the server's buffer grows at all, the kernel holds a few MB for a socket that nobody reads, and the servers
// allow 1 MB on top of that. 6,000 messages of 1.5 KB (8.6 MB) are well past both; the flood stops at the cut-off.
const MAX_FLOOD_MESSAGES = 6000;
// The windows must show every message of a round within this long after the round began.
const PROMPT_DELIVERY_MS = 10_000;
// Once the slow client reads again, what the kernel still holds for it arrives, then the end of the connection.
const CONNECTION_END_MS = 10_000;

// A connection that can stop reading. `ended` resolves when the connection is closed, whoever closed it.
interface SlowReader {
  stopReading(): void;
  readAgain(): void;
  ended: Promise<unknown>;
  close(): void;
}

// How a step's page talks to its server, done by a program.
interface StepClient {
  // Connects like a page, so the server counts the user online and writes every new message to the connection.
  connect(server: ServerProcess, user: string): Promise<SlowReader>;
  // Sends the texts as one sender and resolves when the server has accepted every one of them.
  send(server: ServerProcess, user: string, texts: string[]): Promise<void>;
}

// Step 05's stream, requested on a bare TCP socket: no HTTP client library reads (or resumes reading) behind our back.
async function connectEventStream(server: ServerProcess, user: string): Promise<SlowReader> {
  const socket = net.connect(server.port, "127.0.0.1");
  await once(socket, "connect");
  const path = eventsPath(user);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAccept: text/event-stream\r\n\r\n`);
  // The first bytes are the status line: the stream is open. What follows is read and forgotten.
  const [head] = (await once(socket, "data")) as [Buffer];
  if (!head.toString().startsWith("HTTP/1.1 200")) {
    socket.destroy();
    throw new Error(`GET ${path} answered ${head.toString().split("\r\n")[0]}`);
  }
  // Being cut off is an error on this socket, and the outcome we expect.
  socket.on("error", () => undefined);
  return {
    stopReading: () => socket.pause(),
    readAgain: () => socket.resume(),
    ended: new Promise((resolve) => socket.once("close", resolve)),
    close: () => socket.destroy(),
  };
}

// One POST after the other; postChat throws unless the server answers 201.
async function postMessages(server: ServerProcess, user: string, texts: string[]): Promise<void> {
  for (const text of texts) {
    await postChat(server.url, user, text);
  }
}

// The WebSocket of steps 04 and 06, opened as the page opens it: the same path and the page's Origin.
async function openSocket(server: ServerProcess, user: string): Promise<WebSocket> {
  const socket = openChatSocket(server.port, user);
  await once(socket, "open");
  return socket;
}

// Connects and sends the page's first frame, after which the server writes every new message to the socket.
async function connectSocket(server: ServerProcess, user: string, firstFrame: ClientFrame): Promise<SlowReader> {
  const socket = await openSocket(server, user);
  sendFrame(socket, firstFrame);
  // Being cut off is an error on this socket, and the outcome we expect.
  socket.on("error", () => undefined);
  return {
    // ws pauses the TCP socket itself: nothing more is read, not even pings.
    stopReading: () => socket.pause(),
    readAgain: () => socket.resume(),
    ended: new Promise((resolve) => socket.once("close", resolve)),
    close: () => socket.terminate(),
  };
}

// Sends the frames on a new socket and resolves when every chat frame has its ack; an error frame or a close rejects.
async function sendFrames(server: ServerProcess, user: string, frames: ClientFrame[]): Promise<void> {
  const chats = frames.filter((frame) => frame.type === "chat").length;
  const socket = await openSocket(server, user);
  const acknowledged = new Promise<void>((resolve, reject) => {
    let acks = 0;
    socket.on("message", (data) => {
      const frame = parseServerFrame(data);
      if (frame.type === "error") {
        reject(new Error(`the server refused a frame from ${user}: ${frame.error}`));
      }
      if (frame.type === "ack") {
        acks += 1;
      }
      if (acks === chats) {
        resolve();
      }
    });
    socket.once("close", () => reject(new Error(`${user}'s socket closed before every chat frame was acknowledged`)));
  });
  for (const frame of frames) {
    sendFrame(socket, frame);
  }
  try {
    await acknowledged;
  } finally {
    socket.close();
  }
}

// Steps 04 and 06. Every sender has a name of its own, so its refs (1, 2, 3 …) are new for the server of step 06,
// which stores a ref it has seen from the same user only once.
const WEBSOCKET_CLIENT: StepClient = {
  connect: (server, user) => connectSocket(server, user, { type: "resume", epoch: "", since: 0 }),
  // A sender that never resumes gets only its acks, not everyone's messages.
  send: (server, user, texts) =>
    sendFrames(
      server,
      user,
      texts.map((text, index) => ({ type: "chat", ref: index + 1, text })),
    ),
};

// The protocols that keep a stream or a socket open to every page. Polling answers and forgets each request.
const SLOW_READERS: Partial<Record<ProtocolName, StepClient>> = {
  websocket: WEBSOCKET_CLIENT,
  sse: { connect: connectEventStream, send: postMessages },
};

// Every text starts with its own number, "#17 ", so a window's list can be checked for each message; the rest is
// "€", three bytes in UTF-8, up to the longest text the server accepts: 1.5 KB a message.
function floodText(number: number): string {
  const label = `#${number} `;
  return label + "€".repeat(MAX_TEXT_LENGTH - label.length);
}

// True when `promise` settles within `ms`.
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function numberIn(itemText: string): number | undefined {
  const found = /#(\d+) /.exec(itemText);
  return found ? Number(found[1]) : undefined;
}

function shownCount(window: Window): Promise<number> {
  return window.page.getByRole("log").getByRole("listitem").count();
}

function isOnline(window: Window, user: string): Promise<boolean> {
  return window.page.getByRole("list", { name: "Online" }).getByText(user, { exact: true }).isVisible();
}

// Waits until every window shows at least `count` messages; false when the deadline passes first.
async function waitUntilShown(windows: Window[], count: number, deadline: number): Promise<boolean> {
  for (;;) {
    const counts = await Promise.all(windows.map(shownCount));
    if (counts.every((shown) => shown >= count)) {
      return true;
    }
    if (Date.now() > deadline) {
      return false;
    }
    await windows[0].page.waitForTimeout(100);
  }
}

// The accepted messages (by number) that a window does not show, and those it shows more than once.
async function checkEveryMessage(windows: Window[], accepted: number[]): Promise<{ lost: number; duplicates: number }> {
  let lost = 0;
  let duplicates = 0;
  for (const window of windows) {
    const times = new Map<number, number>();
    for (const itemText of await window.page.getByRole("log").getByRole("listitem").allTextContents()) {
      const number = numberIn(itemText);
      if (number !== undefined) {
        times.set(number, (times.get(number) ?? 0) + 1);
      }
    }
    for (const number of accepted) {
      const shown = times.get(number) ?? 0;
      lost += shown === 0 ? 1 : 0;
      duplicates += shown > 1 ? 1 : 0;
    }
  }
  return { lost, duplicates };
}

function describeCutOff(cutOff: boolean, sent: number): string {
  if (cutOff) {
    return "the server cut the slow reader off (it left the Online list)";
  }
  if (sent >= MAX_FLOOD_MESSAGES) {
    return `the slow reader was still online after ${sent} messages`;
  }
  return "the flood stopped before the slow reader was cut off";
}

async function runSlowConsumer(
  server: ServerProcess,
  client: StepClient,
  alice: Window,
  bob: Window,
): Promise<FaultOutcome> {
  const windows = [alice, bob];
  const slow = await client.connect(server, SLOW_USER);
  try {
    for (const window of windows) {
      await window.page
        .getByRole("list", { name: "Online" })
        .getByText(SLOW_USER, { exact: true })
        .waitFor({ timeout: RECOVERY_DEADLINE_MS });
    }
    slow.stopReading();

    let sent = 0;
    let sentBytes = 0;
    // The numbers of the messages the server accepted: all the chorus's, and the windows' unless a send failed.
    const accepted: number[] = [];
    let slowestRoundMs = 0;
    let cutOff = false;
    let prompt = true;
    let refused = 0;
    while (sent < MAX_FLOOD_MESSAGES) {
      const roundStart = Date.now();
      const chorusNumbers = Array.from({ length: CHORUS_PER_ROUND }, (_, index) => sent + index + 1);
      const windowNumbers = windows.map((_, index) => sent + CHORUS_PER_ROUND + index + 1);
      const senders: Promise<void>[] = [];
      for (let first = 0; first < CHORUS_PER_ROUND; first += MESSAGES_PER_SENDER) {
        const numbers = chorusNumbers.slice(first, first + MESSAGES_PER_SENDER);
        senders.push(client.send(server, `Chorus ${numbers[0]}`, numbers.map(floodText)));
      }
      const windowsSent = windows.map((window, index) => trySend(window, floodText(windowNumbers[index])));
      for (const number of [...chorusNumbers, ...windowNumbers]) {
        sent += 1;
        sentBytes += Buffer.byteLength(floodText(number));
      }
      const [, windowsAccepted] = await Promise.all([Promise.all(senders), Promise.all(windowsSent)]);
      accepted.push(...chorusNumbers, ...windowNumbers.filter((_, index) => windowsAccepted[index]));
      refused += windowsAccepted.filter((ok) => !ok).length;

      prompt = await waitUntilShown(windows, accepted.length, roundStart + PROMPT_DELIVERY_MS);
      slowestRoundMs = Math.max(slowestRoundMs, Date.now() - roundStart);
      cutOff = !(await isOnline(alice, SLOW_USER));
      if (cutOff || !prompt || refused > 0) {
        break;
      }
      await alice.page.waitForTimeout(Math.max(0, roundStart + MIN_ROUND_MS - Date.now()));
    }

    slow.readAgain();
    const ended = await settlesWithin(slow.ended, CONNECTION_END_MS);
    await waitUntilShown(windows, accepted.length, Date.now() + RECOVERY_DEADLINE_MS);
    const delivery = await checkEveryMessage(windows, accepted);

    const details = [
      `${sent} messages (${(sentBytes / 1024 / 1024).toFixed(1)} MB) sent`,
      describeCutOff(cutOff, sent),
      ended
        ? "its connection ended"
        : `its connection was still open ${CONNECTION_END_MS / 1000} s after it read again`,
      prompt
        ? `the windows showed every round within ${slowestRoundMs} ms`
        : `a round took the windows over ${PROMPT_DELIVERY_MS} ms`,
      ...(refused > 0 ? [`${refused} of the windows' sends were refused or not confirmed`] : []),
    ];
    return {
      recovered: cutOff && ended && prompt && refused === 0 && delivery.lost === 0,
      ...delivery,
      detail: details.join("; "),
    };
  } finally {
    slow.close();
  }
}

export const slowConsumer: Fault = {
  name: "a client stops reading (slow consumer)",
  appliesTo: (step) => step.protocol !== undefined && SLOW_READERS[step.protocol] !== undefined,
  async run(server, browser, step) {
    const client = step.protocol && SLOW_READERS[step.protocol];
    if (!client) {
      throw new Error(`${step.folder} keeps no connection open: there is no slow reader to simulate`);
    }
    const alice = await openWindow(browser, server, "Alice");
    const bob = await openWindow(browser, server, "Bob");
    try {
      return await runSlowConsumer(server, client, alice, bob);
    } finally {
      await Promise.all([alice.context.close(), bob.context.close()]);
    }
  },
};
