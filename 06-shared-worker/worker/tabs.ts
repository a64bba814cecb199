// The tabs the worker serves: a registry of ports, posting to one tab, to a room or to all, and a heartbeat.
// A MessagePort has no close event: a tab says goodbye on pagehide, and a tab that cannot (it crashed, or the
// browser killed it) is noticed when it stops answering the worker's pings.
import type { HubEvent, TabCommand } from "../client/protocol.js";
import { TAB_HEARTBEAT_MS, TAB_MISSED_PINGS_ALLOWED } from "../client/settings.js";

// How the worker talks to a tab: a MessagePort in a SharedWorker; in a dedicated worker (the fallback), the
// worker's own global scope, which has the same two methods.
export interface Port {
  postMessage(event: HubEvent): void;
  addEventListener(type: "message", listener: (event: MessageEvent<TabCommand>) => void): void;
}

export interface Tab {
  port: Port;
  // Set once the worker accepted the tab's "connect": only then does it serve the tab's other commands.
  signedIn: boolean;
  // The room this tab shows, once it has said so.
  room: string | undefined;
  // Pings sent since the last pong.
  missedPings: number;
}

interface TabEvents {
  command(tab: Tab, command: TabCommand): void;
  // The tab said goodbye or stopped answering: it is no longer in the registry.
  gone(tab: Tab): void;
}

const tabs = new Map<Port, Tab>();
let events: TabEvents | undefined;

export function tabCount(): number {
  return tabs.size;
}

export function tabsIn(room: string): Tab[] {
  return [...tabs.values()].filter((tab) => tab.room === room);
}

// Only to tabs still in the registry: a forgotten port may belong to a tab that is gone.
export function postTo(tab: Tab, event: HubEvent): void {
  if (tabs.get(tab.port) === tab) {
    tab.port.postMessage(event);
  }
}

export function postToRoom(room: string, event: HubEvent): void {
  for (const tab of tabsIn(room)) {
    tab.port.postMessage(event);
  }
}

export function postToAll(event: HubEvent): void {
  for (const tab of tabs.values()) {
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

function receiveCommand(port: Port, event: MessageEvent<TabCommand>): void {
  // Any script of this origin can post anything to a port, null included: a command is an object with a type.
  if (typeof event.data?.type !== "string") {
    console.warn("A tab sent something that is not a command:", event.data);
    return;
  }
  const tab = tabs.get(port);
  // A tab we forgot is still alive after all (it missed its pings while stopped at a breakpoint, say). Its
  // commands would go nowhere: tell it at once, and it connects again on a new port.
  if (!tab) {
    port.postMessage({ type: "forgotten" });
    return;
  }
  if (event.data.type === "pong") {
    tab.missedPings = 0;
    return;
  }
  events?.command(tab, event.data);
}

export function registerTab(port: Port): void {
  tabs.set(port, { port, signedIn: false, room: undefined, missedPings: 0 });
  port.addEventListener("message", (event) => receiveCommand(port, event));
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

// `handlers` hears every command (except the pongs, handled here) and every tab that is gone.
export function serveTabs(handlers: TabEvents): void {
  events = handlers;
  setInterval(checkTabs, TAB_HEARTBEAT_MS);
}
