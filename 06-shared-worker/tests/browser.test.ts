import type { Duplex } from "node:stream";
import { chromium, type Browser, type CDPSession } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "../../tools/chromium.ts";
import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import {
  MAX_FRAME_BYTES,
  SEND_TIMEOUT_MS,
  TAB_HEARTBEAT_MS,
  TAB_MISSED_PINGS_ALLOWED,
  TYPING_FRAME_INTERVAL_MS,
  WORKER_SILENCE_MS,
} from "../client/worker-protocol.ts";
import { createChatServer, type WebSocketChatServer } from "../server.ts";

const TEST_HEARTBEAT_MS = 500;
// The worker forgets a tab that stopped answering its pings within TAB_MISSED_PINGS_ALLOWED + 2 heartbeats
// (plus time to show it).
const SILENT_TAB_GONE_WITHIN_MS = (TAB_MISSED_PINGS_ALLOWED + 2) * TAB_HEARTBEAT_MS + 3000;
// The heartbeat needs at least one interval to forget a tab: a tab gone sooner than this said goodbye.
const GOODBYE_HEARD_WITHIN_MS = 0.75 * TAB_HEARTBEAT_MS;
// The tabs look for the worker's silence every second, and say so at once.
const WORKER_STOP_NOTICED_WITHIN_MS = WORKER_SILENCE_MS + 1000 + 2000;
// Then a new worker must connect.
const WORKER_RESTARTED_WITHIN_MS = WORKER_STOP_NOTICED_WITHIN_MS + 10_000;
// Well before the forgotten tab would notice the silence by itself.
const FORGOTTEN_TAB_BACK_WITHIN_MS = WORKER_SILENCE_MS / 2;
const SEND_FAILED_WITHIN_MS = SEND_TIMEOUT_MS + 5000;
// client/chat.ts asks for the worker by this address and name; a page that does the same gets the same worker.
const WORKER_PATH = "/js/worker/worker.js?v=5";
const WORKER_NAME = "chat-worker-v5";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer({ heartbeatIntervalMs: TEST_HEARTBEAT_MS }));
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as WebSocketChatServer).connectionCount();
}

// These run in the page, so they are text: the tests are type-checked without the browser's library.
// Counts the items taken out of the log: a snapshot replaces all of them, a new message takes none out.
const COUNT_LOG_REMOVALS = `(() => {
  window.removedFromLog = 0;
  const log = document.querySelector("#messages");
  new MutationObserver((records) => {
    for (const record of records) window.removedFromLog += record.removedNodes.length;
  }).observe(log, { childList: true });
})()`;
// Keeps every text the status line shows, from the page's start (an init script: it runs before the page's own).
const RECORD_STATUSES = `window.statuses = [];
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector("#status");
  new MutationObserver(() => window.statuses.push(status.textContent)).observe(status, { childList: true });
});`;
// Playwright starts Chromium with its back/forward cache turned off; a user's Chrome has it on.
function launchWithBackForwardCache(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
  });
}
// Runs in the page, so it is text: window.restored says whether the page was last shown from that cache.
const WATCH_RESTORE = `window.restored = false; addEventListener("pageshow", (event) => { window.restored = event.persisted; });`;
// What any script of this origin could do: talk to the worker itself, and post it something that is no command.
const POST_NULL_TO_WORKER = `new SharedWorker(${JSON.stringify(WORKER_PATH)}, { type: "module", name: ${JSON.stringify(WORKER_NAME)} }).port.postMessage(null)`;

// The first command of every tab, as a script would post it.
const SIGN_IN_AS_ALICE = { type: "sign-in", user: "Alice" };

// A script of this origin that talks to the worker on a port of its own, as the page does: it posts `commands`,
// answers the pings so that it is not forgotten, and keeps every other event in window.rogueEvents.
function rogueTab(commands: unknown[]): string {
  return `(() => {
    const port = new SharedWorker(${JSON.stringify(WORKER_PATH)}, { type: "module", name: ${JSON.stringify(WORKER_NAME)} }).port;
    window.rogueEvents = [];
    port.onmessage = (event) => (event.data.type === "ping" ? port.postMessage({ type: "pong" }) : window.rogueEvents.push(event.data));
    for (const command of ${JSON.stringify(commands)}) port.postMessage(command);
  })()`;
}

// The events of one type that the worker posted to the rogue tab of `window`.
async function rogueEvents(window: ChatWindow, type: string): Promise<unknown[]> {
  const events = (await window.page.evaluate("window.rogueEvents")) as { type: string }[];
  return events.filter((event) => event.type === type);
}

function onlineNames(window: ChatWindow) {
  return window.online.getByRole("listitem");
}

