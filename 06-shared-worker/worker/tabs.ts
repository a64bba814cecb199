// The tabs the worker serves: a registry of ports, the check of everything they post, and a heartbeat.
// A MessagePort has no close event: a tab says goodbye on pagehide, and a tab that cannot (it crashed, or the
// browser killed it) is noticed when it stops answering the worker's pings.
// Any script of this origin can post anything to the worker, so a command is checked here as the server checks a
// frame, and a bad one is answered to its tab alone. The worker builds every frame it sends from checked fields.
import { TAB_HEARTBEAT_MS, TAB_MISSED_PINGS_ALLOWED } from "../client/settings.js";
import type { TabCommand, WorkerEvent } from "../client/worker-protocol.js";

// How the worker talks to a tab: a MessagePort in a SharedWorker; in a dedicated worker (the fallback), the
// worker's own global scope, which has the same two methods.
export interface Port {
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

interface TabEvents {
  command(tab: Tab, command: TabCommand): void;
  // The tab said goodbye or stopped answering: it is no longer in the registry.
  gone(tab: Tab): void;
}

// Long enough for any name the server accepts; the server checks the name itself.
const MAX_USER_CHARACTERS = 100;

const tabs = new Map<Port, Tab>();
let events: TabEvents | undefined;

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

export function forgetTab(tab: Tab): void {
  if (tabs.get(tab.port) !== tab) {
    return;
  }
  tabs.delete(tab.port);
  events?.gone(tab);
}

export function registerTab(port: Port): void {
  tabs.set(port, { port, signedIn: false, missedPings: 0 });
  port.addEventListener("message", (event) => receive(port, event.data));
}

// `handlers` hears every checked command (except the pongs, handled here) and every tab that is gone.
export function serveTabs(handlers: TabEvents): void {
  events = handlers;
  setInterval(checkTabs, TAB_HEARTBEAT_MS);
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
  events?.command(tab, command);
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

function isText(value: unknown): boolean {
  return typeof value === "string";
}

// The size of a chat text is checked with the whole frame, when the worker builds it.
const COMMAND_FIELDS: Record<TabCommand["type"], Record<string, (value: unknown) => boolean>> = {
  "sign-in": { user: isName },
  chat: { ref: Number.isSafeInteger, text: isText },
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
