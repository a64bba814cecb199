// The processes of a load run, and how the parent talks to them: the server (server.ts) and the simulated
// clients (clients.ts), each a child over IPC. Shared by the load test (bench/load.ts) and the soak
// (tools/reliability/soak.ts).
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ClientsResult } from "./clients.ts";
import type { ServerMeasurement } from "./server.ts";

export const SERVER_SCRIPT = fileURLToPath(new URL("./server.ts", import.meta.url));
export const CLIENTS_SCRIPT = fileURLToPath(new URL("./clients.ts", import.meta.url));
// The children are TypeScript too: tsx compiles them as they load.
export const CHILD_OPTIONS = {
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
