// The soak: for every live step, many simulated clients (tools/load's Node clients, in processes of their own) stay
// connected while one sender talks at a steady pace for a while. Every message must reach every client; the
// server's memory must stay flat after the warm-up; and when the clients have gone, the server must hold no more
// open files than before they came (no leaked sockets). Loopback only; bounded in clients, messages and time.
import type { ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import {
  checkOpenFileLimit,
  collectResults,
  measure,
  sleep,
  startClients,
  startLoadServer,
  stopChild,
} from "../load/processes.ts";
import { createSender, DEFAULT_USER_NAMES, loadText } from "../load/protocols.ts";
import type { ProtocolName, Step } from "../steps.ts";

const SOAK = {
  clients: Number(process.env.SOAK_CLIENTS ?? 1000),
  // One message a second stays under every step's rate limit for one sender (20 per 10 s).
  messages: Number(process.env.SOAK_MESSAGES ?? 60),
  ratePerSecond: 1,
  clientProcesses: 2,
  // Memory is read once this many messages have gone out (the server's code is warm by then), and at the end.
  warmUpMessages: 10,
  deliveryDeadlineMs: 30_000,
  connectTimeoutMs: 120_000,
  // After the clients leave, their sockets must close on the server within this long.
  releaseDeadlineMs: 30_000,
};

// More than this growth of the server's heap between warm-up and end counts as "not flat".
const FLAT_HEAP_GROWTH = 1.25;

export interface SoakRow {
  step: string;
  clients: number;
  seconds: number;
  expected: number;
  delivered: number;
  lost: number;
  heapWarmMb: number;
  heapEndMb: number;
  rssWarmMb: number;
  rssEndMb: number;
  fdsBefore: number;
  fdsAfter: number;
  verdict: string;
}

function openFiles(pid: number | undefined): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function megabytes(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

async function soakStep(step: Step, protocol: ProtocolName): Promise<SoakRow> {
  const { child: server, port } = await startLoadServer({ kind: "step", step: step.number });
  let workers: ChildProcess[] = [];
  try {
    const fdsBefore = openFiles(server.pid);
    const clients = await startClients({
      protocol,
      port,
      clients: SOAK.clients,
      processes: SOAK.clientProcesses,
      messages: SOAK.messages,
      userNames: DEFAULT_USER_NAMES,
      connectTimeoutMs: SOAK.connectTimeoutMs,
    });
    workers = clients.workers;
    const sender = createSender(protocol, port);
    await sender.ready;

    const startedAt = performance.now();
    let warm = await measure(server);
    for (let number = 0; number < SOAK.messages; number += 1) {
      // A fixed timetable: a late send does not push the later ones back.
      await sleep(startedAt + (number * 1000) / SOAK.ratePerSecond - performance.now());
      sender.send(loadText(number, Date.now()));
      if (number === SOAK.warmUpMessages) {
        warm = await measure(server);
      }
    }
    const expected = SOAK.clients * SOAK.messages;
    const deadline = performance.now() + SOAK.deliveryDeadlineMs;
    while (clients.delivered() < expected && performance.now() < deadline) {
      await sleep(100);
    }
    const end = await measure(server);
    const results = await collectResults(workers);
    sender.close();
    await Promise.all(workers.map(stopChild));

    // Every client is gone: the server's sockets must close too, down to what it held before they came.
    const released = performance.now() + SOAK.releaseDeadlineMs;
    while (openFiles(server.pid) > fdsBefore && performance.now() < released) {
      await sleep(200);
    }
    const fdsAfter = openFiles(server.pid);
    const delivered = results.reduce((sum, result) => sum + result.delivered, 0);
    const problems = [
      ...(delivered < expected ? [`lost ${expected - delivered}`] : []),
      ...(end.heapUsedBytes > warm.heapUsedBytes * FLAT_HEAP_GROWTH ? ["heap grew"] : []),
      ...(fdsAfter > fdsBefore ? ["open files left"] : []),
    ];
    return {
      step: step.folder,
      clients: SOAK.clients,
      seconds: Math.round((performance.now() - startedAt) / 1000),
      expected,
      delivered,
      lost: expected - delivered,
      heapWarmMb: megabytes(warm.heapUsedBytes),
      heapEndMb: megabytes(end.heapUsedBytes),
      rssWarmMb: megabytes(warm.rssBytes),
      rssEndMb: megabytes(end.rssBytes),
      fdsBefore,
      fdsAfter,
      verdict: problems.length === 0 ? "ok" : problems.join(", "),
    };
  } finally {
    await Promise.all([server, ...workers].map(stopChild));
  }
}

export async function runSoaks(steps: Step[]): Promise<SoakRow[]> {
  checkOpenFileLimit(SOAK.clients, SOAK.clientProcesses);
  const rows: SoakRow[] = [];
  for (const step of steps) {
    const protocol = step.protocol;
    if (!protocol) {
      continue;
    }
    console.log(`soak: ${step.folder}, ${SOAK.clients} clients, ${SOAK.messages} messages…`);
    const row = await soakStep(step, protocol);
    console.log(`soak: ${step.folder}: ${row.verdict}`);
    rows.push(row);
  }
  return rows;
}
