// How a tab reaches the worker: the SharedWorker of this origin, started by the first tab and joined by the others,
// or, where a browser has none, the same script as a dedicated worker of this tab alone. The tab answers the
// worker's pings, says goodbye when it goes, and starts over when the worker forgot it or fell silent.
import { setStatus } from "./ui.js";
import { WORKER_SILENCE_MS, type TabCommand, type WorkerEvent } from "./worker-protocol.js";

// Part of the worker's address and name. Every page that asks for the same address and name gets the same
// SharedWorker, which lives as long as one of them is open. After a change to the worker, bump this: otherwise
// a new page would talk to the old worker that the old tabs keep running.
const WORKER_VERSION = 5;
const WORKER_URL = `/js/worker/worker.js?v=${WORKER_VERSION}`;
const WORKER_NAME = `chat-worker-v${WORKER_VERSION}`;
const SILENCE_CHECK_MS = 1000;

export const MODE_NOTES = {
  shared: "SharedWorker: one WebSocket for every tab of this browser",
  dedicated: "fallback: no SharedWorker in this browser, so this tab has a WebSocket of its own",
};
export const mode: keyof typeof MODE_NOTES = typeof SharedWorker === "function" ? "shared" : "dedicated";

// One handler per event of the worker, except the two this file answers itself: "ping" and "forgotten".
export type WorkerEventHandlers = {
  [T in Exclude<WorkerEvent["type"], "ping" | "forgotten">]: (event: Extract<WorkerEvent, { type: T }>) => void;
};

// This tab's end of the line: the port of the SharedWorker, or the dedicated worker itself (it has the same methods).
let link: MessagePort | Worker | undefined;
let lastHeard = Date.now();
let handlers: WorkerEventHandlers;
let sayHello: () => void;

// Every event of the worker goes to its handler in `events`. `hello` posts this tab's first commands: on every
// start, the first time and each time the tab starts over.
export function attach(events: WorkerEventHandlers, hello: () => void): void {
  handlers = events;
  sayHello = hello;
  start();
}

export function post(command: TabCommand): void {
  link?.postMessage(command);
}

// Goodbye: a port has no close event, so the worker learns that this tab is gone from this message (or, if the
// tab crashed, from the pings it stops answering).
export function detach(): void {
  post({ type: "goodbye" });
  // Closes this tab's port (shared), or ends this tab's own worker (dedicated).
  if (link instanceof Worker) {
    link.terminate();
  } else {
    link?.close();
  }
  link = undefined;
}

function start(): void {
  link = mode === "shared" ? startShared() : startDedicated();
  lastHeard = Date.now();
  sayHello();
}

function startShared(): MessagePort {
  const worker = new SharedWorker(WORKER_URL, { type: "module", name: WORKER_NAME });
  worker.addEventListener("error", reportWorkerFailure);
  worker.port.addEventListener("message", hear);
  // A port that is listened to with addEventListener delivers nothing until start() is called.
  worker.port.start();
  return worker.port;
}

function startDedicated(): Worker {
  const worker = new Worker(WORKER_URL, { type: "module", name: WORKER_NAME });
  worker.addEventListener("error", reportWorkerFailure);
  worker.addEventListener("message", hear);
  return worker;
}

function reportWorkerFailure(): void {
  setStatus("The worker could not start, so this tab cannot connect. Reload the page.");
}

function hear(event: MessageEvent<WorkerEvent>): void {
  lastHeard = Date.now();
  if (event.data.type === "ping") {
    post({ type: "pong" });
    return;
  }
  // The worker forgot this tab (it missed the pings while stopped at a breakpoint, say): a new port, a new hello.
  if (event.data.type === "forgotten") {
    startOver();
    return;
  }
  // TypeScript cannot see that an event and the handler chosen by its own type belong together: one cast, here.
  const handle = handlers[event.data.type as keyof WorkerEventHandlers] as (event: WorkerEvent) => void;
  handle(event.data);
}

function startOver(): void {
  detach();
  start();
}

// The worker pings every tab; nothing heard for a while means it is gone (terminated, or crashed), and its socket
// with it. Checked every second, so a tab notices within WORKER_SILENCE_MS and one second, and starts a new one.
function checkSilence(): void {
  if (link && Date.now() - lastHeard > WORKER_SILENCE_MS) {
    console.info("The worker has not pinged this tab for a while: starting it again.");
    startOver();
    setStatus("The shared worker stopped answering, so this tab started a new one. Connecting…");
  }
}

setInterval(checkSilence, SILENCE_CHECK_MS);
