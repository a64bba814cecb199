import type { Duplex } from "node:stream";
import type { Browser, BrowserContext, CDPSession } from "@playwright/test";
import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type WebSocketChatServer } from "../server.ts";

const TEST_HEARTBEAT_MS = 500;
// The worker's TAB_HEARTBEAT_MS (worker/tabs.ts) is 2 s: a crashed tab is forgotten within two of them.
const CRASHED_TAB_GONE_WITHIN_MS = 2 * 2000 + 3000;
// The page's WORKER_SILENCE_MS (client/chat.ts) is 10 s, checked every 5 s; then a new worker must connect.
const WORKER_RESTARTED_WITHIN_MS = 15_000 + 10_000;
// The worker's SEND_TIMEOUT_MS (worker/worker.ts) is 10 s.
const SEND_FAILED_WITHIN_MS = 10_000 + 5000;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer({ heartbeatIntervalMs: TEST_HEARTBEAT_MS }));
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as WebSocketChatServer).connectionCount();
}

function roomUrl(room: string): string {
  return `${running.url}/?room=${room}`;
}

// openChat opens `${url}/?user=…`: with a room in the url, that reads "/?room=x/?user=…". Build it properly.
async function openTab(openChat: OpenChat, user: string, room: string, context?: BrowserContext): Promise<ChatWindow> {
  const window = await openChat(running.url, user, context);
  if (room !== "general") {
    await window.page.goto(`${roomUrl(room)}&user=${encodeURIComponent(user)}`);
  }
  return window;
}
type OpenChat = (baseUrl: string, user: string, context?: BrowserContext) => Promise<ChatWindow>;

// Runs in the page, so it is text: the tests are type-checked without the browser's library.
const COUNT_LOG_CHANGES = `(() => {
  window.logChanges = 0;
  const log = document.querySelector("#messages");
  new MutationObserver((records) => { window.logChanges += records.length; }).observe(log, { childList: true });
})()`;

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

// The WebSocket frames of every SharedWorker of the browser, seen from the browser's side through DevTools.
// Playwright's page events do not see a SharedWorker's WebSocket, so this attaches to each "shared_worker"
// target and listens to its Network events. Playwright's CDP sessions cannot address a flattened child session,
// so the worker's messages come wrapped in Target.receivedMessageFromTarget (flatten: false).
class WorkerSockets {
  // DevTools session of each worker → the request ids of the WebSockets that carried frames, and the frames.
  readonly sockets = new Map<string, Set<string>>();
  readonly payloads = new Map<string, string[]>();
  readonly workerUrls: string[] = [];

  private constructor(private readonly cdp: CDPSession) {
    cdp.on("Target.receivedMessageFromTarget", ({ sessionId, message }) => this.receive(sessionId, message));
  }

  static async watch(browser: Browser): Promise<WorkerSockets> {
    const cdp = await browser.newBrowserCDPSession();
    await cdp.send("Target.setDiscoverTargets", { discover: true });
    return new WorkerSockets(cdp);
  }

  // Attaches to every shared worker of our server that exists now.
  async attach(): Promise<void> {
    const { targetInfos } = await this.cdp.send("Target.getTargets");
    for (const target of targetInfos.filter((info) => info.type === "shared_worker" && info.url.startsWith(running.url))) {
      const { sessionId } = await this.cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: false });
      this.workerUrls.push(target.url);
      this.sockets.set(sessionId, new Set());
      this.payloads.set(sessionId, []);
      await this.cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id: 1, method: "Network.enable" }) });
    }
  }

  private receive(sessionId: string, message: string): void {
    const event = JSON.parse(message) as { method?: string; params?: { requestId: string; response: { payloadData: string } } };
    if (event.method === "Network.webSocketFrameSent" && event.params) {
      this.sockets.get(sessionId)?.add(event.params.requestId);
      this.payloads.get(sessionId)?.push(event.params.response.payloadData);
    }
  }

  // For each worker: how many WebSockets carried the frames it sent.
  socketsPerWorker(): number[] {
    return [...this.sockets.values()].map((requestIds) => requestIds.size);
  }

  // The chat texts each worker sent.
  textsPerWorker(): string[][] {
    return [...this.payloads.values()].map((payloads) =>
      payloads.map((payload) => JSON.parse(payload) as { type: string; text?: string }).filter((frame) => frame.type === "chat").map((frame) => frame.text ?? ""),
    );
  }
}

