// The tabs the worker serves: a registry of ports, the check of everything they post, and a heartbeat.
// In a SharedWorker every tab arrives through a "connect" event with a port of its own. A MessagePort has no close
// event: a tab says goodbye on pagehide, and a tab that cannot (it crashed, or the browser killed it) is noticed
// when it stops answering the worker's pings.
// Any script of this origin can post anything to the worker, so a command is checked here as the server checks a
// frame, and a bad one is answered to its tab alone. The worker builds every frame it sends from checked fields,
// and nothing one tab posts can take down the socket that every tab shares.
import {
  MAX_FRAME_BYTES,
  TAB_HEARTBEAT_MS,
  TAB_MISSED_PINGS_ALLOWED,
  TYPING_FRAME_INTERVAL_MS,
  type TabCommand,
  type WorkerEvent,
} from "../client/worker-protocol.js";

// How the worker talks to a tab: a MessagePort in a SharedWorker; in a dedicated worker (the fallback), the
// worker's own global scope, which has the same two methods.
interface Port {
  postMessage(event: WorkerEvent): void;
  addEventListener(type: "message", listener: (event: MessageEvent<unknown>) => void): void;
}

export interface Tab {
  port: Port;
  // Set once the worker accepted the tab's "sign-in": only signed-in tabs hear about the conversation.
  signedIn: boolean;
  // Pings sent since the last pong.
  missedPings: number;
}

// The commands the worker carries out: "pong" and "goodbye" are answered here, by the registry.
export type ChatCommand = Exclude<TabCommand, { type: "pong" | "goodbye" }>;

// One handler per command type, as the worker has one per frame type of the server.
export type CommandHandlers = {
  [T in ChatCommand["type"]]: (tab: Tab, command: Extract<ChatCommand, { type: T }>) => void;
};

// Long enough for any name the server accepts; the server checks the name itself.
const MAX_USER_CHARACTERS = 100;
const TOO_BIG_TO_SEND = `That message is too big for the server, which reads frames of at most ${MAX_FRAME_BYTES} bytes. It was not sent: shorten it.`;

const tabs = new Map<Port, Tab>();
let commands: CommandHandlers | undefined;
// Told when a tab said goodbye or stopped answering, once it is out of the registry.
let onGone: () => void = () => undefined;
let lastTypingPassedOn = -Infinity;

// In a dedicated worker (the fallback) the worker's global scope is the one port to its one tab.
declare const self: SharedWorkerGlobalScope | DedicatedWorkerGlobalScope;

// Starts listening for tabs. `handlers` receive every checked command; `gone` hears of every tab that has gone.
export function serveTabs(handlers: CommandHandlers, gone: () => void): void {
  commands = handlers;
  onGone = gone;
  setInterval(checkTabs, TAB_HEARTBEAT_MS);
  if ("onconnect" in self) {
    self.addEventListener("connect", addTab);
  } else {
    registerTab(self);
  }
}

export function signedInTabs(): Tab[] {
  return [...tabs.values()].filter((tab) => tab.signedIn);
}

// Only to tabs still in the registry: a forgotten port may belong to a tab that is gone.
export function postTo(tab: Tab, event: WorkerEvent): void {
  if (tabs.get(tab.port) === tab) {
    tab.port.postMessage(event);
  }
}

export function postToAll(event: WorkerEvent): void {
  for (const tab of signedInTabs()) {
    tab.port.postMessage(event);
  }
}

// Every frame of the socket, for the traffic panel of every tab.
export function reportTraffic(direction: "sent" | "received", data: string): void {
  postToAll({ type: "traffic", direction, bytes: byteLength(data) });
}

function addTab(event: MessageEvent): void {
  const port = event.ports[0];
  registerTab(port);
  // A port that is listened to with addEventListener delivers nothing until start() is called.
  port.start();
}

function registerTab(port: Port): void {
  tabs.set(port, { port, signedIn: false, missedPings: 0 });
  port.addEventListener("message", (event) => receive(port, event.data));
}

function forgetTab(tab: Tab): void {
  if (tabs.get(tab.port) !== tab) {
    return;
  }
  tabs.delete(tab.port);
  onGone();
}

function receive(port: Port, data: unknown): void {
  const tab = tabs.get(port);
  // A tab we forgot is still alive after all (it missed its pings while stopped at a breakpoint, say). Its
  // commands would go nowhere: tell it at once, and it connects again on a new port.
  if (!tab) {
    port.postMessage({ type: "forgotten" });
    return;
  }
  const problem = checkCommand(data);
  if (problem !== undefined) {
    console.warn("A tab posted something that is not a command:", data);
    postTo(tab, { type: "error", error: `The worker refused a command: ${problem}` });
    return;
  }
  const command = data as TabCommand;
  if (command.type === "pong") {
    tab.missedPings = 0;
    return;
  }
  if (command.type === "goodbye") {
    forgetTab(tab);
    return;
  }
  // The server would close the socket on a bigger frame (1009), and the worker would send it again on the next one.
  if (command.type === "chat" && !fitsInOneFrame(command)) {
    postTo(tab, { type: "refused", ref: command.ref, error: TOO_BIG_TO_SEND });
    return;
  }
  // "Alice is typing" is the same news from any of her tabs: one frame per interval is enough for all of them,
  // and no tab can spend the rate limit of the shared socket.
  if (command.type === "typing") {
    if (Date.now() - lastTypingPassedOn < TYPING_FRAME_INTERVAL_MS) {
      return;
    }
    lastTypingPassedOn = Date.now();
  }
  // TypeScript cannot see that a command and the handler chosen by its own type belong together: one cast, here.
  const handle = commands?.[command.type] as (tab: Tab, command: ChatCommand) => void;
  handle(tab, command);
}

function checkTabs(): void {
  for (const tab of tabs.values()) {
    if (tab.missedPings > TAB_MISSED_PINGS_ALLOWED) {
      forgetTab(tab);
      continue;
    }
    tab.missedPings += 1;
    tab.port.postMessage({ type: "ping" });
  }
}

// ---- What a tab may post: the fields of each command, and what each field must be. ----

function isName(value: unknown): boolean {
  return typeof value === "string" && value.trim() !== "" && value.length <= MAX_USER_CHARACTERS;
}

// The size of a chat text is checked with the whole frame: fitsInOneFrame().
const COMMAND_FIELDS: Record<TabCommand["type"], Record<string, (value: unknown) => boolean>> = {
  "sign-in": { user: isName },
  chat: { ref: Number.isSafeInteger, text: (value) => typeof value === "string" },
  typing: {},
  "sign-out": {},
  goodbye: {},
  "reconnect-now": {},
  pong: {},
};

// What is wrong with what a tab posted, or undefined for a command.
function checkCommand(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return 'a command is an object with a "type", like {"type": "typing"}';
  }
  const fields = data as Record<string, unknown>;
  if (typeof fields.type !== "string" || !Object.hasOwn(COMMAND_FIELDS, fields.type)) {
    return `unknown command type: expected one of ${Object.keys(COMMAND_FIELDS).join(", ")}`;
  }
  for (const [field, isValid] of Object.entries(COMMAND_FIELDS[fields.type as TabCommand["type"]])) {
    if (!isValid(fields[field])) {
      return `a "${fields.type}" command has a missing or invalid "${field}"`;
    }
  }
  return undefined;
}

// The frame that the worker builds from a chat command, no bigger than the server reads.
function fitsInOneFrame({ ref, text }: Extract<TabCommand, { type: "chat" }>): boolean {
  return byteLength(JSON.stringify({ type: "chat", ref, text })) <= MAX_FRAME_BYTES;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
