// `npm run load`: thousands of simulated clients (Node, not browsers) against each live step and against a bare
// server of the same protocol, one sender at a steady rate. The server runs in its own process, the clients in
// others, all on 127.0.0.1. Prints a table per client count and writes bench/results/load-latest.md and .json.
// Usage: npm run load [-- --clients 1000,5000] [--steps 3,4] [--messages 10] [--rate 1] [--processes 2] [--names 10]
//        [--repeat 3]   runs each pair three times and shows the median of every figure
//        [--profile <folder>]   writes a CPU profile of every server process there (open it in Chrome DevTools)
import { fork, type ChildProcess } from "node:child_process";
import { availableSteps, findStep, type Step } from "../tools/steps.ts";
import type { ClientsStart } from "./load/clients.ts";
import {
  createSender,
  DEFAULT_USER_NAMES,
  loadText,
  now,
  POLL_INTERVAL_MS,
  STEP_PROTOCOL,
  type ProtocolName,
} from "./load/protocols.ts";
import {
  CHILD_OPTIONS,
  checkOpenFileLimit,
  CLIENTS_SCRIPT,
  collectResults,
  measure,
  nextMessage,
  SERVER_SCRIPT,
  sleep,
  stopChild,
} from "./load/processes.ts";
import {
  commandLine,
  describeMachine,
  formatBytes,
  formatCount,
  formatMs,
  markdownTable,
  option,
  percentile,
  writeResults,
} from "./report.ts";
import { drawCharts } from "./charts/draw.ts";

const PARAMETERS = {
  clients: (option("clients") ?? "1000").split(",").map(Number),
  messages: Number(option("messages") ?? 10),
  // Messages per second, from one sender.
  rate: Number(option("rate") ?? 1),
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
  // Pairs of runs (baseline, step) per step and client count. The table shows the median of each figure:
  // on a machine shared with other work, one run can be disturbed, and the median of three rarely is.
  repeat: Number(option("repeat") ?? 1),
};

// How long to watch each step while nobody sends: only where silence costs requests.
const IDLE_MS: Partial<Record<number, number>> = {
  2: 2 * POLL_INTERVAL_MS,
  // One whole long-poll timeout (step 03's LONG_POLL_TIMEOUT_MS): every client asks exactly once in it.
  3: 25_000,
};

const IDLE_OFFSET_MS = 1000;
const WARM_UP_MESSAGES = 2;

// Targets from the course's issue: CPU per delivered message and p99 latency as multiples of the baseline's.
const CPU_RATIO_TARGETS: Partial<Record<number, number>> = { 3: 2, 4: 1.5, 5: 1.5 };
const P99_RATIO_TARGET = 2;

