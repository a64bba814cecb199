// How a tab reaches the worker: the SharedWorker of this origin, started by the first tab and joined by the others,
// or, where a browser has none, the same script as a dedicated worker of this tab alone. The tab answers the
// worker's pings, says goodbye when it goes, and starts the worker again if it falls silent.
import { setStatus } from "./ui.js";
import { WORKER_SILENCE_MS, type TabCommand, type WorkerEvent } from "./worker-protocol.js";

// Part of the worker's address and name. Every page that asks for the same address and name gets the same
// SharedWorker, which lives as long as one of them is open. After a change to the worker, bump this: otherwise
// a new page would talk to the old worker that the old tabs keep running.
const WORKER_VERSION = 4;
const WORKER_URL = `/js/worker/worker.js?v=${WORKER_VERSION}`;
const WORKER_NAME = `chat-worker-v${WORKER_VERSION}`;
const SILENCE_CHECK_MS = 1000;

export const MODE_NOTES = {
  shared: "SharedWorker: one WebSocket for every tab of this browser",
  dedicated: "fallback: no SharedWorker in this browser, so this tab has a WebSocket of its own",
};
export const mode: keyof typeof MODE_NOTES = typeof SharedWorker === "function" ? "shared" : "dedicated";

interface Link {
  post(command: TabCommand): void;
  // Lets go of the worker: closes this tab's port (shared), or ends this tab's own worker (dedicated).
  release(): void;
}

let link: Link | undefined;
let lastHeard = Date.now();
let deliver: (event: WorkerEvent) => void = () => undefined;

function reportWorkerFailure(): void {
  setStatus("The worker could not start, so this tab cannot connect. Reload the page.");
}

function hear(event: MessageEvent<WorkerEvent>): void {
  lastHeard = Date.now();
  if (event.data.type === "ping") {
    post({ type: "pong" });
    return;
  }
  deliver(event.data);
}

function startShared(): Link {
  const worker = new SharedWorker(WORKER_URL, { type: "module", name: WORKER_NAME });
  worker.addEventListener("error", reportWorkerFailure);
  worker.port.addEventListener("message", hear);
  // A port that is listened to with addEventListener delivers nothing until start() is called.
  worker.port.start();
  return { post: (command) => worker.port.postMessage(command), release: () => worker.port.close() };
}

function startDedicated(): Link {
  const worker = new Worker(WORKER_URL, { type: "module", name: WORKER_NAME });
  worker.addEventListener("error", reportWorkerFailure);
  worker.addEventListener("message", hear);
  return { post: (command) => worker.postMessage(command), release: () => worker.terminate() };
}

// Every event of the worker, except its pings, goes to `receive`.
export function attach(receive: (event: WorkerEvent) => void): void {
  deliver = receive;
  link = mode === "shared" ? startShared() : startDedicated();
  lastHeard = Date.now();
}

export function post(command: TabCommand): void {
  link?.post(command);
}

// Goodbye: a port has no close event, so the worker learns that this tab is gone from this message (or, if the
// tab crashed, from the pings it stops answering).
export function detach(): void {
  post({ type: "goodbye" });
  link?.release();
  link = undefined;
}

// The worker pings every tab; nothing heard for a while means it is gone (terminated, or crashed). Checked every
// second, so a tab notices within WORKER_SILENCE_MS and one second.
export function onSilence(reattach: () => void): void {
  setInterval(() => {
    if (link && Date.now() - lastHeard > WORKER_SILENCE_MS) {
      console.info("The worker has not pinged this tab for a while: starting it again.");
      reattach();
    }
  }, SILENCE_CHECK_MS);
}
