// The processes of a load run, and how the parent talks to them: the server (server.ts) and the simulated
// clients (clients.ts), each a child over IPC. Shared by the load test (bench/load.ts) and the soak
// (tools/reliability/soak.ts).
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ProtocolName } from "../steps.ts";
import type { BaselineKind } from "./baselines.ts";
import type { ClientsResult, ClientsStart } from "./clients.ts";
import type { ServerMeasurement } from "./server.ts";

const SERVER_SCRIPT = fileURLToPath(new URL("./server.ts", import.meta.url));
const CLIENTS_SCRIPT = fileURLToPath(new URL("./clients.ts", import.meta.url));
// The children are TypeScript too: tsx compiles them as they load.
const CHILD_OPTIONS = {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"] as ["ignore", "inherit", "inherit", "ipc"],
};

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export function nextMessage<T>(child: ChildProcess, type: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${type}" from process ${child.pid} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const listen = (message: { type: string }): void => {
      if (message.type === type) {
        clearTimeout(timer);
        child.off("message", listen);
        resolve(message as T);
      }
    };
    child.on("message", listen);
    child.once("exit", (code) =>
      reject(new Error(`process ${child.pid} exited (${code}) while we waited for "${type}"`)),
    );
  });
}

// What the server process serves: a step, or a baseline of a protocol (see server.ts).
export type ServerChoice = { kind: "step"; step: number } | { kind: BaselineKind; protocol: ProtocolName };

export interface LoadServer {
  child: ChildProcess;
  port: number;
}

// Starts the server process and resolves with its port once it listens. `execArgv` adds Node options (a profiler).
export async function startLoadServer(choice: ServerChoice, execArgv: string[] = []): Promise<LoadServer> {
  const args = choice.kind === "step" ? ["step", String(choice.step)] : [choice.kind, choice.protocol];
  const child = fork(SERVER_SCRIPT, args, { ...CHILD_OPTIONS, execArgv: [...CHILD_OPTIONS.execArgv, ...execArgv] });
  try {
    const { port } = await nextMessage<{ port: number }>(child, "listening");
    return { child, port };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

export interface ClientsPlan {
  protocol: ProtocolName;
  port: number;
  clients: number;
  processes: number;
  messages: number;
  userNames: number;
  connectTimeoutMs: number;
}

export interface ClientProcesses {
  workers: ChildProcess[];
  // Deliveries so far, over every process, as their last progress reports said.
  delivered(): number;
}

// Starts the client processes, shares the clients out between them, and resolves when every client is connected.
export async function startClients(plan: ClientsPlan): Promise<ClientProcesses> {
  const workers: ChildProcess[] = [];
  const deliveredBy = new Map<ChildProcess, number>();
  const share = Math.ceil(plan.clients / plan.processes);
  for (let first = 0; first < plan.clients; first += share) {
    const worker = fork(CLIENTS_SCRIPT, [], CHILD_OPTIONS);
    workers.push(worker);
    worker.on("message", (message: { type: string; delivered?: number }) => {
      if (message.type === "progress") {
        deliveredBy.set(worker, message.delivered ?? 0);
      }
    });
    const start: ClientsStart = {
      type: "start",
      protocol: plan.protocol,
      port: plan.port,
      first,
      count: Math.min(share, plan.clients - first),
      messages: plan.messages,
      userNames: plan.userNames,
    };
    worker.send(start);
  }
  try {
    await Promise.all(workers.map((worker) => nextMessage(worker, "ready", plan.connectTimeoutMs)));
  } catch (error) {
    await Promise.all(workers.map(stopChild));
    throw error;
  }
  return { workers, delivered: () => [...deliveredBy.values()].reduce((sum, count) => sum + count, 0) };
}

export function measure(server: ChildProcess): Promise<ServerMeasurement> {
  const answer = nextMessage<ServerMeasurement>(server, "measurement");
  server.send({ type: "measure" });
  return answer;
}

// Asks every client process for what it measured; each answers once and then exits.
export function collectResults(workers: ChildProcess[]): Promise<ClientsResult[]> {
  return Promise.all(
    workers.map((worker) => {
      const result = nextMessage<ClientsResult>(worker, "result");
      worker.send({ type: "finish" });
      return result;
    }),
  );
}

// The soft limit on open files of this process, which the children inherit: every connection is one file.
function openFileLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((text) => text.startsWith("Max open files"));
  return Number(line?.split(/\s+/)[3] ?? Number.POSITIVE_INFINITY);
}

export function checkOpenFileLimit(clients: number, clientProcesses: number): void {
  const limit = openFileLimit();
  const perClientProcess = Math.ceil(clients / clientProcesses);
  const needed = Math.max(clients, perClientProcess) + 100;
  if (needed > limit) {
    console.error(
      `${clients} clients need about ${needed} open files in the server process, but the limit is ${limit}.`,
    );
    console.error(`Raise it first (for example: ulimit -n ${needed * 2}), or use fewer clients.`);
    process.exit(1);
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const forced = setTimeout(() => child.kill("SIGKILL"), 5000);
  if (child.connected) {
    // A client process may be exiting by itself at this moment: then the message has nowhere to go, which is fine.
    child.send({ type: "stop" }, () => child.disconnect());
  }
  await exited;
  clearTimeout(forced);
}
