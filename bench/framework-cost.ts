// What one HTTP request costs the server, with and without Express: the same GET answered by bare node:http,
// by node:http after the two Object.setPrototypeOf calls Express makes for every request, by a one-route Express
// app, and by the course's app.ts. Long polling pays this once per page per message (bench/README.md, "Long polling
// under load").
// Usage: npx tsx bench/framework-cost.ts
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { HttpConnection } from "../tools/clients/http-connection.ts";
import { VARIANTS } from "./load/framework-server.ts";

const CONNECTIONS = 100;
const WARM_UP_REQUESTS = 5000;
const MEASURED_REQUESTS = 20_000;
const ROUNDS = 3;
const SERVER_SCRIPT = fileURLToPath(new URL("./load/framework-server.ts", import.meta.url));

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve) => child.once("message", (message) => resolve(message as T)));
}

// `total` requests over CONNECTIONS keep-alive connections, each connection one request at a time.
function requestMany(connections: HttpConnection[], total: number): Promise<void> {
  return new Promise((resolve) => {
    let started = 0;
    let finished = 0;
    const next = (connection: HttpConnection): void => {
      if (started === total) {
        return;
      }
      started += 1;
      connection.request("GET", "/api/messages?epoch=x&since=1", {
        onBody: () => {},
        onEnd: () => {
          finished += 1;
          if (finished === total) {
            resolve();
          } else {
            next(connection);
          }
        },
      });
    };
    connections.forEach(next);
  });
}

async function measure(variant: string): Promise<number> {
  const server = fork(SERVER_SCRIPT, [variant], { execArgv: ["--import", "tsx"] });
  const { port } = await nextMessage<{ port: number }>(server);
  const connections = Array.from({ length: CONNECTIONS }, () => new HttpConnection(port, () => {}));
  await requestMany(connections, WARM_UP_REQUESTS);
  server.send({ type: "measure" });
  const before = await nextMessage<{ cpuMicros: number }>(server);
  await requestMany(connections, MEASURED_REQUESTS);
  server.send({ type: "measure" });
  const after = await nextMessage<{ cpuMicros: number }>(server);
  for (const connection of connections) {
    connection.close();
  }
  server.send({ type: "stop" });
  return (after.cpuMicros - before.cpuMicros) / MEASURED_REQUESTS;
}

const costs = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const variant of Object.keys(VARIANTS)) {
    costs.set(variant, [...(costs.get(variant) ?? []), await measure(variant)]);
  }
}
console.log(
  `Server CPU per request (median of ${ROUNDS} rounds of ${MEASURED_REQUESTS.toLocaleString("en-US")} requests):`,
);
for (const [variant, values] of costs) {
  const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log(`  ${variant.padEnd(32)} ${median.toFixed(1).padStart(6)} µs`);
}
