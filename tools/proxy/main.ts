// `npm run proxy -- <step> [--profile good] [--port 8443]`: step N behind a real nginx, on https://localhost:8443
// with HTTP/2. The step runs as `npm run exampleN` runs it (rebuilt and restarted when a file changes), on a
// private port of 127.0.0.1 that only nginx uses. Ctrl+C stops both.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { relative } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { freePort } from "../reliability/server-process.ts";
import { findStep, ROOT, type Step } from "../steps.ts";
import { HOW_TO_TRUST } from "./certificate.ts";
import { findNginx, HOW_TO_INSTALL_NGINX, startNginx, type RunningProxy } from "./nginx.ts";
import { findProfile, idleTimeoutMs, PASS_TO_STEP_FILE, profileNames, profilePath, type Profile } from "./profiles.ts";

const DEFAULT_PORT = 8443;
const DEFAULT_PROFILE = "good";
// The step's page is compiled before its server starts: that can take a while on a slow machine.
const STEP_READY_TIMEOUT_MS = 60_000;
const STEP_READY_CHECK_INTERVAL_MS = 200;
const USAGE = `Usage: npm run proxy -- <step> [--profile ${profileNames().join("|")}] [--port ${DEFAULT_PORT}]`;

const { step, profile, port } = readCommandLine();
if (!findNginx()) {
  console.error(HOW_TO_INSTALL_NGINX);
  process.exit(1);
}
await checkPortIsFree(port, step);
const stepPort = await freePort();
const stepProcess = startStep(step, stepPort);
await waitForStep(stepProcess, stepPort);
const proxy = await startProxy(stepProcess, profile, stepPort, port);
printWhatToTry(step, profile, proxy, stepPort);
const stopEverything = stopOnce(proxy, stepProcess);
// The step stopping by itself (a compile error at start, a crash) ends the proxy too.
stepProcess.once("exit", (code) => void stopEverything(code ?? 1));
process.once("SIGINT", () => void stopEverything(0));
process.once("SIGTERM", () => void stopEverything(0));

function readCommandLine(): { step: Step; profile: Profile; port: number } {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        profile: { type: "string", default: DEFAULT_PROFILE },
        port: { type: "string", default: String(DEFAULT_PORT) },
      },
    });
    if (positionals[0] === undefined) {
      throw new Error("Which step should run behind the proxy?");
    }
    const chosenPort = Number(values.port);
    if (!Number.isInteger(chosenPort) || chosenPort < 1 || chosenPort > 65535) {
      throw new Error(`--port must be a whole number from 1 to 65535, not "${values.port}".`);
    }
    return { step: findStep(positionals[0]), profile: findProfile(values.profile), port: chosenPort };
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(1);
  }
}

function checkPortIsFree(chosenPort: number, chosenStep: Step): Promise<void> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => {
      console.error(
        `Port ${chosenPort} is already in use (is another proxy still running?). Stop it, or choose another port: npm run proxy -- ${chosenStep.number} --port ${chosenPort + 1}`,
      );
      process.exit(1);
    });
    probe.listen(chosenPort, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

// The step (its compiler, its server) in a process group of its own, so that Ctrl+C reaches that group once, from
// here (interruptStep), after nginx has stopped.
function startStep(chosenStep: Step, privatePort: number): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "tools/dev.ts", String(chosenStep.number)], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(privatePort) },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
}

async function waitForStep(child: ChildProcess, privatePort: number): Promise<void> {
  const deadline = Date.now() + STEP_READY_TIMEOUT_MS;
  while (!(await acceptsConnections(privatePort))) {
    if (child.exitCode !== null) {
      process.exit(child.exitCode);
    }
    if (Date.now() > deadline) {
      console.error(
        `The step did not start listening on port ${privatePort} within ${STEP_READY_TIMEOUT_MS / 1000} s.`,
      );
      interruptStep(child);
      process.exit(1);
    }
    await delay(STEP_READY_CHECK_INTERVAL_MS);
  }
}

function acceptsConnections(privatePort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(privatePort, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function startProxy(
  child: ChildProcess,
  chosenProfile: Profile,
  privatePort: number,
  chosenPort: number,
): Promise<RunningProxy> {
  try {
    return await startNginx({ profile: chosenProfile, upstreamPort: privatePort, port: chosenPort });
  } catch (error) {
    console.error((error as Error).message);
    interruptStep(child);
    process.exit(1);
  }
}

function printWhatToTry(chosenStep: Step, chosenProfile: Profile, running: RunningProxy, privatePort: number): void {
  const configuration = [PASS_TO_STEP_FILE, profilePath(chosenProfile)]
    .map((file) => relative(ROOT, file))
    .join(" and ");
  const lines = [
    "",
    `Step ${String(chosenStep.number).padStart(2, "0")} behind nginx, profile "${chosenProfile.name}": ${chosenProfile.summary}`,
    `Open ${running.url}/?user=Alice and, in a second window, ${running.url}/?user=Bob`,
    `  (${chosenProfile.http2 ? "HTTP/2" : "HTTP/1.1"} over TLS. nginx passes every request on to the step at http://127.0.0.1:${privatePort},`,
    "  the private address the step's own lines above show: open the one here instead.)",
    `  nginx runs ${configuration}; it cuts a connection after ${idleTimeoutMs(chosenProfile) / 1000} s of silence from the step.`,
    ...chosenProfile.tryThis.map((idea) => `  - ${idea}`),
    `Another profile: npm run proxy -- ${chosenStep.number} --profile <${profileNames().join("|")}>`,
    ...HOW_TO_TRUST,
    `nginx's logs of this run: ${running.folder}/access.log and error.log`,
    "Press Ctrl+C to stop.",
    "",
  ];
  console.log(lines.join("\n"));
}

// nginx first, so that no browser reaches a step that is shutting down; then the step, as Ctrl+C would.
function stopOnce(running: RunningProxy, child: ChildProcess): (code: number) => Promise<void> {
  let stopping = false;
  return async (code) => {
    if (stopping) {
      return;
    }
    stopping = true;
    await running.close();
    if (child.exitCode === null) {
      const exited = once(child, "exit");
      interruptStep(child);
      await exited;
    }
    process.exit(code);
  };
}

// What Ctrl+C in a terminal does: SIGINT to every process of the step's group (a negative pid names the group).
function interruptStep(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    process.kill(-child.pid, "SIGINT");
  }
}
