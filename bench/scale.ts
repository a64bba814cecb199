// `npm run load:scale`: the load test of step 04 on two server processes that share Redis (homework 04.4's
// reference solution, in a scratch copy), against the same step as one process, in the same run. The simulated
// clients (tools/load) are split across the processes; one sender talks to the first. For each setup it measures
// what was delivered, the latency, the CPU time of each server process per message it delivered, and the CPU time
// of redis-server itself (INFO CPU). Prints a table per client count and writes bench/results/scale-latest.md and
// .json.
// Usage: npm run load:scale [-- --clients 1000,5000] [--messages 10] [--rate 1]
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createClient as createRedisClient } from "redis";
import type { ClientProcesses } from "../tools/load/processes.ts";
import {
  checkOpenFileLimit,
  collectResults,
  measure,
  nextMessage,
  sleep,
  startClients,
  stopChild,
} from "../tools/load/processes.ts";
import { createSender, DEFAULT_USER_NAMES, loadText, now } from "../tools/load/protocols.ts";
import { startRedis, type RunningRedis } from "../tools/redis/redis-server.ts";
import { copySolvedStep, type SolvedStep } from "../tools/redis/solved-step.ts";
import { commandLine, describeMachine, formatCount, formatMs, markdownTable, percentile } from "../tools/report.ts";
import { trafficOptions } from "../tools/load/traffic-options.ts";
import { writeResults } from "./results.ts";

const PARAMETERS = {
  ...trafficOptions(),
  // Two client processes in every setup: both on the one server process, or one for each of two.
  clientProcesses: 2,
  // After the last send, the window stays open at least this long, and at most deadlineMs.
  drainMs: 1000,
  deadlineMs: 30_000,
  connectTimeoutMs: 120_000,
};
const WARM_UP_MESSAGES = 2;

// The setups compared: the step alone (in memory, as in `npm run load`), the same process through Redis (what
// Redis costs), and two processes through Redis (what sharing the clients saves each process).
const SETUPS = [
  { label: "1 process, in memory", serverProcesses: 1, redis: false },
  { label: "1 process + Redis", serverProcesses: 1, redis: true },
  { label: "2 processes + Redis", serverProcesses: 2, redis: true },
] as const;

type Setup = (typeof SETUPS)[number];

interface ServerRun {
  clients: number;
  delivered: number;
  cpuMicros: number;
}

interface Run {
  setup: string;
  clients: number;
  expected: number;
  delivered: number;
  senderFailures: number;
  latencyMs: { p50: number; p99: number; max: number };
  servers: ServerRun[];
  // CPU time of redis-server in the window (user plus system), or null without Redis.
  redisCpuMicros: number | null;
  windowMs: number;
}

// The load test's server process (tools/load/server.ts) of the scratch copy, which imports the solved step there.
async function startServer(
  solved: SolvedStep,
  redisUrl: string | undefined,
): Promise<{ child: ChildProcess; port: number }> {
  const env = { ...process.env, REDIS_URL: redisUrl };
  // Without it, the step keeps everything in memory, as if Redis did not exist.
  if (!redisUrl) {
    delete env.REDIS_URL;
  }
  const child = fork(join(solved.root, "tools", "load", "server.ts"), ["step", "4"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env,
  });
  const { port } = await nextMessage<{ port: number }>(child, "listening");
  return { child, port };
}

async function redisCpuMicros(url: string): Promise<number> {
  const client = createRedisClient({ url });
  await client.connect();
  const info = await client.info("cpu");
  client.destroy();
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return (field("used_cpu_user") + field("used_cpu_sys")) * 1_000_000;
}

// Part `index` of `parts` gets this many of `clients`: as even as whole numbers allow.
function shareOf(clients: number, parts: number, index: number): number {
  return Math.floor(clients / parts) + (index < clients % parts ? 1 : 0);
}

