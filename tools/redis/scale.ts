// `npm run scale`: the chat on two server processes that share Redis, for a lecture (homework 04.4).
// Starts redis-server on a free port (or uses REDIS_URL), applies the reference solution of homework 04.4 to a
// scratch copy of step 04 (the working copy is not touched), starts two processes of it on two ports, and prints
// the two addresses to open. Keys 1 and 2 kill a process (SIGKILL) and start it again; Ctrl+C stops everything.
// Usage: npm run scale [-- --ports 3001,3002]
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { findRedisServer, HOW_TO_INSTALL_REDIS, startRedis, type RunningRedis } from "./redis-server.ts";
import { copySolvedStep, STEP_FOLDER } from "./solved-step.ts";

const DEFAULT_PORTS = "3001,3002";
// main.ts prints this line once it listens.
const READY_LINE = "Press Ctrl+C to stop.";
const READY_TIMEOUT_MS = 30_000;
const CTRL_C = "\u0003";

interface StepProcess {
  name: string;
  port: number;
  child: ChildProcess | undefined;
}

// Set by Ctrl+C: the processes' exits are expected from then on.
let stopping = false;
const ports = readPorts();
await checkPortsAreFree(ports);
const redis = await startOrUseRedis();
const scratch = copySolvedStep();
const processes: StepProcess[] = ports.map((port, index) => ({ name: "AB"[index] ?? "?", port, child: undefined }));
try {
  for (const stepProcess of processes) {
    await startProcess(stepProcess, redis.url);
  }
} catch (error) {
  console.error((error as Error).message);
  await stopEverything(1);
}
printWhatToTry(redis);
process.once("SIGINT", () => void stopEverything());
process.once("SIGTERM", () => void stopEverything());
listenToKeys();

function readPorts(): number[] {
  try {
    const { values } = parseArgs({ options: { ports: { type: "string", default: DEFAULT_PORTS } } });
    const chosen = values.ports.split(",").map(Number);
    if (chosen.length !== 2 || !chosen.every((port) => Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new Error(`--ports takes two port numbers, like --ports ${DEFAULT_PORTS}, not "${values.ports}".`);
    }
    return chosen;
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run scale [-- --ports ${DEFAULT_PORTS}]`);
    process.exit(1);
  }
}

function checkPortsAreFree(chosen: number[]): Promise<void[]> {
  return Promise.all(
    chosen.map(
      (port) =>
        new Promise<void>((resolve) => {
          const probe = net.createServer();
          probe.once("error", () => {
            console.error(
              `Port ${port} is already in use. Stop what uses it, or choose others: npm run scale -- --ports 4001,4002`,
            );
            process.exit(1);
          });
          probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
        }),
    ),
  );
}

// The Redis to share: REDIS_URL if set, otherwise a redis-server of our own for this run.
async function startOrUseRedis(): Promise<{ url: string; running?: RunningRedis }> {
  if (process.env.REDIS_URL) {
    return { url: process.env.REDIS_URL };
  }
  if (!findRedisServer()) {
    console.error(HOW_TO_INSTALL_REDIS);
    process.exit(1);
  }
  const running = await startRedis();
  return { url: running.url, running };
}

async function startProcess(stepProcess: StepProcess, redisUrl: string): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", join(STEP_FOLDER, "main.ts")], {
    cwd: scratch.root,
    env: { ...process.env, PORT: String(stepProcess.port), REDIS_URL: redisUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  stepProcess.child = child;
  let printed = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process ${stepProcess.name} did not start:\n${printed}`)),
      READY_TIMEOUT_MS,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`process ${stepProcess.name} stopped before it was ready:\n${printed}`));
    });
  });
  // Every line of the process, after it started, with its name: the class sees which process does what.
  await ready;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk: Buffer) => printLines(stepProcess.name, chunk.toString()));
  }
  child.once("exit", (code, signal) => reportExit(stepProcess, code, signal));
}

function reportExit(stepProcess: StepProcess, code: number | null, signal: NodeJS.Signals | null): void {
  if (stopping) {
    return;
  }
  const how = signal ? `killed (${signal})` : `stopped (exit code ${code})`;
  console.log(`Process ${stepProcess.name} ${how}. Press ${processes.indexOf(stepProcess) + 1} to start it again.`);
}

function printLines(name: string, text: string): void {
  for (const line of text.split("\n").filter((part) => part.trim() !== "")) {
    console.log(`[${name}] ${line}`);
  }
}

function printWhatToTry(shared: { url: string; running?: RunningRedis }): void {
  const [a, b] = processes as [StepProcess, StepProcess];
  const redisLine = shared.running
    ? `${shared.url} (redis-server started for this run, pid ${shared.running.pid()}; watch it: redis-cli -p ${shared.running.port} monitor)`
    : `${shared.url} (REDIS_URL)`;
  console.log(
    [
      "",
      "Step 04 as two processes sharing one chat through Redis (homework 04.4, reference solution):",
      `  Open http://localhost:${a.port}/?user=Alice (process A) and, in a second window, http://localhost:${b.port}/?user=Bob (process B).`,
      `  Redis: ${redisLine}`,
      "What to try:",
      "  - Send from Alice: Bob gets it at once, from process B. Both Online lists show Alice and Bob.",
      "  - Press 1: process A is killed (SIGKILL, like a crash). Alice's page counts down to a reconnect; Bob chats on.",
      "    Press 1 again: A starts, and Alice's page resumes with what Bob sent meanwhile, nothing lost or shown twice,",
      "    and without reloading the history (the epoch is Redis's, not the process's).",
      "  - Leave A down: Alice leaves Bob's Online list within 13 s, as nobody renews her presence any more.",
      "Keys: 1 or 2 kills or starts process A or B. Ctrl+C stops everything.",
      "",
    ].join("\n"),
  );
}

function listenToKeys(): void {
  if (!process.stdin.isTTY) {
    const pids = processes.map((stepProcess) => `${stepProcess.name}: ${stepProcess.child?.pid}`).join(", ");
    console.log(`(No terminal to read keys from: kill a process with kill -9 <pid> instead; pids ${pids}.)`);
    return;
  }
  process.stdin.setRawMode(true);
  process.stdin.on("data", (key: Buffer) => void pressKey(key.toString()));
}

async function pressKey(key: string): Promise<void> {
  if (key === CTRL_C) {
    await stopEverything();
    return;
  }
  const stepProcess = processes[Number(key) - 1];
  if (!stepProcess) {
    return;
  }
  if (isRunning(stepProcess.child)) {
    stepProcess.child.kill("SIGKILL");
    return;
  }
  console.log(`Starting process ${stepProcess.name} on port ${stepProcess.port}…`);
  await startProcess(stepProcess, redis.url);
  console.log(`Process ${stepProcess.name} is back on http://localhost:${stepProcess.port}.`);
}

function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

// Each process gets Ctrl+C (SIGINT) and closes its sockets; then Redis, if we started it, and the scratch copy.
async function stopEverything(code = 0): Promise<void> {
  if (stopping) {
    return;
  }
  stopping = true;
  const running = processes.map((stepProcess) => stepProcess.child).filter(isRunning);
  await Promise.all(
    running.map((child) => {
      const exited = once(child, "exit");
      child.kill("SIGINT");
      return exited;
    }),
  );
  await redis.running?.close();
  scratch.remove();
  process.exit(code);
}