// The TCP sockets of one user's WebSocket handshakes, so a test can hold them up as a stalled network would.
function captureSocketsOf(user: string): Duplex[] {
  const sockets: Duplex[] = [];
  running.current().server.on("upgrade", (req, socket) => {
    if (new URL(req.url ?? "/", "http://localhost").searchParams.get("user") === user) {
      sockets.push(socket);
    }
  });
  return sockets;
}

// From now on every WebSocket handshake fails (the worker sees close code 1006), while the page is still served.
function refuseWebSockets(): void {
  running.current().server.prependListener("upgrade", (_request: unknown, socket: Duplex) => socket.destroy());
}

// A text frame from the server as RFC 6455 (section 5.2) lays it out: FIN and opcode 1, no mask, a 7-bit
// length. Written onto the TCP socket between the frames of ws, it reaches the worker as one message.
function writeServerFrame(socket: Duplex, text: string): void {
  const payload = Buffer.from(text);
  socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
}

// Every SharedWorker of the browser seen through DevTools: the WebSocket frames it sent, and what it threw or
// warned about. Playwright's page events do not see a SharedWorker, so this attaches to each "shared_worker"
// target and listens to its Network and Runtime events. Playwright's CDP sessions cannot address a flattened
// child session, so the worker's messages come wrapped in Target.receivedMessageFromTarget (flatten: false).
class WorkerDevTools {
  // DevTools session of each worker → the request ids of the WebSockets that carried frames, and the frames.
  readonly sockets = new Map<string, Set<string>>();
  readonly payloads = new Map<string, string[]>();
  readonly workerUrls: string[] = [];
  // Uncaught exceptions and console warnings of every worker attached to.
  readonly exceptions: string[] = [];
  readonly warnings: string[] = [];

  private constructor(private readonly cdp: CDPSession) {
    cdp.on("Target.receivedMessageFromTarget", ({ sessionId, message }) => this.receive(sessionId, message));
  }

  static async watch(browser: Browser): Promise<WorkerDevTools> {
    const cdp = await browser.newBrowserCDPSession();
    await cdp.send("Target.setDiscoverTargets", { discover: true });
    return new WorkerDevTools(cdp);
  }

  // Attaches to every shared worker of our server that exists now.
  async attach(): Promise<void> {
    const { targetInfos } = await this.cdp.send("Target.getTargets");
    for (const target of targetInfos.filter(
      (info) => info.type === "shared_worker" && info.url.startsWith(running.url),
    )) {
      const { sessionId } = await this.cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: false });
      this.workerUrls.push(target.url);
      this.sockets.set(sessionId, new Set());
      this.payloads.set(sessionId, []);
      await this.cdp.send("Target.sendMessageToTarget", {
        sessionId,
        message: JSON.stringify({ id: 1, method: "Network.enable" }),
      });
      await this.cdp.send("Target.sendMessageToTarget", {
        sessionId,
        message: JSON.stringify({ id: 2, method: "Runtime.enable" }),
      });
    }
  }

  private receive(sessionId: string, message: string): void {
    const event = JSON.parse(message) as DevToolsEvent;
    switch (event.method) {
      case "Network.webSocketFrameSent":
        this.sockets.get(sessionId)?.add(event.params.requestId);
        this.payloads.get(sessionId)?.push(event.params.response.payloadData);
        break;
      case "Runtime.exceptionThrown":
        this.exceptions.push(
          event.params.exceptionDetails.exception?.description ?? event.params.exceptionDetails.text,
        );
        break;
      case "Runtime.consoleAPICalled":
        if (event.params.type === "warning") {
          this.warnings.push(event.params.args.map((arg) => arg.value ?? arg.description).join(" "));
        }
        break;
    }
  }

  // For each worker: how many WebSockets carried the frames it sent.
  socketsPerWorker(): number[] {
    return [...this.sockets.values()].map((requestIds) => requestIds.size);
  }

  // For each worker: how many frames of this type it sent.
  framesPerWorker(type: string): number[] {
    return [...this.payloads.values()].map(
      (payloads) => payloads.filter((payload) => (JSON.parse(payload) as { type: string }).type === type).length,
    );
  }

  // The chat texts each worker sent.
  textsPerWorker(): string[][] {
    return [...this.payloads.values()].map((payloads) =>
      payloads
        .map((payload) => JSON.parse(payload) as { type: string; text?: string })
        .filter((frame) => frame.type === "chat")
        .map((frame) => frame.text ?? ""),
    );
  }
}

// The few DevTools events WorkerDevTools reads, and the answers to its commands (no method).
type DevToolsEvent =
  | { method: "Network.webSocketFrameSent"; params: { requestId: string; response: { payloadData: string } } }
  | {
      method: "Runtime.exceptionThrown";
      params: { exceptionDetails: { text: string; exception?: { description?: string } } };
    }
  | { method: "Runtime.consoleAPICalled"; params: { type: string; args: { value?: unknown; description?: string }[] } }
  | { method: undefined };

