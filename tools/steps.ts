// The course's steps, in order. Every tool (dev server, build, diff, tests, benchmark) finds the folders here.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

// Each step names the step it builds on (`base`): its diff against that step shows its lesson. Server-Sent Events
// build on long polling (receive on one held request, send with POST), not on WebSockets.
// `holds` is what the server keeps open for a page, and `sends` how a page sends a message.
// `protocol` is how a page receives new messages, as the protocol clients of tools/clients/ speak it (step 01 has no
// live updates; step 06's worker speaks step 04's frames, one socket per browser).
export const STEPS = [
  {
    number: 1,
    folder: "01-http-refresh",
    title: "HTTP with manual refresh",
    base: undefined,
    protocol: undefined,
    holds: undefined,
    sends: "POST",
  },
  {
    number: 2,
    folder: "02-http-polling",
    title: "Short polling",
    base: 1,
    protocol: "poll",
    holds: undefined,
    sends: "POST",
  },
  {
    number: 3,
    folder: "03-http-longpolling",
    title: "Long polling",
    base: 2,
    protocol: "longpoll",
    holds: "long poll",
    sends: "POST",
  },
  {
    number: 4,
    folder: "04-websockets",
    title: "WebSockets",
    base: 3,
    protocol: "websocket",
    holds: "WebSocket",
    sends: "WebSocket",
  },
  {
    number: 5,
    folder: "05-sse",
    title: "Server-Sent Events",
    base: 3,
    protocol: "sse",
    holds: "event stream",
    sends: "POST",
  },
  {
    number: 6,
    folder: "06-shared-worker",
    title: "SharedWorker and BroadcastChannel",
    base: 4,
    protocol: "websocket",
    holds: "WebSocket",
    sends: "WebSocket",
  },
] as const;

export type Step = (typeof STEPS)[number];
export type ProtocolName = NonNullable<Step["protocol"]>;

// Files that are not the lesson, checked by tests/steps-in-sync.test.ts. A step may lack one (step 01 does not retry,
// so it has no backoff.ts), but where two steps have it, they must have the same bytes.
export const LESSON_NEUTRAL_FILES = [
  "app.ts",
  "main.ts",
  "store.ts",
  "validation.ts",
  "rate-limit.ts",
  "connection-limit.ts",
  "log.ts",
  "presence.ts",
  "client/typing.ts",
  "client/ui.ts",
  "client/http.ts",
  "client/backoff.ts",
  "client/retry.ts",
  "client/presence.ts",
  "client/socket.ts",
  "client/tsconfig.json",
  "public/style.css",
  "public/favicon.svg",
];

// The steps that exist in this checkout (a step is only listed once its folder is there).
export function availableSteps(): Step[] {
  return STEPS.filter((step) => existsSync(new URL(`../${step.folder}/server.ts`, import.meta.url)));
}

// "3", "03" or "03-http-longpolling" → the step. Exits with a clear message for anything else.
export function findStep(name: string | undefined): Step {
  const step = availableSteps().find((candidate) => candidate.folder === name || candidate.number === Number(name));
  if (!step) {
    const known = availableSteps()
      .map((candidate) => candidate.number)
      .join(", ");
    console.error(`Unknown step "${name ?? ""}". Choose one of: ${known}.`);
    process.exit(1);
  }
  return step;
}

// A step's browser code: every folder of the step with its own tsconfig.json (client/, and worker/ in step 06).
export function browserProjects(step: Step): string[] {
  const folder = new URL(`../${step.folder}/`, import.meta.url);
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/tsconfig.json`, folder)))
    .map((entry) => `${step.folder}/${entry.name}`);
}
