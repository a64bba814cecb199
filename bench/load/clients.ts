// Simulated pages for the load test, in a process of their own (bench/load.ts starts one or more).
// Waits for a "start" message, connects its clients a batch at a time, says when all of them are connected,
// reports its deliveries as they come, and on "finish" sends every latency it measured and exits.
// "mark" starts the count of this process's own CPU time: a busy load generator can starve the server.
import { Arrivals, createClient, type LoadClient, type ProtocolName } from "./protocols.ts";

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
  latencies: number[];
  cpuMicros: number;
}

// Connecting thousands of clients in the same millisecond overflows the server's queue of new connections.
const CONNECT_BATCH = 50;
const CONNECT_PAUSE_MS = 10;
const PROGRESS_INTERVAL_MS = 200;

let clients: LoadClient[] = [];
let arrivals: Arrivals | undefined;
let errors = 0;
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
    onError: () => {
      errors += 1;
    },
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

function finish(): void {
  const cpu = process.cpuUsage(cpuAtStart);
  const latencies = arrivals ? [...arrivals.latencies].filter((latency) => !Number.isNaN(latency)) : [];
  const result: ClientsResult = {
    type: "result",
    delivered: arrivals?.delivered ?? 0,
    errors,
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
