// redis-server for several processes of a step: a real Redis, started as a child of this one, with its own folder
// (configuration and data) and a port on 127.0.0.1. Nothing is installed as a system service and no system folder
// is written. `npm run scale`, `npm run load:scale` and the acceptance test of homework 04-two-servers start it here.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "../executables.ts";
import { freePort } from "../reliability/server-process.ts";

// Debian and Ubuntu put redis-server in /usr/bin, Homebrew in /opt/homebrew/bin or /usr/local/bin.
const SYSTEM_REDIS_PATHS = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server"];
const READY_TIMEOUT_MS = 10_000;
// redis-server prints this line once its listening socket is open.
const READY_LINE = "Ready to accept connections";

export const HOW_TO_INSTALL_REDIS = [
  "redis-server was not found (on the PATH, in /usr/bin, /usr/local/bin or /opt/homebrew/bin, or at REDIS_SERVER_PATH).",
  "Install it:",
  "  Debian, Ubuntu: sudo apt-get install redis-server   (.ci/run does this on a bare Debian machine)",
  "  macOS: brew install redis",
  "  Windows: use WSL and the Debian line above.",
  "The course starts redis-server itself, with a configuration of its own, only while it runs. Debian and Ubuntu also",
  "start their own Redis as a service on port 6379, which the course does not need: sudo systemctl disable --now redis-server",
  "Or point the course at a Redis you already run: REDIS_URL=redis://127.0.0.1:6379",
].join("\n");

export interface RunningRedis {
  // What a client connects to: redis://127.0.0.1:<port>
  url: string;
  port: number;
  pid(): number;
  // This run's folder: redis.conf and the working directory (nothing is saved there: see redisConfig).
  folder: string;
  // Ends redis-server and removes its folder.
  close(): Promise<void>;
}

// The redis-server to run: REDIS_SERVER_PATH, else the first on the PATH, else where the packages install it.
export function findRedisServer(): string | undefined {
  return findExecutable("redis-server", "REDIS_SERVER_PATH", SYSTEM_REDIS_PATHS);
}

export async function startRedis(port?: number): Promise<RunningRedis> {
  const redisServer = findRedisServer();
  if (!redisServer) {
    throw new Error(HOW_TO_INSTALL_REDIS);
  }
  const listenPort = port ?? (await freePort());
  const folder = mkdtempSync(join(tmpdir(), "course-redis-"));
  const configFile = join(folder, "redis.conf");
  writeFileSync(configFile, redisConfig(listenPort, folder));
  const child = spawn(redisServer, [configFile], { stdio: ["ignore", "pipe", "pipe"] });
  // If this process ends without close(), redis-server must not stay behind holding the port.
  const endWithUs = (): void => void child.kill("SIGKILL");
  process.once("exit", endWithUs);
  child.once("exit", () => process.off("exit", endWithUs));

  async function close(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  }

  try {
    await waitUntilReady(child);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `redis://127.0.0.1:${listenPort}`, port: listenPort, pid: () => child.pid ?? 0, folder, close };
}

// The whole configuration of one run. The chat's data lives only as long as this redis-server does: no snapshots,
// no append-only file. Processes of the step come and go; Redis is what they share while it runs.
function redisConfig(port: number, folder: string): string {
  return `# Written by tools/redis/redis-server.ts for one run of redis-server, and removed when it ends.
bind 127.0.0.1
port ${port}
dir ${folder}
save ""
appendonly no
daemonize no
logfile ""
loglevel notice
`;
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.stdout?.off("data", read);
      reject(new Error(`redis-server was not ready after ${READY_TIMEOUT_MS} ms:\n${output.trim()}`));
    }, READY_TIMEOUT_MS);
    function read(chunk: Buffer): void {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        child.stdout?.off("data", read);
        // Nobody reads its log from now on; a pipe that nobody empties would block redis-server once full.
        child.stdout?.resume();
        resolve();
      }
    }
    child.stdout?.on("data", read);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    // A program that cannot be started at all reports it here, and has no exit code.
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not be started: ${error.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server stopped before it was ready (exit code ${code}):\n${output.trim()}`));
    });
  });
}
