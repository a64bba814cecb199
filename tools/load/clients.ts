// Simulated pages for the load test and the soak, in a process of their own (bench/load.ts and
// tools/reliability/soak.ts start one or more).
// Waits for a "start" message, connects its clients a batch at a time, says when all of them are connected,
// reports its deliveries as they come, and on "finish" sends every latency it measured and exits.
// "mark" starts the count of this process's own CPU time: a busy load generator can starve the server.
import type { ProtocolName } from "../steps.ts";
import { Arrivals, createClient, type LoadClient } from "./protocols.ts";

export interface ClientsStart {
  type: "start";
  protocol: ProtocolName;
  port: number;
  // This process simulates clients first … first + count - 1 (the number picks the user name).
  first: number;
  count: number;
  messages: number;
  // How many distinct user names the clients share.
  userNames: number;
}

export interface ClientsResult {
  type: "result";
  delivered: number;
  errors: number;
  // How many times each reason of an error came up (the first MAX_ERROR_REASONS different reasons).
  errorReasons: Record<string, number>;
  latencies: number[];
  cpuMicros: number;
}

// Connecting thousands of clients in the same millisecond overflows the server's queue of new connections.
const CONNECT_BATCH = 50;
const CONNECT_PAUSE_MS = 10;
const PROGRESS_INTERVAL_MS = 200;
const MAX_ERROR_REASONS = 10;

let clients: LoadClient[] = [];
let arrivals: Arrivals | undefined;
let errors = 0;
const errorReasons = new Map<string, number>();
let cpuAtStart = process.cpuUsage();

function send(message: object): void {
  process.send?.(message);
}

async function start(request: ClientsStart): Promise<void> {
  const received = new Arrivals(request.count, request.messages);
  arrivals = received;
  let ready = 0;
  const context = {
    port: request.port,
    arrivals: received,
    onReady: () => {
      ready += 1;
      if (ready === request.count) {
        send({ type: "ready" });
      }
    },
    onError: countError,
  };
  for (let index = 0; index < request.count; index += 1) {
    const client = createClient(request.protocol, index, request.first + index, request.userNames, context);
    clients.push(client);
    client.start();
    if ((index + 1) % CONNECT_BATCH === 0) {
      await new Promise((resolve) => setTimeout(resolve, CONNECT_PAUSE_MS));
    }
  }
  setInterval(() => send({ type: "progress", delivered: received.delivered, errors }), PROGRESS_INTERVAL_MS);
}

function countError(reason: string): void {
  errors += 1;
  if (errorReasons.has(reason) || errorReasons.size < MAX_ERROR_REASONS) {
    errorReasons.set(reason, (errorReasons.get(reason) ?? 0) + 1);
  }
}

function finish(): void {
  const cpu = process.cpuUsage(cpuAtStart);
  const latencies = arrivals ? [...arrivals.latencies].filter((latency) => !Number.isNaN(latency)) : [];
  const result: ClientsResult = {
    type: "result",
    delivered: arrivals?.delivered ?? 0,
    errors,
    errorReasons: Object.fromEntries(errorReasons),
    latencies,
    cpuMicros: cpu.user + cpu.system,
  };
  for (const client of clients) {
    client.stop();
  }
  clients = [];
  process.send?.(result, () => process.exit(0));
}

process.on("message", (message: { type: string }) => {
  if (message.type === "start") {
    void start(message as ClientsStart);
  } else if (message.type === "mark") {
    cpuAtStart = process.cpuUsage();
  } else if (message.type === "finish") {
    finish();
  }
});
process.on("disconnect", () => process.exit(0));