async function sharedWorkerTargets(cdp: CDPSession): Promise<string[]> {
  const { targetInfos } = await cdp.send("Target.getTargets");
  return targetInfos
    .filter((info) => info.type === "shared_worker" && info.url.startsWith(running.url))
    .map((info) => info.targetId);
}

// The shared worker of `tab`'s browser profile: the one that exists only while that profile has tabs open.
async function workerOf(cdp: CDPSession, tab: ChatWindow, candidates: string[]): Promise<string> {
  const { targetInfos } = await cdp.send("Target.getTargets");
  const page = targetInfos.find((info) => info.type === "page" && info.url === tab.page.url());
  const worker = targetInfos.find(
    (info) => candidates.includes(info.targetId) && info.browserContextId === page?.browserContextId,
  );
  if (!worker) {
    throw new Error("no shared worker found for this tab's browser profile");
  }
  return worker.targetId;
}

test.describe("one WebSocket per browser", () => {
  test("three tabs of one browser open exactly one WebSocket, and a second browser profile opens its own", async ({
    openChat,
    browser,
  }) => {
    const watcher = await WorkerDevTools.watch(browser);
    const first = await openChat(running.url, "Alice");
    const context = first.page.context();
    const tabs = [first, await openChat(running.url, "Alice", context), await openChat(running.url, "Alice", context)];
    for (const tab of tabs) {
      await expect(tab.status).toContainText("one WebSocket shared by 3 tabs of this browser");
    }
    expect(connectionCount()).toBe(1);

    const bob = await openChat(running.url, "Bob");
    await expect(bob.status).toContainText("shared by 1 tab");
    await expect.poll(connectionCount).toBe(2);

    await watcher.attach();
    expect(watcher.workerUrls).toEqual([`${running.url}${WORKER_PATH}`, `${running.url}${WORKER_PATH}`]);
    for (const [index, tab] of tabs.entries()) {
      await tab.send(`from tab ${index + 1}`);
      await bob.expectMessage(`from tab ${index + 1}`, "Alice");
    }
    await bob.send("from Bob");
    await first.expectMessage("from Bob", "Bob");
    // Every frame of a worker went through one WebSocket, and Alice's worker carried all three tabs' messages.
    expect(watcher.socketsPerWorker()).toEqual([1, 1]);
    expect(watcher.textsPerWorker().map((texts) => texts.sort())).toEqual(
      expect.arrayContaining([["from tab 1", "from tab 2", "from tab 3"], ["from Bob"]]),
    );
    expect(connectionCount()).toBe(2);
  });

  test("five tabs of one browser share one WebSocket", async ({ openChat }) => {
    const TABS = 5;
    const first = await openChat(running.url, "Alice");
    for (let tab = 1; tab < TABS; tab += 1) {
      await openChat(running.url, "Alice", first.page.context());
    }
    await expect(first.status).toContainText(`shared by ${TABS} tabs`);
    expect(connectionCount()).toBe(1);
  });

  test("a new tab gets a snapshot for itself alone: the tabs already open redraw nothing", async ({ openChat }) => {
    const first = await openChat(running.url, "Alice");
    for (const text of ["one", "two", "three"]) {
      await first.send(text);
      await first.expectMessage(text, "Alice");
    }
    await first.page.evaluate(COUNT_LOG_REMOVALS);
    const second = await openChat(running.url, "Alice", first.page.context());
    await expect(second.log.getByRole("listitem")).toHaveText([/one/, /two/, /three/]);
    // A snapshot for the first tab would be posted to it before this message: once the message is there, so
    // would the snapshot be.
    await second.send("four");
    await first.expectMessage("four", "Alice");
    expect(await first.page.evaluate("window.removedFromLog")).toBe(0);
  });

  test("a tab opened without a name takes the name this browser is signed in as", async ({ openChat }) => {
    const first = await openChat(running.url, "");
    await expect(first.status).toContainText("shared by 1 tab");
    const guest = (await first.page.locator("#me").textContent()) ?? "";
    expect(guest).toMatch(/^Guest-\d{4}$/);
    // ui.ts gives this tab another random guest name; the browser is signed in as the first one.
    const second = await openChat(running.url, "", first.page.context());
    await expect(second.page.locator("#me")).toHaveText(guest);
    await expect(second.status).toContainText("shared by 2 tabs");
    await expect(second.error).toBeHidden();
    expect(connectionCount()).toBe(1);
  });

  test("a tab with another name in the same browser is told who is signed in", async ({ openChat }) => {
    const alice = await openChat(running.url, "Alice");
    await expect(alice.status).toContainText("Connected");
    const bob = await openChat(running.url, "Bob", alice.page.context());
    await expect(bob.status).toContainText("this browser is signed in as Alice");
    await bob.send("hello");
    await expect(bob.error).toContainText("private window");
    expect(connectionCount()).toBe(1);
  });

  test("a tab the worker forgot while it was stopped at a breakpoint connects again at once", async ({ openChat }) => {
    const alice = await openChat(running.url, "Alice");
    const paused = await openChat(running.url, "Alice", alice.page.context());
    await expect(alice.status).toContainText("shared by 2 tabs");
    // What a DevTools breakpoint does: the tab runs no JavaScript, so it answers no ping, and the worker forgets it.
    const debug = await paused.page.context().newCDPSession(paused.page);
    await debug.send("Debugger.enable");
    await debug.send("Debugger.pause");
    await expect(alice.status).toContainText("shared by 1 tab", { timeout: SILENT_TAB_GONE_WITHIN_MS });
    // Its first answer after the breakpoint reaches a worker that does not know it: it is told so, and connects again.
    await debug.send("Debugger.resume");
    await expect(alice.status).toContainText("shared by 2 tabs", { timeout: FORGOTTEN_TAB_BACK_WITHIN_MS });
    await paused.send("back again");
    await alice.expectMessage("back again", "Alice");
  });

  test("frames the worker cannot read, from the server or from a script, are skipped and the worker carries on", async ({
    openChat,
    browser,
  }) => {
    const devtools = await WorkerDevTools.watch(browser);
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(alice)).toHaveText(["Alice (you)", "Bob"]);
    await devtools.attach();

    const unreadable = ["not JSON", "null", "[1, 2]", '{"no": "type"}', '{"type": "from-a-newer-server"}'];
    for (const frame of unreadable) {
      writeServerFrame(aliceSockets[0], frame);
    }
    await alice.page.evaluate(POST_NULL_TO_WORKER);
    // One warning for each, and nothing thrown.
    await expect.poll(() => devtools.warnings.length).toBe(unreadable.length + 1);
    expect(devtools.exceptions).toEqual([]);
    await bob.send("still working");
    await alice.expectMessage("still working", "Bob");
  });
});

