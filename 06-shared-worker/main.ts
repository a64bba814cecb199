// Starts this step's server from the command line: `npm run exampleN` runs this file with tsx.
// This file is not the lesson: it is identical in every step.
import type { AddressInfo } from "node:net";
import os from "node:os";
import { LISTEN_HOST } from "./app.ts";
import { LESSON } from "./lesson.ts";
import { createChatServer } from "./server.ts";

const DEFAULT_PORT = 3000;
const port = Number(process.env.PORT ?? DEFAULT_PORT);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a whole number from 0 to 65535, not "${process.env.PORT}".`);
  process.exit(1);
}

const chat = createChatServer();

// With PORT=0 the system picks a free port: print the one we got.
function reportListening(): void {
  const url = `http://localhost:${(chat.server.address() as AddressInfo).port}`;
  console.log(`\n${LESSON.title}: open ${url}/?user=Alice and, in a second window, ${url}/?user=Bob`);
  for (const idea of LESSON.tryThis) {
    console.log(`  - ${idea}`);
  }
  reportSharing();
  console.log("Press Ctrl+C to stop.\n");
}

function reportSharing(): void {
  const port = (chat.server.address() as AddressInfo).port;
  if (LISTEN_HOST === "127.0.0.1") {
    console.log(`  Only this computer can connect. To let the class connect too: HOST=0.0.0.0 ${LESSON.command}`);
    return;
  }
  const addresses = Object.values(os.networkInterfaces()).flatMap((entries) => entries ?? []);
  for (const { address } of addresses.filter((entry) => entry.family === "IPv4" && !entry.internal)) {
    console.log(`  Shared on the local network: http://${address}:${port}/?user=YourName`);
  }
}

function reportStartFailure(error: NodeJS.ErrnoException): void {
  if (error.code === "EADDRINUSE") {
    console.error(
      `Port ${port} is already in use (is another example still running?). Stop it, or choose another port: PORT=3001 ${LESSON.command}`,
    );
  } else {
    console.error(`The server could not start: ${error.message}`);
  }
  process.exit(1);
}

async function shutDown(signal: string): Promise<void> {
  console.log(`${signal}: closing open connections…`);
  await chat.close();
  process.exit(0);
}

chat.server.once("error", reportStartFailure);
chat.server.listen(port, LISTEN_HOST, reportListening);
process.once("SIGINT", shutDown);
process.once("SIGTERM", shutDown);
