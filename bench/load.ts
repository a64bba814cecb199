// `npm run load`: thousands of simulated clients (Node, not browsers) against each live step and against two baselines
// of the same protocol (a bare server, and a minimal Express app), one sender at a steady rate. The server runs in its own process, the clients in
// others, all on 127.0.0.1. Prints a table per client count and writes bench/results/load-latest.md and .json.
// Usage: npm run load [-- --clients 1000,5000] [--steps 3,4] [--messages 10] [--rate 1] [--processes 2] [--names 10]
//        [--repeat 3]   runs each step and its baselines three times and shows the median of every figure
//        [--profile <folder>]   writes a CPU profile of every server process there (open it in Chrome DevTools)
import type { ChildProcess } from "node:child_process";
import type { BaselineKind } from "../tools/load/baselines.ts";
import {
  checkOpenFileLimit,
  collectResults,
  measure,
  sleep,
  startClients,
  startLoadServer,
  stopChild,
  type ServerChoice,
} from "../tools/load/processes.ts";
import {
  createSender,
  DEFAULT_USER_NAMES,
  loadText,
  LONG_POLL_TIMEOUT_MS,
  now,
  POLL_INTERVAL_MS,
} from "../tools/load/protocols.ts";
import {
  commandLine,
  describeMachine,
  formatBytes,
  formatCount,
  formatMs,
  markdownTable,
  option,
  percentile,
} from "../tools/report.ts";
import { availableSteps, findStep, type ProtocolName, type Step } from "../tools/steps.ts";
import { trafficOptions } from "../tools/load/traffic-options.ts";
import { writeResults } from "./results.ts";
import { drawCharts } from "./charts/draw.ts";

const PARAMETERS = {
  ...trafficOptions(),
  // Processes that simulate the clients. The server has its own; on a 2-core machine two client processes
  // share the other core, light enough not to starve the server.
  clientProcesses: Number(option("processes") ?? 2),
  // Distinct user names among the clients (see DEFAULT_USER_NAMES).
  userNames: Number(option("names") ?? DEFAULT_USER_NAMES),
  // After the last send, the window stays open at least this long (a short poll may wait a whole interval) …
  drainMs: POLL_INTERVAL_MS + 1000,
  // … and at most this long, for messages still on their way.
  deadlineMs: 30_000,
  connectTimeoutMs: 120_000,
  // Rounds of runs (the two baselines, then the step) per step and client count. The table shows the median of each figure:
  // on a machine shared with other work, one run can be disturbed, and the median of three rarely is.
  repeat: Number(option("repeat") ?? 1),
};

const IDLE_OFFSET_MS = 1000;
const WARM_UP_MESSAGES = 2;

// The targets of every step, against the minimal Express app of its protocol: what the lesson's code adds to a
// framework that serves the same requests. CPU per delivered message, and p99 latency, as multiples of its figures.
const CPU_RATIO_TARGET = 1.25;
const P99_RATIO_TARGET = 2;

// Each step runs after the two baselines of its protocol, so all three see the same machine.
const BASELINE_LABELS: Record<BaselineKind, string> = { bare: "bare", express: "minimal Express" };

interface Run {
  label: string;
  step: number | null;
  // For a baseline run: which kind of baseline.
  baseline: BaselineKind | null;
  protocol: ProtocolName;
  clients: number;
  expected: number;
  delivered: number;
  senderFailures: number;
  clientErrors: number;
  // Why the clients counted errors (the reasons the client processes gave, with how often each came up).
  clientErrorReasons: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
  requests: number;
  bytes: number;
  serverCpuMs: number;
  cpuMicrosPerDelivery: number;
  // For polling and long polling, where every delivery is a request: what one request costs the server.
  cpuMicrosPerRequest: number | null;
  rssMiB: number;
  // CPU time of the client processes during the window, as a share of one core.
  clientCpuShare: number;
  idleRequestsPerSecond: number | null;
  windowMs: number;
  // From starting the client processes to every client having its first answer.
  connectMs: number;
  // What the server sent while the clients connected: their histories and, in the steps with presence, who is
  // online. With many distinct names (--names), this shows what presence costs.
  connectBytesOut: number;
}