test("when the worker is stopped, the tabs say so, start a new one, and a message sent meanwhile is not lost", async ({
  openChat,
  browser,
}) => {
  const cdp = await browser.newBrowserCDPSession();
  const alice = await openChat(running.url, "Alice");
  await alice.page.context().addInitScript(RECORD_STATUSES);
  const alice2 = await openChat(running.url, "Alice", alice.page.context());
  const bob = await openChat(running.url, "Bob");
  await expect(alice.status).toContainText("shared by 2 tabs");
  const workersBefore = await sharedWorkerTargets(cdp);

  // What chrome://inspect's "terminate" does: the worker and its socket are gone, and no tab is told.
  const aliceWorker = await workerOf(cdp, alice2, workersBefore);
  const stopped = Date.now();
  await cdp.send("Target.closeTarget", { targetId: aliceWorker });
  await expect.poll(connectionCount).toBe(1);
  await alice.send("sent to a stopped worker");
  await expect(alice.message("sent to a stopped worker")).toHaveClass(/pending/);

  // The tabs notice the silence (WORKER_SILENCE_MS, 5 s, checked every second) and say so, start a new worker
  // and send the waiting message again.
  await expect
    .poll(async () => ((await alice2.page.evaluate("window.statuses")) as string[]).join("\n"), {
      timeout: WORKER_STOP_NOTICED_WITHIN_MS,
    })
    .toContain("The shared worker stopped answering, so this tab started a new one.");
  expect(Date.now() - stopped).toBeLessThan(WORKER_STOP_NOTICED_WITHIN_MS);
  await expect(bob.message("sent to a stopped worker", "Alice")).toHaveCount(1, {
    timeout: WORKER_RESTARTED_WITHIN_MS,
  });
  for (const tab of [alice, alice2, bob]) {
    await tab.expectMessage("sent to a stopped worker", "Alice");
  }
  await expect(alice.message("sent to a stopped worker")).not.toHaveClass(/pending|failed/);
  await expect(alice.status).toContainText("shared by 2 tabs");
  expect(connectionCount()).toBe(2);
  expect(await sharedWorkerTargets(cdp)).not.toContain(aliceWorker);
});

