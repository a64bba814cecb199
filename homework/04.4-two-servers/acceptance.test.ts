// Acceptance test of homework 04.4: two processes of step 04 on two ports, sharing one chat through Redis.
// Each test starts a real redis-server (tools/redis/redis-server.ts) and two real server processes of the step
// (`node --import tsx 04-websockets/main.ts`, as `npm run example4` runs it) with REDIS_URL set, then opens
// Chromium pages on both and kills a process with SIGKILL. It fails on the untouched step, which ignores REDIS_URL.
import { WebSocket } from "ws";
import type { ServerFrame, Update } from "../../04-websockets/client/protocol.ts";
import { startRedis, type RunningRedis } from "../../tools/redis/redis-server.ts";
import { startServerProcess, type ServerProcess } from "../../tools/reliability/server-process.ts";
import { findStep } from "../../tools/steps.ts";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";

const STEP = findStep("04");
// The bound the exercise sets (README.md, "Done when"): a process that dies without a goodbye no longer counts
// its users as online after at most this long.
const PRESENCE_BOUND_MS = 15_000;
// A page whose server was killed retries after 1 s, 2 s, 4 s, … (with jitter): it is back within this long.
const RECOVERY_TIMEOUT_MS = 20_000;
const CONNECTED = /^Connected/;

let redis: RunningRedis;
let serverA: ServerProcess;
let serverB: ServerProcess;

test.beforeEach(async () => {
  redis = await startRedis();
  serverA = await startServerProcess(STEP, { REDIS_URL: redis.url });
  serverB = await startServerProcess(STEP, { REDIS_URL: redis.url });
});

test.afterEach(async () => {
  // A process that the test killed has nothing left to stop.
  await serverA.kill().catch(() => undefined);
  await serverB.kill().catch(() => undefined);
  await redis.close();
});

// What a server process answers a page that has nothing yet: its epoch and its whole history.
async function historyOf(server: ServerProcess): Promise<Update> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?user=Reader`, { origin: server.url });
  try {
    const history = new Promise<Update>((resolve) => {
      socket.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === "history") {
          resolve(frame);
        }
      });
    });
    socket.on("open", () => socket.send(JSON.stringify({ type: "resume", epoch: "", since: 0 })));
    return await history;
  } finally {
    socket.close();
  }
}

// The step's "Bob is typing…" line (public/index.html).
function typingLine(window: ChatWindow) {
  return window.page.locator("#typing");
}

function onlineNames(window: ChatWindow) {
  return window.online.getByRole("listitem");
}

test("a message and a typing notice sent to either process reach the pages of both", async ({ openChat }) => {
  const alice = await openChat(serverA.url, "Alice");
  const bob = await openChat(serverB.url, "Bob");
  await expect(alice.status).toHaveText(CONNECTED);
  await expect(bob.status).toHaveText(CONNECTED);

  await bob.input.pressSequentially("Hel");
  await expect(typingLine(alice)).toHaveText("Bob is typing…");
  await expect(typingLine(bob)).toHaveText("");
  await bob.input.clear();
  await alice.send("from A to B");
  await bob.expectMessage("from A to B", "Alice");
  await alice.expectMessage("from A to B", "Alice");
  await bob.send("from B to A");
  await alice.expectMessage("from B to A", "Bob");
  await bob.expectMessage("from B to A", "Bob");
  await expect(alice.log.getByRole("listitem")).toHaveCount(2);
  await expect(bob.log.getByRole("listitem")).toHaveCount(2);
});

test("both processes give the same history, with one sequence of ids and one epoch", async ({ openChat }) => {
  const alice = await openChat(serverA.url, "Alice");
  const bob = await openChat(serverB.url, "Bob");
  for (const [window, text] of [
    [alice, "one"],
    [bob, "two"],
    [alice, "three"],
    [bob, "four"],
  ] as const) {
    await window.send(text);
    await alice.expectMessage(text, window.user);
    await bob.expectMessage(text, window.user);
  }

  const fromA = await historyOf(serverA);
  const fromB = await historyOf(serverB);
  expect(fromA.messages.map((message) => [message.id, message.user, message.text])).toEqual([
    [1, "Alice", "one"],
    [2, "Bob", "two"],
    [3, "Alice", "three"],
    [4, "Bob", "four"],
  ]);
  expect(fromB).toEqual(fromA);
  // Every page shows them in the order of their ids, whichever process it is on.
  await expect(alice.log.getByRole("listitem")).toHaveText([/one/, /two/, /three/, /four/]);
  await expect(bob.log.getByRole("listitem")).toHaveText([/one/, /two/, /three/, /four/]);
});

test("a process killed with SIGKILL and started again loses nothing, and its pages resume without reloading", async ({
  openChat,
}) => {
  test.setTimeout(90_000);
  const alice = await openChat(serverA.url, "Alice");
  const bob = await openChat(serverB.url, "Bob");
  await alice.send("before the crash");
  await bob.expectMessage("before the crash", "Alice");
  const epochBefore = (await historyOf(serverA)).epoch;
  // A page that reloads its history replaces every item of the log: this one would be detached.
  const firstItem = await alice.message("before the crash").elementHandle();

  await serverA.kill();
  await expect(alice.status).not.toHaveText(CONNECTED);
  await bob.send("while A is down");
  await bob.expectMessage("while A is down", "Bob");

  await serverA.start();
  await expect(alice.status).toHaveText(CONNECTED, { timeout: RECOVERY_TIMEOUT_MS });
  await alice.expectMessage("while A is down", "Bob");
  await alice.send("after the restart");
  await bob.expectMessage("after the restart", "Alice");
  for (const window of [alice, bob]) {
    await expect(window.log.getByRole("listitem")).toHaveText([
      /before the crash/,
      /while A is down/,
      /after the restart/,
    ]);
  }
  expect(await firstItem?.evaluate((item) => item.isConnected)).toBe(true);
  expect((await historyOf(serverA)).epoch).toBe(epochBefore);
});

test("who is online is the same on both processes, and a killed process's users leave within the bound", async ({
  openChat,
}) => {
  test.setTimeout(90_000);
  const alice = await openChat(serverA.url, "Alice");
  const bob = await openChat(serverB.url, "Bob");
  await expect(onlineNames(alice)).toHaveText(["Alice (you)", "Bob"]);
  await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);

  // Alice opens a second tab, on the other process: closing the first one leaves her online.
  const aliceOnB = await openChat(serverB.url, "Alice", alice.page.context());
  await expect(onlineNames(aliceOnB)).toHaveText(["Alice (you)", "Bob"]);
  await aliceOnB.page.close();
  await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);
  // A page that closes says goodbye: the other process hears of it at once.
  await bob.page.close();
  await expect(onlineNames(alice)).toHaveText(["Alice (you)"]);

  const bobAgain = await openChat(serverB.url, "Bob");
  await expect(onlineNames(bobAgain)).toHaveText(["Alice", "Bob (you)"]);
  // A process that is killed says no goodbye: its users stop counting within the bound.
  const killedAt = Date.now();
  await serverA.kill();
  await expect(onlineNames(bobAgain)).toHaveText(["Bob (you)"], { timeout: PRESENCE_BOUND_MS });
  console.log(`Alice left Bob's Online list ${Date.now() - killedAt} ms after her process was killed.`);
});