async function runOne(label: string, choice: ServerChoice, protocol: ProtocolName, clients: number): Promise<Run> {
  const profile = option("profile");
  // One folder per run: each thread of the process (tsx's loader has one) writes a profile of its own.
  const profiling = profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}/${label.replace(/\W+/g, "-")}-${clients}`] : [];
  const { child: server, port } = await startLoadServer(choice, profiling);
  let workers: ChildProcess[] = [];
  try {
    const connectStartedAt = now();
    const started = await startClients({
      protocol,
      port,
      clients,
      processes: PARAMETERS.clientProcesses,
      messages: PARAMETERS.messages,
      userNames: PARAMETERS.userNames,
      connectTimeoutMs: PARAMETERS.connectTimeoutMs,
    });
    workers = started.workers;
    const connectMs = now() - connectStartedAt;
    const connected = await measure(server);

    const idleMs = choice.kind === "step" ? idleWindowMs(protocol) : 0;
    let idleRequestsPerSecond: number | null = null;
    if (idleMs > 0) {
      // A moment after the last client connected, so that a window as long as the long-poll timeout holds
      // exactly one timeout per client, including those of the first clients to connect.
      await sleep(IDLE_OFFSET_MS);
      const before = await measure(server);
      await sleep(idleMs);
      const after = await measure(server);
      idleRequestsPerSecond = ((after.traffic.requests - before.traffic.requests) * 1000) / idleMs;
    }

    const sender = createSender(protocol, port);
    await sender.ready;
    // A server that has just started runs its code unoptimized: a few messages first, not measured, so that the
    // window sees the server as it runs in production (the texts do not match the measured ones).
    for (let number = 0; number < WARM_UP_MESSAGES; number += 1) {
      sender.send(`warm-up ${number}`);
      await sleep(1000 / PARAMETERS.rate);
    }
    await sleep(PARAMETERS.drainMs);
    const expected = clients * PARAMETERS.messages;
    for (const worker of workers) {
      worker.send({ type: "mark" });
    }
    const atStart = await measure(server);
    const startedAt = now();
    for (let number = 0; number < PARAMETERS.messages; number += 1) {
      // A fixed timetable: a late send does not push the later ones back.
      await sleep(startedAt + (number * 1000) / PARAMETERS.rate - now());
      sender.send(loadText(number, now()));
    }
    const lastSentAt = now();
    while (
      now() < lastSentAt + PARAMETERS.deadlineMs &&
      (started.delivered() < expected || now() < lastSentAt + PARAMETERS.drainMs)
    ) {
      await sleep(50);
    }
    const atEnd = await measure(server);
    const windowMs = now() - startedAt;
    const results = await collectResults(workers);
    sender.close();

    const latencies = results.flatMap((result) => result.latencies);
    const total = results.reduce((sum, result) => sum + result.delivered, 0);
    const serverCpuMicros = atEnd.cpuMicros - atStart.cpuMicros;
    const requests = atEnd.traffic.requests - atStart.traffic.requests;
    const clientCpuMicros = results.reduce((sum, result) => sum + result.cpuMicros, 0);
    return {
      label,
      step: choice.kind === "step" ? choice.step : null,
      baseline: choice.kind === "step" ? null : choice.kind,
      protocol,
      clients,
      expected,
      delivered: total,
      senderFailures: sender.failures(),
      clientErrors: results.reduce((sum, result) => sum + result.errors, 0),
      clientErrorReasons: countReasons(results.map((result) => result.errorReasons)),
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: percentile(latencies, 1) },
      requests,
      bytes: atEnd.traffic.bytesIn - atStart.traffic.bytesIn + atEnd.traffic.bytesOut - atStart.traffic.bytesOut,
      serverCpuMs: serverCpuMicros / 1000,
      cpuMicrosPerDelivery: serverCpuMicros / Math.max(1, total),
      cpuMicrosPerRequest:
        protocol === "poll" || protocol === "longpoll" ? serverCpuMicros / Math.max(1, requests) : null,
      rssMiB: atEnd.rssBytes / 2 ** 20,
      clientCpuShare: clientCpuMicros / 1000 / windowMs,
      idleRequestsPerSecond,
      windowMs,
      connectMs,
      connectBytesOut: connected.traffic.bytesOut,
    };
  } finally {
    await Promise.all([server, ...workers].map(stopChild));
  }
}

// A step against its minimal Express baseline; baselines have no targets of their own.
function targetVerdict(run: Run, express: Run): string {
  if (run.step === null) {
    return "baseline";
  }
  const missed: string[] = [];
  if (run.delivered < run.expected) {
    missed.push(`delivered ${((100 * run.delivered) / run.expected).toFixed(1)}%`);
  }
  const cpuRatio = run.cpuMicrosPerDelivery / express.cpuMicrosPerDelivery;
  if (cpuRatio > CPU_RATIO_TARGET) {
    missed.push(`CPU ${cpuRatio.toFixed(2)}x > ${CPU_RATIO_TARGET}x`);
  }
  const p99Ratio = run.latencyMs.p99 / express.latencyMs.p99;
  if (p99Ratio > P99_RATIO_TARGET) {
    missed.push(`p99 ${p99Ratio.toFixed(2)}x > ${P99_RATIO_TARGET}x`);
  }
  return missed.length === 0 ? "met" : `missed: ${missed.join(", ")}`;
}

const COLUMNS = [
  "Server",
  "Clients",
  "Delivered",
  "Latency p50",
  "p99",
  "max",
  "Requests",
  "Bytes per delivery",
  "Server CPU per delivery",
  "CPU vs bare",
  "CPU vs Express",
  "p99 vs Express",
  "Server RSS",
  "Idle requests / s",
  "Client CPU",
  "Sent while connecting",
  "Targets",
];

function ratio(value: number, base: number): string {
  return `${(value / base).toFixed(2)}x`;
}

// One row of the table: a run and the two baselines of its protocol.
function row(run: Run, bare: Run, express: Run): string[] {
  return [
    run.label,
    formatCount(run.clients),
    run.delivered === run.expected
      ? `${formatCount(run.delivered)}/${formatCount(run.expected)}`
      : `${formatCount(run.delivered)}/${formatCount(run.expected)} (${((100 * run.delivered) / run.expected).toFixed(1)}%)`,
    formatMs(run.latencyMs.p50),
    formatMs(run.latencyMs.p99),
    formatMs(run.latencyMs.max),
    formatCount(run.requests),
    formatBytes(run.bytes / Math.max(1, run.delivered)),
    `${run.cpuMicrosPerDelivery.toFixed(1)} µs`,
    ratio(run.cpuMicrosPerDelivery, bare.cpuMicrosPerDelivery),
    run === bare ? "–" : ratio(run.cpuMicrosPerDelivery, express.cpuMicrosPerDelivery),
    run === bare ? "–" : ratio(run.latencyMs.p99, express.latencyMs.p99),
    `${run.rssMiB.toFixed(0)} MiB`,
    run.idleRequestsPerSecond === null ? "–" : formatCount(run.idleRequestsPerSecond, 1),
    `${(100 * run.clientCpuShare).toFixed(0)}%`,
    formatBytes(run.connectBytesOut),
    targetVerdict(run, express),
  ];
}

// How long to watch a step while nobody sends: only where silence costs requests. One whole long-poll timeout holds
// exactly one request per client; two poll intervals hold two.
function idleWindowMs(protocol: ProtocolName): number {
  if (protocol === "poll") {
    return 2 * POLL_INTERVAL_MS;
  }
  if (protocol === "longpoll") {
    return LONG_POLL_TIMEOUT_MS;
  }
  return 0;
}

// The reasons of every client process, added up.
function countReasons(reasons: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const reasonsOfOneProcess of reasons) {
    for (const [reason, count] of Object.entries(reasonsOfOneProcess)) {
      total[reason] = (total[reason] ?? 0) + count;
    }
  }
  return total;
}

function reportClientErrors(run: Run): void {
  for (const [reason, count] of Object.entries(run.clientErrorReasons)) {
    console.log(`  ${run.label}: ${formatCount(count)} client errors: ${reason}`);
  }
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

// One run whose every figure is the median of the runs' (the fewest deliveries, though: a message lost once is lost).
function medianRun(runs: Run[]): Run {
  const [first] = runs as [Run, ...Run[]];
  const of = (pick: (run: Run) => number): number => median(runs.map(pick));
  return {
    ...first,
    delivered: Math.min(...runs.map((run) => run.delivered)),
    latencyMs: {
      p50: of((run) => run.latencyMs.p50),
      p99: of((run) => run.latencyMs.p99),
      max: of((run) => run.latencyMs.max),
    },
    requests: of((run) => run.requests),
    bytes: of((run) => run.bytes),
    serverCpuMs: of((run) => run.serverCpuMs),
    cpuMicrosPerDelivery: of((run) => run.cpuMicrosPerDelivery),
    cpuMicrosPerRequest: first.cpuMicrosPerRequest === null ? null : of((run) => run.cpuMicrosPerRequest ?? 0),
    rssMiB: of((run) => run.rssMiB),
    clientCpuShare: of((run) => run.clientCpuShare),
    idleRequestsPerSecond: first.idleRequestsPerSecond === null ? null : of((run) => run.idleRequestsPerSecond ?? 0),
    windowMs: of((run) => run.windowMs),
    connectMs: of((run) => run.connectMs),
    connectBytesOut: of((run) => run.connectBytesOut),
  };
}

// The bare baseline, the minimal Express baseline and the step, in turn, PARAMETERS.repeat times: all three see the
// same machine (other work on it changes over time).
async function runRounds(
  step: Step,
  protocol: ProtocolName,
  clients: number,
): Promise<{ bare: Run[]; express: Run[]; step: Run[] }> {
  const rounds = { bare: [] as Run[], express: [] as Run[], step: [] as Run[] };
  for (let round = 1; round <= PARAMETERS.repeat; round += 1) {
    const of = PARAMETERS.repeat > 1 ? ` (${round} of ${PARAMETERS.repeat})` : "";
    for (const kind of ["bare", "express"] as const) {
      const label = `${BASELINE_LABELS[kind]} ${protocol} (baseline)`;
      console.log(`${clients} clients: ${label}${of}…`);
      rounds[kind].push(await runOne(label, { kind, protocol }, protocol, clients));
    }
    console.log(`${clients} clients: step ${step.number} (${step.title})${of}…`);
    const label = `${String(step.number).padStart(2, "0")} ${step.title}`;
    rounds.step.push(await runOne(label, { kind: "step", step: step.number }, protocol, clients));
  }
  return rounds;
}

async function main(): Promise<void> {
  const chosen = option("steps");
  const steps = (chosen ? chosen.split(",").map(findStep) : availableSteps()).filter((step) => step.protocol);
  const machine = describeMachine();
  const date = new Date().toISOString();
  const tables: string[] = [];
  const runs: Run[] = [];
  for (const clients of PARAMETERS.clients) {
    checkOpenFileLimit(clients, PARAMETERS.clientProcesses);
    const rows: string[][] = [];
    for (const step of steps) {
      const protocol = step.protocol as ProtocolName;
      const rounds = await runRounds(step, protocol, clients);
      for (const run of [...rounds.bare, ...rounds.express, ...rounds.step]) {
        runs.push(run);
        reportClientErrors(run);
      }
      const bare = medianRun(rounds.bare);
      const express = medianRun(rounds.express);
      const stepRow = [bare, express, medianRun(rounds.step)].map((run) => row(run, bare, express));
      rows.push(...stepRow);
      console.log(markdownTable(COLUMNS, stepRow));
    }
    tables.push(`## ${formatCount(clients)} clients\n\n${markdownTable(COLUMNS, rows)}`);
  }

  const loadAverageAtEnd = describeMachine().loadAverage;
  const markdown = [
    "# Load test: many simulated clients per step, against a bare server of the same protocol",
    "",
    `Date: ${date}. Command: \`${commandLine("load")}\`.`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node};`,
    `load average at the start ${machine.loadAverage.join(", ")}, at the end ${loadAverageAtEnd.join(", ")} (1, 5 and 15 minutes).`,
    "",
    `One sender, ${WARM_UP_MESSAGES} warm-up messages (not measured), then ${PARAMETERS.messages} messages at ${PARAMETERS.rate} per second;`,
    `every client should receive every message. Clients share ${PARAMETERS.userNames} user names.`,
    `Server in one process, clients in ${PARAMETERS.clientProcesses} others, all on 127.0.0.1. The window runs from the first send`,
    `until every message is delivered (at least ${PARAMETERS.drainMs} ms, at most ${PARAMETERS.deadlineMs} ms after the last send).`,
    PARAMETERS.repeat > 1
      ? `Each row: the median of ${PARAMETERS.repeat} runs, the baselines and the step in turn (the JSON has every run).`
      : "One run per row.",
    "Each step runs beside two baselines of its protocol: a bare node:http (and ws) server, and a minimal Express app",
    "(one route per endpoint, no guards). The gap to the bare server is the framework's cost and the lesson's; the gap",
    "to minimal Express is the lesson code's alone.",
    `Targets, against minimal Express: every message delivered; CPU per delivery within ${CPU_RATIO_TARGET}x;`,
    `p99 latency within ${P99_RATIO_TARGET}x. See bench/README.md for every column.`,
    "",
    ...tables.flatMap((table) => [table, ""]),
  ].join("\n");
  const written = writeResults("load-latest", markdown, {
    date,
    command: commandLine("load"),
    machine,
    loadAverageAtEnd,
    parameters: { ...PARAMETERS, warmUpMessages: WARM_UP_MESSAGES },
    runs,
  });
  // The pictures are drawn from the result files, so they always show the latest run.
  written.push(...drawCharts());
  console.log(`\n${tables.join("\n\n")}\n\nWritten: ${written.join(", ")}`);
}

await main();