interface Run {
  label: string;
  step: number | null;
  protocol: ProtocolName;
  clients: number;
  expected: number;
  delivered: number;
  senderFailures: number;
  clientErrors: number;
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

async function runOne(
  label: string,
  step: Step | null,
  protocol: ProtocolName,
  clients: number,
  idleMs: number,
): Promise<Run> {
  const profile = option("profile");
  const server = fork(SERVER_SCRIPT, step ? ["step", step.folder] : ["baseline", protocol], {
    ...CHILD_OPTIONS,
    // One folder per run: each thread of the process (tsx's loader has one) writes a profile of its own.
    execArgv: profile
      ? [...CHILD_OPTIONS.execArgv, "--cpu-prof", `--cpu-prof-dir=${profile}/${label.replace(/\W+/g, "-")}-${clients}`]
      : CHILD_OPTIONS.execArgv,
  });
  const workers: ChildProcess[] = [];
  try {
    const { port } = await nextMessage<{ port: number }>(server, "listening");
    const connectStartedAt = now();
    let delivered = 0;
    const deliveredBy = new Map<ChildProcess, number>();
    const share = Math.ceil(clients / PARAMETERS.clientProcesses);
    for (let first = 0; first < clients; first += share) {
      const worker = fork(CLIENTS_SCRIPT, [], CHILD_OPTIONS);
      workers.push(worker);
      worker.on("message", (message: { type: string; delivered?: number }) => {
        if (message.type === "progress") {
          deliveredBy.set(worker, message.delivered ?? 0);
          delivered = [...deliveredBy.values()].reduce((sum, count) => sum + count, 0);
        }
      });
      const start: ClientsStart = {
        type: "start",
        protocol,
        port,
        first,
        count: Math.min(share, clients - first),
        messages: PARAMETERS.messages,
        userNames: PARAMETERS.userNames,
      };
      worker.send(start);
    }
    await Promise.all(workers.map((worker) => nextMessage(worker, "ready", PARAMETERS.connectTimeoutMs)));
    const connectMs = now() - connectStartedAt;
    const connected = await measure(server);

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
      (delivered < expected || now() < lastSentAt + PARAMETERS.drainMs)
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
      step: step?.number ?? null,
      protocol,
      clients,
      expected,
      delivered: total,
      senderFailures: sender.failures(),
      clientErrors: results.reduce((sum, result) => sum + result.errors, 0),
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

function targetVerdict(run: Run, baseline: Run): string {
  if (run.step === null) {
    return "baseline";
  }
  const missed: string[] = [];
  if (run.delivered < run.expected) {
    missed.push(`delivered ${((100 * run.delivered) / run.expected).toFixed(1)}%`);
  }
  const cpuTarget = CPU_RATIO_TARGETS[run.step];
  const cpuRatio = run.cpuMicrosPerDelivery / baseline.cpuMicrosPerDelivery;
  if (cpuTarget !== undefined && cpuRatio > cpuTarget) {
    missed.push(`CPU ${cpuRatio.toFixed(2)}x > ${cpuTarget}x`);
  }
  const p99Ratio = run.latencyMs.p99 / baseline.latencyMs.p99;
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
  "vs baseline",
  "p99 vs baseline",
  "Server RSS",
  "Idle requests / s",
  "Client CPU",
  "Sent while connecting",
  "Targets",
];

function row(run: Run, baseline: Run): string[] {
  const isBaseline = run === baseline;
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
    isBaseline ? "1.00x" : `${(run.cpuMicrosPerDelivery / baseline.cpuMicrosPerDelivery).toFixed(2)}x`,
    isBaseline ? "1.00x" : `${(run.latencyMs.p99 / baseline.latencyMs.p99).toFixed(2)}x`,
    `${run.rssMiB.toFixed(0)} MiB`,
    run.idleRequestsPerSecond === null ? "–" : formatCount(run.idleRequestsPerSecond, 1),
    `${(100 * run.clientCpuShare).toFixed(0)}%`,
    formatBytes(run.connectBytesOut),
    targetVerdict(run, baseline),
  ];
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

async function main(): Promise<void> {
  const chosen = option("steps");
  const steps = (chosen ? chosen.split(",").map(findStep) : availableSteps()).filter(
    (step) => STEP_PROTOCOL[step.number],
  );
  const machine = describeMachine();
  const date = new Date().toISOString();
  const tables: string[] = [];
  const runs: Run[] = [];
  for (const clients of PARAMETERS.clients) {
    checkOpenFileLimit(clients, PARAMETERS.clientProcesses);
    const rows: string[][] = [];
    for (const step of steps) {
      const protocol = STEP_PROTOCOL[step.number] as ProtocolName;
      const idleMs = IDLE_MS[step.number] ?? 0;
      const baselines: Run[] = [];
      const stepRuns: Run[] = [];
      for (let pair = 1; pair <= PARAMETERS.repeat; pair += 1) {
        const of = PARAMETERS.repeat > 1 ? ` (${pair} of ${PARAMETERS.repeat})` : "";
        // The baseline right before its step, so both see the same machine (other work on it changes over time).
        console.log(`${clients} clients: bare ${protocol} server${of}…`);
        baselines.push(await runOne(`bare ${protocol} (baseline)`, null, protocol, clients, 0));
        console.log(`${clients} clients: step ${step.number} (${step.title})${of}…`);
        stepRuns.push(
          await runOne(`${String(step.number).padStart(2, "0")} ${step.title}`, step, protocol, clients, idleMs),
        );
      }
      runs.push(...baselines, ...stepRuns);
      const baseline = medianRun(baselines);
      rows.push(row(baseline, baseline), row(medianRun(stepRuns), baseline));
      console.log(markdownTable(COLUMNS, rows.slice(-2)));
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
      ? `Each row: the median of ${PARAMETERS.repeat} runs, baseline and step in turn (the JSON has every run).`
      : "One run per row.",
    `Targets: every message delivered; CPU per delivery within ${Object.entries(CPU_RATIO_TARGETS)
      .map(([step, ratio]) => `${ratio}x for step 0${step}`)
      .join(", ")}`,
    `of the baseline; p99 latency within ${P99_RATIO_TARGET}x of the baseline's. See bench/README.md for every column.`,
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
