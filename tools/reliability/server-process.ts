// A step's server as a real child process (`node --import tsx <step>/main.ts`), as `npm run exampleN` runs it,
// so faults can be real: Ctrl+C (SIGINT), a hard kill (SIGKILL), a restart on the same port.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { join } from "node:path";
import { ROOT, type Step } from "../steps.ts";

const READY_TIMEOUT_MS = 20_000;
const READY_LINE = "Press Ctrl+C to stop.";

export interface ServerProcess {
  url: string;
  port: number;
  pid(): number;
  // Starts the server again on the same port (after stop or kill).
  start(): Promise<void>;
  // Sends SIGINT, like Ctrl+C, and resolves with how long the process took to exit and its exit code.
  interrupt(): Promise<{ exitMs: number; code: number | null }>;
  // SIGKILL: no chance to close anything.
  kill(): Promise<void>;
  // Everything the process has printed on its standard output, from its start-up hint on.
  output(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    function read(chunk: Buffer): void {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        child.stdout?.off("data", read);
        resolve();
      }
    }
    child.stdout?.on("data", read);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

// `env` is added to this process's environment: { QUIET: "0" } brings back the console lines the tests silence.
export async function startServerProcess(step: Step, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let printed = "";

  async function start(): Promise<void> {
    const started = spawn(process.execPath, ["--import", "tsx", join(step.folder, "main.ts")], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    started.stdout?.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    await waitForReady(started);
  }

  function running(): ChildProcess {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      throw new Error("the server process is not running");
    }
    return child;
  }

  async function interrupt(): Promise<{ exitMs: number; code: number | null }> {
    const target = running();
    const started = performance.now();
    const exited = once(target, "exit");
    target.kill("SIGINT");
    const [code] = (await exited) as [number | null];
    return { exitMs: Math.round(performance.now() - started), code };
  }

  async function kill(): Promise<void> {
    const target = running();
    const exited = once(target, "exit");
    target.kill("SIGKILL");
    await exited;
  }

  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: () => running().pid ?? 0,
    start,
    interrupt,
    kill,
    output: () => printed,
  };
}