async function sharedWorkerTargets(cdp: CDPSession): Promise<string[]> {
  const { targetInfos } = await cdp.send("Target.getTargets");
  return targetInfos.filter((info) => info.type === "shared_worker" && info.url.startsWith(running.url)).map((info) => info.targetId);
}

// The shared worker of `tab`'s browser profile: the one that exists only while that profile has tabs open.
async function workerOf(cdp: CDPSession, tab: ChatWindow, candidates: string[]): Promise<string> {
  const { targetInfos } = await cdp.send("Target.getTargets");
  const page = targetInfos.find((info) => info.type === "page" && info.url === tab.page.url());
  const worker = targetInfos.find((info) => candidates.includes(info.targetId) && info.browserContextId === page?.browserContextId);
  if (!worker) {
    throw new Error("no shared worker found for this tab's browser profile");
  }
  return worker.targetId;
}

test.describe("one WebSocket per browser", () => {
  test("three tabs of one browser open exactly one WebSocket, and a second browser profile opens its own", async ({ openChat, browser }) => {
    const watcher = await WorkerSockets.watch(browser);
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
    expect(watcher.workerUrls).toEqual([`${running.url}/js/worker/worker.js?v=1`, `${running.url}/js/worker/worker.js?v=1`]);
    for (const [index, tab] of tabs.entries()) {
      await tab.send(`from tab ${index + 1}`);
      await bob.expectMessage(`from tab ${index + 1}`, "Alice");
    }
    await bob.send("from Bob");
    await first.expectMessage("from Bob", "Bob");
    // Every frame of a worker went through one WebSocket, and Alice's worker carried all three tabs' messages.
    expect(watcher.socketsPerWorker()).toEqual([1, 1]);
    expect(watcher.textsPerWorker().map((texts) => texts.sort())).toEqual(expect.arrayContaining([["from tab 1", "from tab 2", "from tab 3"], ["from Bob"]]));
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
    // Count every change to the first tab's log from now on: a snapshot for it would replace all of its items.
    await first.page.evaluate(COUNT_LOG_CHANGES);
    const second = await openChat(running.url, "Alice", first.page.context());
    await expect(second.log.getByRole("listitem")).toHaveText([/one/, /two/, /three/]);
    await expect(first.status).toContainText("shared by 2 tabs");
    expect(await first.page.evaluate("window.logChanges")).toBe(0);
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
});

test("when the worker is stopped, the tabs start a new one and a message sent meanwhile is not lost", async ({ openChat, browser }) => {
  const cdp = await browser.newBrowserCDPSession();
  const alice = await openChat(running.url, "Alice");
  const alice2 = await openChat(running.url, "Alice", alice.page.context());
  const bob = await openChat(running.url, "Bob");
  await expect(alice.status).toContainText("shared by 2 tabs");
  const workersBefore = await sharedWorkerTargets(cdp);

  // What chrome://inspect's "terminate" does: the worker and its socket are gone, and no tab is told.
  const aliceWorker = await workerOf(cdp, alice2, workersBefore);
  await cdp.send("Target.closeTarget", { targetId: aliceWorker });
  await expect.poll(connectionCount).toBe(1);
  await alice.send("sent to a stopped worker");
  await expect(alice.message("sent to a stopped worker")).toHaveClass(/pending/);

  // The tabs notice the silence (WORKER_SILENCE_MS, 10 s, checked every 5 s), start a new worker and send the
  // waiting message again.
  await expect(bob.message("sent to a stopped worker", "Alice")).toHaveCount(1, { timeout: WORKER_RESTARTED_WITHIN_MS });
  for (const tab of [alice, alice2, bob]) {
    await tab.expectMessage("sent to a stopped worker", "Alice");
  }
  await expect(alice.message("sent to a stopped worker")).not.toHaveClass(/pending|failed/);
  await expect(alice.status).toContainText("shared by 2 tabs");
  expect(connectionCount()).toBe(2);
  expect(await sharedWorkerTargets(cdp)).not.toContain(aliceWorker);
});

test.describe("rooms", () => {
  test("a message reaches every tab of its room in both browsers, and no tab of another room", async ({ openChat }) => {
    const aliceGeneral = await openTab(openChat, "Alice", "general");
    const context = aliceGeneral.page.context();
    const aliceGeneral2 = await openTab(openChat, "Alice", "general", context);
    const aliceRandom = await openTab(openChat, "Alice", "random", context);
    const bobGeneral = await openTab(openChat, "Bob", "general");
    const bobRandom = await openTab(openChat, "Bob", "random", bobGeneral.page.context());
    await expect.poll(connectionCount).toBe(2);
    await expect(onlineNames(aliceRandom)).toHaveText(["Alice (you)", "Bob"]);

    await aliceGeneral2.send("to general");
    for (const tab of [aliceGeneral, aliceGeneral2, bobGeneral]) {
      await tab.expectMessage("to general", "Alice");
    }
    await bobRandom.send("to random");
    for (const tab of [aliceRandom, bobRandom]) {
      await tab.expectMessage("to random", "Bob");
    }
    // "to random" was sent after "to general": had "to general" been routed to these tabs, it would be there by now.
    await expect(aliceRandom.log.getByRole("listitem")).toHaveCount(1);
    await expect(bobRandom.log.getByRole("listitem")).toHaveCount(1);
    await expect(aliceGeneral.log.getByRole("listitem")).toHaveCount(1);
  });

  test("the worker stays in a room while a tab shows it, and leaves it after the last tab", async ({ openChat }) => {
    const aliceGeneral = await openTab(openChat, "Alice", "general");
    const aliceRandom = await openTab(openChat, "Alice", "random", aliceGeneral.page.context());
    const aliceRandom2 = await openTab(openChat, "Alice", "random", aliceGeneral.page.context());
    const bobGeneral = await openTab(openChat, "Bob", "general");
    const bobRandom = await openTab(openChat, "Bob", "random", bobGeneral.page.context());
    await expect(onlineNames(bobRandom)).toHaveText(["Alice", "Bob (you)"]);

    await aliceRandom.page.close();
    await bobRandom.send("Alice is still here");
    await aliceRandom2.expectMessage("Alice is still here", "Bob");
    await expect(onlineNames(bobRandom)).toHaveText(["Alice", "Bob (you)"]);

    await aliceRandom2.page.close();
    await expect(onlineNames(bobRandom)).toHaveText(["Bob (you)"]);
    await expect(onlineNames(bobGeneral)).toHaveText(["Alice", "Bob (you)"]);
    expect(connectionCount()).toBe(2);
  });

  test("a crashed tab leaves its room within the worker's heartbeat period; the last tab takes the socket along", async ({ openChat }) => {
    const aliceGeneral = await openTab(openChat, "Alice", "general");
    const aliceRandom = await openTab(openChat, "Alice", "random", aliceGeneral.page.context());
    const bobGeneral = await openTab(openChat, "Bob", "general");
    const bobRandom = await openTab(openChat, "Bob", "random", bobGeneral.page.context());
    await expect(onlineNames(bobRandom)).toHaveText(["Alice", "Bob (you)"]);

    // The tab dies without pagehide: no goodbye reaches the worker, only the missing answers to its pings.
    const session = await aliceRandom.page.context().newCDPSession(aliceRandom.page);
    session.send("Page.crash").catch(() => undefined);
    await expect(onlineNames(bobRandom)).toHaveText(["Bob (you)"], { timeout: CRASHED_TAB_GONE_WITHIN_MS });
    await expect(onlineNames(bobGeneral)).toHaveText(["Alice", "Bob (you)"]);

    await aliceGeneral.page.close();
    await expect(onlineNames(bobGeneral)).toHaveText(["Bob (you)"]);
    await expect.poll(connectionCount).toBe(1);
  });

  test("typing shows in the other browser's tabs of the same room", async ({ openChat }) => {
    const alice = await openTab(openChat, "Alice", "general");
    const bob = await openTab(openChat, "Bob", "general");
    await expect(onlineNames(alice)).toHaveText(["Alice (you)", "Bob"]);
    await bob.input.pressSequentially("Hel");
    await expect(alice.page.locator("#typing")).toHaveText("Bob is typing…");
  });
});

test.describe("acknowledgements", () => {
  test("a message not acknowledged in time is marked failed, and a retry delivers it exactly once", async ({ openChat }) => {
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

  test("while the server is down every tab counts down, messages wait in the worker, and nothing is lost", async ({ openChat }) => {
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

test.describe("BroadcastChannel", () => {
  test("signing out in one tab signs out every tab of the browser, and signing in applies to all of them", async ({ openChat }) => {
    const tabs = [await openChat(running.url, "Alice")];
    const context = tabs[0].page.context();
    tabs.push(await openChat(running.url, "Alice", context), await openChat(running.url, "Alice", context));
    const bob = await openChat(running.url, "Bob");
    await expect(onlineNames(bob)).toHaveText(["Alice", "Bob (you)"]);

    await tabs[1].page.getByRole("button", { name: "Sign out" }).click();
    for (const tab of tabs) {
      await expect(tab.status).toContainText("Signed out");
      await expect(tab.input).toBeDisabled();
    }
    await expect(onlineNames(bob)).toHaveText(["Bob (you)"]);
    await expect.poll(connectionCount).toBe(1);

    await tabs[2].page.getByRole("textbox", { name: "Sign in as" }).fill("Carol");
    await tabs[2].page.getByRole("button", { name: "Sign in" }).click();
    for (const tab of tabs) {
      await expect(tab.page.locator("#me")).toHaveText("Carol");
      await expect(tab.status).toContainText("shared by 3 tabs");
    }
    await expect(onlineNames(bob)).toHaveText(["Bob (you)", "Carol"]);
    expect(connectionCount()).toBe(2);
  });

  test("a draft shows in the other tabs of its room in this browser only, and sending clears it there", async ({ openChat }) => {
    const writer = await openTab(openChat, "Alice", "general");
    const context = writer.page.context();
    const sameRoom = await openTab(openChat, "Alice", "general", context);
    const otherRoom = await openTab(openChat, "Alice", "random", context);
    const otherBrowser = await openTab(openChat, "Bob", "general");
    await expect(onlineNames(otherBrowser)).toHaveText(["Alice", "Bob (you)"]);

    await writer.input.pressSequentially("a draft");
    await expect(sameRoom.input).toHaveValue("a draft");
    await writer.sendButton.click();
    await otherBrowser.expectMessage("a draft", "Alice");
    await expect(sameRoom.input).toHaveValue("");
    // BroadcastChannel reaches only the tabs of this browser profile: nothing went to the other tabs.
    await expect(otherRoom.input).toHaveValue("");
    await expect(otherBrowser.input).toHaveValue("");
  });
});

test.describe("without SharedWorker", () => {
  test("each tab falls back to a WebSocket of its own, says so, and still shares sign-out with the others", async ({ openChat, browser }) => {
    const context = await browser.newContext();
    try {
      await context.addInitScript(() => {
        delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
      });
      const first = await openChat(running.url, "Alice", context);
      const second = await openChat(running.url, "Alice", context);
      const bob = await openChat(running.url, "Bob");
      for (const tab of [first, second]) {
        await expect(tab.status).toContainText("fallback: no SharedWorker in this browser, so this tab has a WebSocket of its own");
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