test.describe("a port has no close event", () => {
  test("a closing tab says goodbye, sooner than the heartbeat could notice; the last tab takes the socket along", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const alice2 = await openChat(running.url, "Alice", alice.page.context());
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);
    await expect(alice.status).toContainText("shared by 2 tabs");

    await alice2.page.close();
    await expect(alice.status).toContainText("shared by 1 tab", { timeout: GOODBYE_HEARD_WITHIN_MS });
    await bob.send("Alice is still here");
    await alice.expectMessage("Alice is still here", "Bob");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);

    await alice.page.close();
    await expect(onlineNames(bob)).toHaveText(["Bob (you)"]);
    await expect.poll(connectionCount).toBe(1);
  });

  test("a crashed tab is forgotten within the worker's heartbeat period; the last tab takes the socket along", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const crashing = await openChat(running.url, "Alice", alice.page.context());
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);
    await expect(alice.status).toContainText("shared by 2 tabs");

    // The tab dies without pagehide: no goodbye reaches the worker, only the missing answers to its pings.
    const session = await crashing.page.context().newCDPSession(crashing.page);
    session.send("Page.crash").catch(() => undefined);
    await expect(alice.status).toContainText("shared by 1 tab", { timeout: SILENT_TAB_GONE_WITHIN_MS });
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);

    await alice.page.close();
    await expect(onlineNames(bob)).toHaveText(["Bob (you)"]);
    await expect.poll(connectionCount).toBe(1);
  });

  test("the answer to a message of a tab that has gone is shown in no other tab", async ({ openChat }) => {
    // A heartbeat longer than this test: the stalled socket below must not be cut off for missing pongs.
    await running.stop();
    running = await startServer(() => createChatServer());
    const aliceSockets = captureSocketsOf("Alice");
    const stays = await openChat(running.url, "Alice");
    const leaves = await openChat(running.url, "Alice", stays.page.context());
    await expect(stays.status).toContainText("shared by 2 tabs");

    // The server reads nothing for a while: the message waits in the network while its tab closes.
    aliceSockets[0].pause();
    await leaves.send("x".repeat(501));
    await leaves.page.close();
    await expect(stays.status).toContainText("shared by 1 tab");
    await stays.send("after the refusal");
    // The server refuses the long message, then stores this one: its ack comes after that refusal.
    aliceSockets[0].resume();
    await expect(stays.message("after the refusal", "Alice")).not.toHaveClass(/pending/);
    await expect(stays.error).toBeHidden();
  });

  test("typing shows in the other browser's tabs", async ({ openChat }) => {
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(alice)).toHaveText(["Alice (you)", "Bob"]);
    await bob.input.pressSequentially("Hel");
    await expect(alice.page.locator("#typing")).toHaveText("Bob is typing…");
  });
});

