// `npm run all`: every step at once, step N on port 3000 + N, and on port 3000 a landing page that links them, shows
// what each step's server holds now and the benchmark's latest tables, for a lecture that compares the steps side by side.
// Ctrl+C stops every server (each closes its open polls, streams and sockets) and then exits.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { availableSteps, browserProjects, ROOT, type Step } from "../tools/steps.ts";
import { createLandingServer } from "./landing/server.ts";

const LANDING_PORT = 3000;
// As in every step's app.ts: this computer only, unless HOST=0.0.0.0 shares the landing page (and, through the
// environment, every step) with the local network.
const LISTEN_HOST = process.env.HOST ?? "127.0.0.1";
// The landing page's own script, compiled with the steps' pages.
const LANDING_PROJECT = "bench/landing";

function stepPort(step: Step): number {
  return LANDING_PORT + step.number;
}

function startStep(step: Step): ChildProcess {
  // Each step's own main.ts, as `npm run exampleN` runs it, without watching files.
  return spawn(process.execPath, ["--import", "tsx", join(step.folder, "main.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(stepPort(step)) },
    stdio: "inherit",
  });
}

const steps = availableSteps();
console.log(`Building the pages of steps ${steps.map((step) => step.number).join(", ")}…`);
execFileSync("npx", ["tsc", "--build", ...steps.flatMap(browserProjects), LANDING_PROJECT], {
  cwd: ROOT,
  stdio: "inherit",
});

const children = steps.map(startStep);
const landing = createLandingServer(steps.map((step) => ({ step, port: stepPort(step) })));
let stopping = false;

function stopAll(): void {
  if (stopping) {
    return;
  }
  stopping = true;
  console.log("\nStopping every step…");
  landing.close();
  landing.closeAllConnections();
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
    }
  }
}

// A step that exits by itself (a busy port, a crash) takes the others down too, so nothing half-runs.
for (const child of children) {
  child.once("exit", (code) => {
    if (!stopping && code !== 0) {
      console.error(`A step exited with code ${code}: stopping the others.`);
      process.exitCode = 1;
    }
    stopAll();
  });
}

function reportLandingFailure(error: NodeJS.ErrnoException): void {
  const reason =
    error.code === "EADDRINUSE"
      ? `port ${LANDING_PORT} is already in use (is an example still running?)`
      : error.message;
  console.error(`The landing page could not start: ${reason}.`);
  process.exitCode = 1;
  stopAll();
}

landing.once("error", reportLandingFailure);
landing.listen(LANDING_PORT, LISTEN_HOST, () => {
  console.log(
    `\nAll steps: open http://localhost:${LANDING_PORT} (step N is on port ${LANDING_PORT} + N). Press Ctrl+C to stop.\n`,
  );
});
process.once("SIGINT", stopAll);
process.once("SIGTERM", stopAll);
