// Runs a step's server inside the test process, on 127.0.0.1 and a port the system picks.
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, type Step } from "../steps.ts";

export interface ChatServer {
  server: http.Server;
  close(): Promise<void>;
}

export interface RunningServer {
  url: string;
  port: number;
  // Stops this server process and starts a fresh one (new epoch, empty history) on the same port,
  // as `tsx watch` does when the lecturer saves a file.
  restart(): Promise<void>;
  stop(): Promise<void>;
  // Stops it only; `start()` brings a fresh one back on the same port, for tests of a longer outage.
  start(): Promise<void>;
  // The running server, for tests that look inside (for example at the long-poll waiters).
  current(): ChatServer;
}

function listen(chat: ChatServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    chat.server.once("error", reject);
    chat.server.listen(port, "127.0.0.1", () => resolve((chat.server.address() as AddressInfo).port));
  });
}

// Options that only some steps take (steps without open connections ignore maxConnectionsPerAddress).
export interface StepServerOptions {
  maxConnectionsPerAddress?: number;
}

export interface StepModule {
  createChatServer(options?: StepServerOptions): ChatServer;
}

// A step's server.ts, for the tests that run the same checks against every step.
export async function importStep(step: Step): Promise<StepModule> {
  return (await import(pathToFileURL(join(ROOT, step.folder, "server.ts")).href)) as StepModule;
}

export async function startServer<T extends ChatServer>(create: () => T): Promise<RunningServer> {
  let chat: T | undefined = create();
  const port = await listen(chat, 0);

  async function stop(): Promise<void> {
    await chat?.close();
    chat = undefined;
  }

  async function start(): Promise<void> {
    chat = create();
    await listen(chat, port);
  }

  function current(): T {
    if (!chat) {
      throw new Error("The server is stopped");
    }
    return chat;
  }

  async function restart(): Promise<void> {
    await stop();
    await start();
  }

  return { url: `http://127.0.0.1:${port}`, port, restart, stop, start, current };
}