test.describe("acknowledgements", () => {
  test("a message not acknowledged in time is marked failed, and a retry delivers it exactly once", async ({
    openChat,
  }) => {
    test.setTimeout(60_000);
    // A heartbeat longer than this test: the stalled socket below must not be cut off for missing pongs.
    await running.stop();
    running = await startServer(() => createChatServer());
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);

    // The server stops reading Alice's socket: her frames wait in the network, no ack comes back.
    aliceSockets[0].pause();
    await alice.send("retry me");
    const item = alice.message("retry me", "Alice");
    await expect(item).toHaveClass(/pending/);
    await expect(item).toHaveClass(/failed/, { timeout: SEND_FAILED_WITHIN_MS });
    // The worker gave up on that silent socket too, and connected again: the retry goes over the new one.
    await expect(alice.status).toContainText("one WebSocket shared by 1 tab", { timeout: 30_000 });
    await item.getByRole("button", { name: "Retry" }).click();
    await bob.expectMessage("retry me", "Alice");
    await alice.expectMessage("retry me", "Alice");
    await expect(item).not.toHaveClass(/pending|failed/);

    // Now the server reads the stalled socket: the first attempt arrives late, with the same id, and is only
    // acknowledged again. Once that socket is closed at the server, everything on it has been handled.
    aliceSockets[0].resume();
    await expect.poll(connectionCount).toBe(2);
    await bob.send("after the retry");
    await alice.expectMessage("after the retry", "Bob");
    await expect(bob.log.getByRole("listitem")).toHaveText([/retry me/, /after the retry/]);
    await expect(alice.log.getByRole("listitem")).toHaveText([/retry me/, /after the retry/]);
  });

  test("a message over the server's frame limit is refused by the worker at once, and the text is kept", async ({
    openChat,
  }) => {
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    await expect(alice.status).toContainText("Connected");
    const tooBig = "x".repeat(MAX_FRAME_BYTES);
    await alice.send(tooBig);
    await expect(alice.error).toContainText(
      `too big for the server, which reads frames of at most ${MAX_FRAME_BYTES} bytes`,
    );
    await expect(alice.input).toHaveValue(tooBig);
    await expect(alice.log.getByRole("listitem")).toHaveCount(0);
    await alice.send("short enough");
    await alice.expectMessage("short enough", "Alice");
    // The big frame never went out: the first socket is still the only one.
    expect(aliceSockets).toHaveLength(1);
  });

  test("a message that makes the server close with 1009 after all is refused, not sent again", async ({ openChat }) => {
    // A server that reads less than the worker allows (another version of it, say).
    const SERVER_LIMIT = MAX_FRAME_BYTES / 4;
    await running.stop();
    running = await startServer(() =>
      createChatServer({ heartbeatIntervalMs: TEST_HEARTBEAT_MS, maxFrameBytes: SERVER_LIMIT }),
    );
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);

    const tooBig = "x".repeat(SERVER_LIMIT);
    await alice.send(tooBig);
    await expect(alice.error).toContainText("too big for the server, which closed the connection (close code 1009)");
    await expect(alice.input).toHaveValue(tooBig);
    // Sent again, the big message would close the next socket before this one could go through.
    await alice.send("short enough");
    await bob.expectMessage("short enough", "Alice");
    expect(aliceSockets).toHaveLength(2);
  });

  test("signing out resets the worker's backoff: the next sign-in retries after the shortest delay", async ({
    openChat,
    browser,
  }) => {
    const cdp = await browser.newBrowserCDPSession();
    const alice = await openChat(running.url, "Alice");
    const context = alice.page.context();
    const alice2 = await openChat(running.url, "Alice", context);
    await expect(alice.status).toContainText("shared by 2 tabs");
    const workers = await sharedWorkerTargets(cdp);

    // A new server that serves the page but takes no WebSocket: the worker's attempts fail one after the other.
    await running.restart();
    refuseWebSockets();
    // Several failed attempts in a row: the delay has grown to seconds.
    await expect(alice.status).toContainText(/Reconnecting in ([4-9]|\d\d) s/, { timeout: 30_000 });
    await alice.page.getByRole("button", { name: "Sign out" }).click();
    await expect(alice2.status).toContainText("Signed out");

    // The same worker (the signed-out tabs are still open) signs a new tab in; its socket still cannot connect.
    await context.addInitScript(RECORD_STATUSES);
    const carol = await openChat(running.url, "Carol", context);
    await expect(carol.status).toContainText(/Reconnecting in \d+ s/);
    expect(await sharedWorkerTargets(cdp)).toEqual(workers);
    const statuses = (await carol.page.evaluate("window.statuses")) as string[];
    expect(statuses.find((status) => status.includes("Reconnecting"))).toContain("Reconnecting in 1 s");
  });

  test("when the network comes back the worker reconnects at once, not when its grown backoff ends", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const alice2 = await openChat(running.url, "Alice", alice.page.context());
    await expect(alice.status).toContainText("shared by 2 tabs");
    // A server that takes no WebSocket: the worker's attempts fail one after the other, each after a longer wait.
    await running.restart();
    refuseWebSockets();
    await expect(alice2.status).toContainText(/Reconnecting in ([5-9]|\d\d) s/, { timeout: 30_000 });
    // The attempts fail with 1006 (nobody answers), but the tabs still say why the connection was lost.
    await expect(alice2.status).toContainText(/close code 1001\)\. Reconnecting in/);
    const seconds = /Reconnecting in (\d+) s/.exec((await alice2.status.textContent()) ?? "")?.[1];
    await running.restart();

    // The network comes back: the tabs hear "online" (a worker does not, in Chromium) and tell the worker.
    const back = Date.now();
    await alice.page.context().setOffline(true);
    await alice.page.context().setOffline(false);
    for (const tab of [alice, alice2]) {
      await expect(tab.status).toContainText("shared by 2 tabs");
    }
    expect(Date.now() - back).toBeLessThan((Number(seconds) - 2) * 1000);
  });

  test("every tab's traffic panel shows the round trip of the shared socket's last message until its ack", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const alice2 = await openChat(running.url, "Alice", alice.page.context());
    const bob = await openChat(running.url, "Bob");
    const roundTrip = (tab: ChatWindow) => tab.page.locator('[data-traffic="roundTrip"]');
    await expect(alice2.status).toContainText("shared by 2 tabs");
    await expect(roundTrip(alice2)).toHaveText("–");
    await alice.send("timed");
    await bob.expectMessage("timed", "Alice");
    for (const tab of [alice, alice2]) {
      await expect(roundTrip(tab)).toHaveText(/^\d+(\.\d)? ms$/);
    }
    // Bob's worker has a socket of its own, on which it sent no message yet.
    await expect(roundTrip(bob)).toHaveText("–");
  });

  test("while the server is down every tab counts down, messages wait in the worker, and nothing is lost", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const alice2 = await openChat(running.url, "Alice", alice.page.context());
    const bob = await openChat(running.url, "Bob");
    await alice.send("before the restart");
    await bob.expectMessage("before the restart", "Alice");

    await running.stop();
    for (const tab of [alice, alice2, bob]) {
      await expect(tab.status).toContainText(/Reconnecting in \d+ s/);
    }
    await alice2.send("during the outage");
    await expect(alice2.message("during the outage", "Alice")).toHaveClass(/pending/);
    await running.start();

    // A new server process, so a new epoch: the old history goes, and the waiting message arrives once.
    for (const tab of [alice, alice2, bob]) {
      await expect(tab.status).toContainText("Connected", { timeout: 30_000 });
      await tab.expectMessage("during the outage", "Alice");
      await expect(tab.message("before the restart")).toHaveCount(0);
    }
    await expect(alice2.message("during the outage", "Alice")).not.toHaveClass(/pending|failed/);
    await expect(bob.log.getByRole("listitem")).toHaveCount(1);
  });
});

