// The server side of the load test, in a process of its own so that its CPU time is its own.
// Usage (by bench/load.ts and tools/reliability/soak.ts, over fork):
//   server.ts step <number> | server.ts bare <protocol> | server.ts express <protocol>
// Reports its port, then answers "measure" with its CPU time, memory and socket traffic, and "stop" by exiting.
import type { AddressInfo } from "node:net";
import { TrafficMeter, type Traffic } from "../meter.ts";
import { findStep, type ProtocolName } from "../steps.ts";
import { importStep, type ChatServer } from "../testing/server.ts";
import { BARE, createBaseline } from "./baselines.ts";

export interface ServerMeasurement {
  type: "measurement";
  // process.cpuUsage(): user plus system time of the whole process, in microseconds.
  cpuMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  traffic: Traffic;
}

async function createServer(kind: string | undefined, name: string | undefined): Promise<ChatServer> {
  if (kind === "step") {
    const module = await importStep(findStep(name));
    // Every simulated client connects from 127.0.0.1, so the steps' cap on connections per address is lifted.
    // Steps without open connections ignore the option.
    return module.createChatServer({ maxConnectionsPerAddress: Number.POSITIVE_INFINITY });
  }
  if (kind === "bare" && name) {
    return createBaseline(BARE, name as ProtocolName);
  }
  if (kind === "express" && name) {
    // Imported only here, so that the bare baseline's process never loads Express.
    const { createExpressBaseline } = await import("./express-baseline.ts");
    return createExpressBaseline(name as ProtocolName);
  }
  throw new Error(`Usage: server.ts step <number> | server.ts bare|express <protocol>, not ${kind} ${name}`);
}

// The step's console lines cost time the load test would measure, and nobody reads them here.
process.env.QUIET = "1";
const chat = await createServer(process.argv[2], process.argv[3]);
const meter = new TrafficMeter(chat.server);

function measure(): ServerMeasurement {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    type: "measurement",
    cpuMicros: cpu.user + cpu.system,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    traffic: meter.read(),
  };
}

async function stop(): Promise<void> {
  await chat.close();
  process.exit(0);
}

process.on("message", (request: { type: string }) => {
  if (request.type === "measure") {
    process.send?.(measure());
  } else if (request.type === "stop") {
    void stop();
  }
});
// The parent gone (Ctrl+C, a crash): do not linger.
process.on("disconnect", () => process.exit(0));

// A deep queue of connections not yet accepted, so a burst of thousands of clients is not refused.
chat.server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  process.send?.({ type: "listening", port: (chat.server.address() as AddressInfo).port });
});