async function runSetup(setup: Setup, clients: number, solved: SolvedStep): Promise<Run> {
  let redis: RunningRedis | undefined;
  const servers: ChildProcess[] = [];
  const groups: ClientProcesses[] = [];
  try {
    redis = setup.redis ? await startRedis() : undefined;
    const started = await Promise.all(
      Array.from({ length: setup.serverProcesses }, () => startServer(solved, redis?.url)),
    );
    servers.push(...started.map((server) => server.child));
    // The same client processes in every setup: with one server process both talk to it, with two one each.
    const clientProcessesEach = PARAMETERS.clientProcesses / started.length;
    const shares = started.map((_, index) => shareOf(clients, started.length, index));
    for (const [index, server] of started.entries()) {
      groups.push(
        await startClients({
          protocol: "websocket",
          port: server.port,
          clients: shares[index] ?? 0,
          processes: clientProcessesEach,
          messages: PARAMETERS.messages,
          userNames: DEFAULT_USER_NAMES,
          connectTimeoutMs: PARAMETERS.connectTimeoutMs,
        }),
      );
    }
    const sender = createSender("websocket", started[0]?.port ?? 0);
    await sender.ready;
    // Unmeasured messages first, so that the window sees optimized code (as bench/load.ts does).
    for (let number = 0; number < WARM_UP_MESSAGES; number += 1) {
      sender.send(`warm-up ${number}`);
      await sleep(1000 / PARAMETERS.rate);
    }
    await sleep(PARAMETERS.drainMs);
    for (const worker of groups.flatMap((group) => group.workers)) {
      worker.send({ type: "mark" });
    }
    const expected = clients * PARAMETERS.messages;
    const cpuAtStart = await Promise.all(servers.map(measure));
    const redisAtStart = redis ? await redisCpuMicros(redis.url) : 0;
    const startedAt = now();
    for (let number = 0; number < PARAMETERS.messages; number += 1) {
      await sleep(startedAt + (number * 1000) / PARAMETERS.rate - now());
      sender.send(loadText(number, now()));
    }
    const lastSentAt = now();
    const delivered = (): number => groups.reduce((sum, group) => sum + group.delivered(), 0);
    while (
      now() < lastSentAt + PARAMETERS.deadlineMs &&
      (delivered() < expected || now() < lastSentAt + PARAMETERS.drainMs)
    ) {
      await sleep(50);
    }
    const cpuAtEnd = await Promise.all(servers.map(measure));
    const redisAtEnd = redis ? await redisCpuMicros(redis.url) : 0;
    const windowMs = now() - startedAt;
    const results = await Promise.all(groups.map((group) => collectResults(group.workers)));
    sender.close();

    const latencies = results.flat().flatMap((result) => result.latencies);
    const serverRuns = results.map((own, index) => ({
      clients: shares[index] ?? 0,
      delivered: own.reduce((sum, result) => sum + result.delivered, 0),
      cpuMicros: (cpuAtEnd[index]?.cpuMicros ?? 0) - (cpuAtStart[index]?.cpuMicros ?? 0),
    }));
    return {
      setup: setup.label,
      clients,
      expected,
      delivered: serverRuns.reduce((sum, server) => sum + server.delivered, 0),
      senderFailures: sender.failures(),
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: percentile(latencies, 1) },
      servers: serverRuns,
      redisCpuMicros: redis ? redisAtEnd - redisAtStart : null,
      windowMs,
    };
  } finally {
    await Promise.all([...servers, ...groups.flatMap((group) => group.workers)].map(stopChild));
    await redis?.close();
  }
}

const COLUMNS = [
  "Setup",
  "Clients",
  "Delivered",
  "Latency p50",
  "p99",
  "Server CPU per delivery, each process",
  "Redis CPU",
  "Redis CPU per delivery",
  "All CPU per delivery",
];

function microsPer(micros: number, deliveries: number): string {
  return `${(micros / Math.max(1, deliveries)).toFixed(1)} µs`;
}

function row(run: Run): string[] {
  const serverMicros = run.servers.reduce((sum, server) => sum + server.cpuMicros, 0);
  return [
    run.setup,
    formatCount(run.clients),
    `${formatCount(run.delivered)}/${formatCount(run.expected)}`,
    formatMs(run.latencyMs.p50),
    formatMs(run.latencyMs.p99),
    run.servers
      .map(
        (server, index) =>
          `${"AB"[index]}: ${microsPer(server.cpuMicros, server.delivered)} (${formatCount(server.clients)} clients)`,
      )
      .join(", "),
    run.redisCpuMicros === null ? "–" : `${formatCount(run.redisCpuMicros / 1000)} ms`,
    run.redisCpuMicros === null ? "–" : microsPer(run.redisCpuMicros, run.delivered),
    microsPer(serverMicros + (run.redisCpuMicros ?? 0), run.delivered),
  ];
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const date = new Date().toISOString();
  const solved = copySolvedStep();
  const runs: Run[] = [];
  const tables: string[] = [];
  try {
    for (const clients of PARAMETERS.clients) {
      checkOpenFileLimit(clients, 1);
      const rows: string[][] = [];
      for (const setup of SETUPS) {
        console.log(`${clients} clients: ${setup.label}…`);
        const run = await runSetup(setup, clients, solved);
        runs.push(run);
        rows.push(row(run));
        console.log(markdownTable(COLUMNS, [rows.at(-1) as string[]]));
      }
      tables.push(`## ${formatCount(clients)} clients\n\n${markdownTable(COLUMNS, rows)}`);
    }
  } finally {
    solved.remove();
  }
  const loadAverageAtEnd = describeMachine().loadAverage;
  const markdown = [
    "# Load test over two processes sharing Redis (homework 04.4), against one process",
    "",
    `Date: ${date}. Command: \`${commandLine("load:scale")}\`.`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node};`,
    `load average at the start ${machine.loadAverage.join(", ")}, at the end ${loadAverageAtEnd.join(", ")} (1, 5 and 15 minutes).`,
    "",
    `Step 04 with the reference solution of homework 04.4. One sender on process A, ${WARM_UP_MESSAGES} warm-up messages (not`,
    `measured), then ${PARAMETERS.messages} messages at ${PARAMETERS.rate} per second; every client should receive every message.`,
    `Clients in ${PARAMETERS.clientProcesses} processes, one per server process (both on the one process when there is one).`,
    "Server CPU per delivery: the CPU time of that process in the window over the messages its own clients received.",
    "Redis CPU: used_cpu_user + used_cpu_sys of redis-server's INFO CPU over the window. All CPU per delivery: every",
    "server process and Redis, over all deliveries. One run per row.",
    "",
    ...tables.flatMap((table) => [table, ""]),
  ].join("\n");
  const written = writeResults("scale-latest", markdown, {
    date,
    command: commandLine("load:scale"),
    machine,
    loadAverageAtEnd,
    parameters: { ...PARAMETERS, warmUpMessages: WARM_UP_MESSAGES },
    runs,
  });
  console.log(`\n${tables.join("\n\n")}\n\nWritten: ${written.join(", ")}`);
}

await main();