test.describe("back/forward cache", () => {
  test("a tab shown again from the back/forward cache has the worker reconnect at once", async ({ openChat }) => {
    const browser = await launchWithBackForwardCache();
    try {
      const context = await browser.newContext();
      const alice = await openChat(running.url, "Alice", context);
      const alice2 = await openChat(running.url, "Alice", context);
      await expect(alice.status).toContainText("shared by 2 tabs");
      // A server that takes no WebSocket: the worker's attempts fail one after the other, each after a longer wait.
      await running.restart();
      refuseWebSockets();
      await expect(alice2.status).toContainText(/Reconnecting in ([5-9]|\d\d) s/, { timeout: 30_000 });
      const seconds = /Reconnecting in (\d+) s/.exec((await alice2.status.textContent()) ?? "")?.[1];
      await running.restart();

      // The other tab keeps the worker, which keeps waiting; the tab that comes back asks it to try now.
      await alice.page.evaluate(WATCH_RESTORE);
      await alice.page.goto(`${running.url}/favicon.svg`);
      const back = Date.now();
      await alice.page.goBack({ waitUntil: "commit" });
      for (const tab of [alice, alice2]) {
        await expect(tab.status).toContainText("shared by 2 tabs");
      }
      expect(Date.now() - back).toBeLessThan((Number(seconds) - 2) * 1000);
      // The same page, not a new one: it came back from the cache.
      expect(await alice.page.evaluate("window.restored")).toBe(true);
    } finally {
      await browser.close();
    }
  });
});

test.describe("BroadcastChannel", () => {
  test("signing out in one tab signs out every tab of the browser; a reload signs a tab in again", async ({
    openChat,
  }) => {
    const tabs = [await openChat(running.url, "Alice")];
    const context = tabs[0].page.context();
    tabs.push(await openChat(running.url, "Alice", context), await openChat(running.url, "Alice", context));
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);

    await tabs[1].page.getByRole("button", { name: "Sign out" }).click();
    for (const tab of tabs) {
      await expect(tab.status).toContainText("Signed out");
      await expect(tab.input).toBeDisabled();
      await expect(tab.page.locator("header")).toContainText("You are signed out.");
      await expect(tab.page.locator("header")).not.toContainText("You are Alice");
    }
    await expect(onlineNames(bob)).toHaveText(["Bob (you)"]);
    await expect.poll(connectionCount).toBe(1);
    // The channel reaches the tabs of this browser profile only: Bob's private window was not signed out.
    await expect(bob.status).toContainText("Connected");

    await tabs[2].page.reload();
    await expect(tabs[2].status).toContainText("shared by 1 tab");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);
    await expect(tabs[0].status).toContainText("Signed out");
    expect(connectionCount()).toBe(2);
  });
});

