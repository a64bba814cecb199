// GET /api/stats in every step: the server's own view of what it holds now, and the landing page of `npm run all`
// that shows it live, so a lecturer can put "3 tabs, 3 sockets" (step 04) beside "3 tabs, 1 socket" (step 06).
import http from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebSocket } from "ws";
import { createLandingServer } from "../bench/landing/server.ts";
import { openChatSocket } from "../tools/clients/chat-socket.ts";
import { eventsPath } from "../tools/clients/event-stream.ts";
import { availableSteps, findStep, type Step } from "../tools/steps.ts";
import { expect, test } from "../tools/testing/browser.ts";
import { postChat, request } from "../tools/testing/http.ts";
import { importStep, startServer, type RunningServer } from "../tools/testing/server.ts";

interface Stats {
  epoch: string;
  messagesStored: number;
  newestId: number;
  tcpConnections: number;
  waitingPolls?: number;
  openStreams?: number;
  openSockets?: number;
  usersOnline?: Record<string, number>;
}

// What each technique holds open for its pages (the step list's `holds`), by the name GET /api/stats gives it.
const HELD_OPEN_FIELD = {
  "long poll": "waitingPolls",
  "event stream": "openStreams",
  WebSocket: "openSockets",
} as const;

async function startStep(step: Step): Promise<RunningServer> {
  const module = await importStep(step);
  return startServer(() => module.createChatServer());
}

async function readStats(running: RunningServer): Promise<Stats> {
  const reply = await request(`${running.url}/api/stats`);
  expect(reply.status).toBe(200);
  expect(reply.headers["content-type"]).toMatch(/^application\/json/);
  return JSON.parse(reply.body) as Stats;
}

// A request the server holds open (a long poll or an event stream), ended by the test.
function holdRequest(url: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const outgoing = http.get(url, { agent: false }, () => resolve(outgoing));
    outgoing.once("error", reject);
    // A long poll sends no headers until it answers: it counts as held once the request is out.
    outgoing.once("finish", () => setTimeout(() => resolve(outgoing), 0));
  });
}

function openSocket(running: RunningServer, user: string): Promise<WebSocket> {
  const socket = openChatSocket(running.port, user);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

for (const step of availableSteps()) {
  test.describe(`${step.folder}: GET /api/stats`, () => {
    let running: RunningServer;
    test.beforeEach(async () => {
      running = await startStep(step);
    });
    test.afterEach(() => running.stop());

    test("reports the history, the open connections and what the technique holds open", async () => {
      const stats = await readStats(running);
      expect(stats.epoch).toMatch(/^[0-9a-f-]{36}$/);
      expect(stats).toMatchObject({ messagesStored: 0, newestId: 0 });
      // The test's own request is not counted; nothing else is connected.
      await expect.poll(async () => (await readStats(running)).tcpConnections).toBe(0);
      if (step.holds === undefined) {
        expect(Object.keys(stats).sort()).toEqual(["epoch", "messagesStored", "newestId", "tcpConnections"]);
        return;
      }
      expect(stats[HELD_OPEN_FIELD[step.holds]]).toBe(0);
      // Who is online is known where each page holds a connection of its own: a stream or a socket, not a poll.
      expect(stats.usersOnline === undefined).toBe(step.holds === "long poll");
    });

    if (step.sends === "POST") {
      test("counts the messages stored", async () => {
        await postChat(running.url, "Alice", "one");
        await postChat(running.url, "Bob", "two");
        expect(await readStats(running)).toMatchObject({ messagesStored: 2, newestId: 2 });
      });
    }
  });
}

test("step 03 counts a poll while the server holds it, and not after the page goes away", async () => {
  const running = await startStep(findStep("3"));
  try {
    const { epoch, newestId } = await readStats(running);
    const poll = await holdRequest(`${running.url}/api/messages?epoch=${epoch}&since=${newestId}`);
    await expect.poll(async () => await readStats(running)).toMatchObject({ waitingPolls: 1, tcpConnections: 1 });
    poll.destroy();
    await expect.poll(async () => await readStats(running)).toMatchObject({ waitingPolls: 0, tcpConnections: 0 });
  } finally {
    await running.stop();
  }
});

test("step 05 counts the event streams, and each user's streams", async () => {
  const running = await startStep(findStep("5"));
  const streams = await Promise.all(
    ["Alice", "Alice", "Bob"].map((user) => holdRequest(`${running.url}${eventsPath(user)}`)),
  );
  try {
    await expect
      .poll(async () => await readStats(running))
      .toMatchObject({ openStreams: 3, tcpConnections: 3, usersOnline: { Alice: 2, Bob: 1 } });
  } finally {
    streams.forEach((stream) => stream.destroy());
    await running.stop();
  }
});

for (const number of ["4", "6"]) {
  test(`step 0${number} counts the sockets, and each user's sockets`, async () => {
    const running = await startStep(findStep(number));
    const sockets = await Promise.all(["Alice", "Alice", "Bob"].map((user) => openSocket(running, user)));
    try {
      await expect
        .poll(async () => await readStats(running))
        .toMatchObject({ openSockets: 3, tcpConnections: 3, usersOnline: { Alice: 2, Bob: 1 } });
    } finally {
      sockets.forEach((socket) => socket.terminate());
      await running.stop();
    }
  });
}

test("the landing page shows three tabs holding three sockets in step 04 and one in step 06", async ({
  browser,
  openChat,
}) => {
  const steps = [findStep("4"), findStep("6")];
  const servers = await Promise.all(steps.map(startStep));
  const landing = createLandingServer(steps.map((step, index) => ({ step, port: servers[index]!.port })));
  await new Promise<void>((resolve) => landing.listen(0, "127.0.0.1", resolve));
  try {
    for (const running of servers) {
      // Three tabs of one browser profile, as a student opens them.
      const first = await openChat(running.url, "Alice");
      for (let tab = 0; tab < 2; tab += 1) {
        await openChat(running.url, "Alice", first.page.context());
      }
    }
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${(landing.address() as AddressInfo).port}/`);
    // The columns: step, held open, TCP connections, users online, messages stored, epoch.
    const cells = (title: string) => page.locator("#live-stats tbody tr").filter({ hasText: title }).locator("td");
    await expect(cells("4. WebSockets").nth(1)).toHaveText("3 WebSockets");
    await expect(cells("4. WebSockets").nth(3)).toHaveText("Alice (3)");
    await expect(cells("6. SharedWorker").nth(1)).toHaveText("1 WebSocket");
    await expect(cells("6. SharedWorker").nth(3)).toHaveText("Alice (1)");
    await page.context().close();
  } finally {
    await closeServer(landing);
    await Promise.all(servers.map((running) => running.stop()));
  }
});

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