// Any script of this origin can talk to the worker as the page does, and post it anything. A tab that the worker
// trusts too much could take the one socket of every tab down.
test.describe("what a tab posts to the worker", () => {
  test("a command the worker cannot carry out is answered to its own tab alone, also after a reconnect", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const alice2 = await openChat(running.url, "Alice", alice.page.context());
    await expect(alice.status).toContainText("shared by 2 tabs");
    const bad = [
      { type: "join", room: 5 },
      { type: "sign-in", user: 5 },
      { type: "chat", ref: 1 },
      { type: "__proto__" },
      "just text",
      [1, 2],
      null,
    ];
    await alice2.page.evaluate(rogueTab([SIGN_IN_AS_ALICE, ...bad]));
    await expect.poll(() => rogueEvents(alice2, "error")).toHaveLength(bad.length);

    // A new server: the worker reconnects, and nothing of the above is sent again or shown anywhere.
    await running.restart();
    for (const tab of [alice, alice2]) {
      await expect(tab.status).toContainText("shared by 3 tabs", { timeout: 30_000 });
    }
    await alice.send("after the reconnect");
    await alice2.expectMessage("after the reconnect", "Alice");
    await expect(alice.error).toBeHidden();
    await expect(alice2.error).toBeHidden();
    expect(await rogueEvents(alice2, "error")).toHaveLength(bad.length);
  });

  test("a chat command with a bad ref is refused at once and never sent, so the shared socket stays", async ({
    openChat,
    browser,
  }) => {
    const devtools = await WorkerDevTools.watch(browser);
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(alice)).toHaveText(["Alice (you)", "Bob"]);
    await devtools.attach();

    const badRefs = ["k2x8f0a1", 1.5, Number.MAX_SAFE_INTEGER + 1, null];
    await alice.page.evaluate(
      rogueTab([SIGN_IN_AS_ALICE, ...badRefs.map((ref) => ({ type: "chat", ref, text: "with a bad ref" }))]),
    );
    await expect.poll(() => rogueEvents(alice, "error")).toHaveLength(badRefs.length);
    await alice.send("still on the first socket");
    await bob.expectMessage("still on the first socket", "Alice");
    // Without a ref the server could name in its answer, the worker would wait for an ack and drop the socket.
    expect(devtools.textsPerWorker().flat()).not.toContain("with a bad ref");
    expect(aliceSockets).toHaveLength(1);
  });

  test("a flood of typing commands costs one typing frame, and the other tabs' messages still go through", async ({
    openChat,
    browser,
  }) => {
    const devtools = await WorkerDevTools.watch(browser);
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(alice)).toHaveText(["Alice (you)", "Bob"]);
    await devtools.attach();

    const flooded = Date.now();
    await alice.page.evaluate(
      rogueTab([SIGN_IN_AS_ALICE, ...Array.from({ length: 2000 }, () => ({ type: "typing" }))]),
    );
    await expect(bob.page.locator("#typing")).toHaveText("Alice is typing…");
    // More than the server's rate limit lets one connection send in its window: none of them is refused.
    const texts = Array.from({ length: 10 }, (_, index) => `after the flood ${index}`);
    for (const text of texts) {
      await alice.send(text);
      await bob.expectMessage(text, "Alice");
    }
    await expect(alice.error).toBeHidden();
    // At most one typing frame per interval since the flood began, whatever the 2,000 commands and the real tab's
    // own typing (each send types): on a busy machine the sends take longer, and so do the intervals they span.
    const intervals = Math.ceil((Date.now() - flooded) / TYPING_FRAME_INTERVAL_MS);
    expect(devtools.framesPerWorker("typing")[0]).toBeLessThanOrEqual(intervals + 1);
  });

  test("oversized commands are refused to their tab, and a message waiting in another tab is delivered, not refused", async ({
    openChat,
  }) => {
    // A heartbeat longer than this test: the stalled socket below must not be cut off for missing pongs.
    await running.stop();
    running = await startServer(() => createChatServer());
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(alice)).toHaveText(["Alice (you)", "Bob"]);

    // The server reads nothing for a while: Alice's message waits for its ack while the big commands come in.
    aliceSockets[0].pause();
    await alice.send("a message that waits");
    await expect(alice.message("a message that waits")).toHaveClass(/pending/);
    const huge = "x".repeat(100_000);
    const oversized = [
      { type: "chat", ref: 7, text: huge },
      { type: "sign-in", user: huge },
      { type: huge },
      { type: "typing", padding: huge },
    ];
    await alice.page.evaluate(rogueTab([SIGN_IN_AS_ALICE, ...oversized]));
    await expect.poll(() => rogueEvents(alice, "refused")).toHaveLength(1);
    await expect.poll(() => rogueEvents(alice, "error")).toHaveLength(2);
    aliceSockets[0].resume();

    await bob.expectMessage("a message that waits", "Alice");
    await expect(alice.message("a message that waits", "Alice")).not.toHaveClass(/pending|failed/);
    await expect(alice.error).toBeHidden();
    expect(aliceSockets).toHaveLength(1);
  });
});

test.describe("without SharedWorker", () => {
  test("each tab falls back to a WebSocket of its own, says so, and still shares sign-out with the others", async ({
    openChat,
    browser,
  }) => {
    const context = await browser.newContext();
    try {
      await context.addInitScript(() => {
        delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
      });
      const first = await openChat(running.url, "Alice", context);
      const second = await openChat(running.url, "Alice", context);
      const bob = await openChat(running.url, "Bob");
      for (const tab of [first, second]) {
        await expect(tab.status).toContainText(
          "fallback: no SharedWorker in this browser, so this tab has a WebSocket of its own",
        );
      }
      await expect.poll(connectionCount).toBe(3);

      await first.send("from a fallback tab");
      await second.expectMessage("from a fallback tab", "Alice");
      await bob.expectMessage("from a fallback tab", "Alice");

      await second.page.getByRole("button", { name: "Sign out" }).click();
      await expect(first.status).toContainText("Signed out");
      await expect.poll(connectionCount).toBe(1);
    } finally {
      await context.close();
    }
  });
});

testChatPage("06-shared-worker", () => running);
testLiveDelivery("06-shared-worker", () => running);
