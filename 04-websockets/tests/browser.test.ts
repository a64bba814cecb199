import type { Duplex } from "node:stream";
import { chromium, type Browser } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "../../tools/chromium.ts";
import { testChatPage, testLiveDelivery } from "../../tools/testing/chat-suite.ts";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startProxy } from "../../tools/testing/proxy.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, MAX_FRAME_BYTES, type WebSocketChatServer } from "../server.ts";

const TEST_HEARTBEAT_MS = 500;
// The page's TYPING_EXPIRY_MS (client/typing.ts), with room to spare.
const TYPING_GONE_WITHIN_MS = 4000 + 3000;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer({ heartbeatIntervalMs: TEST_HEARTBEAT_MS }));
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as WebSocketChatServer).connectionCount();
}

function typingLine(window: ChatWindow) {
  return window.page.locator("#typing");
}

function framesCounter(window: ChatWindow) {
  return window.page.locator('[data-traffic="frames"]');
}

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
// Runs in the page, so it is text: keeps every text the status line shows from now on, in window.statuses.
const RECORD_STATUSES = `(() => {
  window.statuses = [];
  const status = document.querySelector("#status");
  new MutationObserver(() => window.statuses.push(status.textContent)).observe(status, { childList: true });
})()`;

function recordedStatuses(window: ChatWindow): Promise<string[]> {
  return window.page.evaluate("window.statuses") as Promise<string[]>;
}

// The seconds the status line counts down to the next attempt, as it says now.
async function secondsToNextAttempt(window: ChatWindow): Promise<number> {
  const seconds = /Reconnecting in (\d+) s/.exec((await window.status.textContent()) ?? "")?.[1];
  if (seconds === undefined) {
    throw new Error("The page is not counting down to an attempt");
  }
  return Number(seconds);
}

// The TCP sockets of one user's WebSocket handshakes, so a test can cut them as a broken network would.
function captureSocketsOf(user: string): Duplex[] {
  const sockets: Duplex[] = [];
  running.current().server.on("upgrade", (req, socket) => {
    if (new URL(req.url ?? "/", "http://localhost").searchParams.get("user") === user) {
      sockets.push(socket);
    }
  });
  return sockets;
}

test("each open page keeps one WebSocket open and counts its frames, with no HTTP requests", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await expect(alice.status).toContainText("Connected");
  const bob = await openChat(running.url, "Bob");
  await expect.poll(connectionCount).toBe(2);
  await bob.send("counted");
  await alice.expectMessage("counted", "Bob");
  await expect(alice.page.locator('[data-traffic="requests"]')).toHaveText("0");
  // At least: resume sent; history, presence (Alice), joined (Bob) and the chat received.
  await expect.poll(async () => Number(await framesCounter(alice).textContent())).toBeGreaterThanOrEqual(5);
  await expect(alice.page.locator('[data-traffic="messages"]')).toHaveText("1");
});

test("five tabs of one browser open five WebSockets", async ({ openChat }) => {
  const TABS = 5;
  const first = await openChat(running.url, "Alice");
  for (let tab = 1; tab < TABS; tab += 1) {
    await openChat(running.url, "Alice", first.page.context());
  }
  await expect.poll(connectionCount).toBe(TABS);
});

test.describe("presence", () => {
  test("the Online list shows who is connected and updates when someone leaves", async ({ openChat }) => {
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(alice.online.getByRole("listitem")).toHaveText(["Alice (you)", "Bob"]);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
    await bob.page.close();
    await expect(alice.online.getByRole("listitem")).toHaveText(["Alice (you)"]);
  });

  test("a user with two tabs stays online until the last tab closes", async ({ openChat }) => {
    const bob = await openChat(running.url, "Bob");
    const firstTab = await openChat(running.url, "Alice");
    const secondTab = await openChat(running.url, "Alice", firstTab.page.context());
    await expect.poll(connectionCount).toBe(3);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
    await expect(secondTab.online.getByRole("listitem")).toHaveText(["Alice (you)", "Bob"]);

    await firstTab.page.close();
    await expect.poll(connectionCount).toBe(2);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);

    await secondTab.page.close();
    await expect(bob.online.getByRole("listitem")).toHaveText(["Bob (you)"]);
  });

  test("a tab that crashes without a goodbye leaves the Online list within the heartbeat period", async ({
    openChat,
  }) => {
    const bob = await openChat(running.url, "Bob");
    const alice = await openChat(running.url, "Alice");
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
    const session = await alice.page.context().newCDPSession(alice.page);
    // The renderer dies at once, so this command never gets its answer.
    session.send("Page.crash").catch(() => undefined);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Bob (you)"], { timeout: 2 * TEST_HEARTBEAT_MS + 2000 });
  });
});

test.describe("typing", () => {
  test("the others see who is typing, the typist does not, and a message ends it", async ({ openChat }) => {
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    // Both connected: a typing notice sent before Bob's socket opens is dropped, not queued.
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
    await bob.input.pressSequentially("Hel");
    await expect(typingLine(alice)).toHaveText("Bob is typing…");
    await expect(typingLine(bob)).toHaveText("");
    await bob.input.pressSequentially("lo");
    await bob.sendButton.click();
    await alice.expectMessage("Hello", "Bob");
    await expect(typingLine(alice)).toHaveText("");
  });

  test("typing is sent at most once per throttle period, and the notice expires by itself", async ({ openChat }) => {
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
    const framesBefore = Number(await framesCounter(bob).textContent());
    await bob.input.pressSequentially("many keys, one frame");
    await expect(typingLine(alice)).toHaveText("Bob is typing…");
    expect(Number(await framesCounter(bob).textContent())).toBe(framesBefore + 1);
    await expect(typingLine(alice)).toHaveText("", { timeout: TYPING_GONE_WITHIN_MS });
  });
});

test.describe("connection loss", () => {
  test("after the connection drops the page reconnects, resumes from its cursor, and loses nothing", async ({
    openChat,
  }) => {
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await bob.send("before the drop");
    await alice.expectMessage("before the drop", "Bob");

    // Offline mode does not close an open WebSocket, but it keeps new connections from being made:
    // cut Alice's connection as a broken network would, and keep her from reconnecting for a while.
    await alice.page.context().setOffline(true);
    aliceSockets[0].destroy();
    await expect(alice.status).toContainText("Reconnecting in");
    await expect(bob.online.getByRole("listitem")).toHaveText(["Bob (you)"]);

    for (const text of ["while Alice was away 1", "while Alice was away 2", "while Alice was away 3"]) {
      await bob.send(text);
    }
    await alice.send("from Alice while offline");
    await expect(alice.error).toContainText("Not connected, so the message was not sent");
    await expect(alice.input).toHaveValue("from Alice while offline");

    await alice.page.context().setOffline(false);
    await expect(alice.status).toContainText("Connected", { timeout: 30_000 });
    await expect(alice.log.getByRole("listitem")).toHaveText([/before the drop/, /away 1/, /away 2/, /away 3/]);
    // "Send it again once the status says Connected": it does, so the error has gone, and the text is still there.
    await expect(alice.error).toBeHidden();
    await expect(alice.input).toHaveValue("from Alice while offline");
    await alice.sendButton.click();
    await bob.expectMessage("from Alice while offline", "Alice");
    await expect(alice.error).toBeHidden();
  });

  test("a send the server never answers fails after the ack timeout, and the page reconnects", async ({ openChat }) => {
    test.setTimeout(90_000);
    const proxy = await startProxy(running.port);
    try {
      const alice = await openChat(proxy.url, "Alice");
      await expect(alice.status).toContainText("Connected");
      // The network stops passing bytes without closing anything: no close event reaches the page.
      proxy.freeze();
      await alice.send("into the void");
      await expect(alice.error).toContainText("did not confirm this message in time", { timeout: 20_000 });
      await expect(alice.input).toHaveValue("into the void");

      // The network comes back, but the old connection is dead: the message never reached the server.
      proxy.cutAndThaw();
      await expect(alice.status).toContainText("Connected", { timeout: 30_000 });
      await expect(alice.message("into the void")).toHaveCount(0);
      await alice.sendButton.click();
      await alice.expectMessage("into the void", "Alice");
      await expect(alice.input).toHaveValue("");
    } finally {
      await proxy.close();
    }
  });

  test("a message sent again after its ack was lost keeps its ref, and is stored only once", async ({ openChat }) => {
    test.setTimeout(60_000);
    // A heartbeat longer than this test: the stalled socket below must not be cut off for missing pongs.
    await running.stop();
    running = await startServer(() => createChatServer());
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);

    // The server stops reading Alice's socket: her message waits in the network, and no ack comes back in time.
    aliceSockets[0].pause();
    await alice.send("only once");
    await expect(alice.error).toContainText("did not confirm this message in time", { timeout: 20_000 });
    await expect(alice.input).toHaveValue("only once");

    // Then the server reads it after all: the message is stored, and the page, reconnected, finds it in the history.
    aliceSockets[0].resume();
    await expect(alice.status).toContainText("Connected", { timeout: 30_000 });
    await bob.expectMessage("only once", "Alice");
    await alice.expectMessage("only once", "Alice");

    // Sent again from the box, with the same ref: acknowledged (the box is cleared), and not stored a second time.
    await alice.sendButton.click();
    await expect(alice.input).toHaveValue("");
    await bob.send("after the retry");
    await alice.expectMessage("after the retry", "Bob");
    await expect(bob.log.getByRole("listitem")).toHaveText([/only once/, /after the retry/]);
    await expect(alice.log.getByRole("listitem")).toHaveText([/only once/, /after the retry/]);
  });

  test("while the server is down the status counts down to the next attempt", async ({ openChat }) => {
    const alice = await openChat(running.url, "Alice");
    await expect(alice.status).toContainText("Connected");
    await alice.page.evaluate(RECORD_STATUSES);
    await running.stop();
    await expect(alice.status).toContainText("close code 1001");
    await expect(alice.status).toContainText(/Reconnecting in \d+ s/);
    // Two attempts have failed with 1006 (nobody answers): the status still says why the connection was lost.
    await expect
      .poll(async () => (await recordedStatuses(alice)).filter((status) => status.endsWith("Connecting…")).length, {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(2);
    await expect(alice.status).toContainText(/close code 1001\)\. Reconnecting in \d+ s/);
    expect((await recordedStatuses(alice)).filter((status) => status.includes("1006"))).toEqual([]);
    await running.start();
    await expect(alice.status).toContainText("Connected", { timeout: 30_000 });
  });

  test("when the network comes back the page reconnects at once, not when its grown backoff ends", async ({
    openChat,
  }) => {
    const aliceSockets = captureSocketsOf("Alice");
    const alice = await openChat(running.url, "Alice");
    await expect(alice.status).toContainText("Connected");
    // The network goes away: the connection is cut, and every attempt fails, each after a longer wait.
    await alice.page.context().setOffline(true);
    aliceSockets[0].destroy();
    await expect(alice.status).toContainText(/Reconnecting in ([5-9]|\d\d) s/, { timeout: 30_000 });
    const secondsLeft = await secondsToNextAttempt(alice);

    // Going online fires the browser's "online" event.
    const back = Date.now();
    await alice.page.context().setOffline(false);
    await expect(alice.status).toContainText("Connected");
    expect(Date.now() - back).toBeLessThan((secondsLeft - 2) * 1000);
  });

  test("the traffic panel shows the round trip of each message until its ack, with no frame of its own", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const sentTypes: string[] = [];
    alice.page.on("websocket", (socket) =>
      socket.on("framesent", (frame) => sentTypes.push(JSON.parse(String(frame.payload)).type)),
    );
    await alice.page.reload();
    await expect(alice.status).toContainText("Connected");
    const roundTrip = alice.page.locator('[data-traffic="roundTrip"]');
    await expect(roundTrip).toHaveText("–");
    await alice.send("timed");
    await alice.expectMessage("timed", "Alice");
    await expect(roundTrip).toHaveText(/^\d+(\.\d)? ms$/);
    // The page sent what it sends anyway: where it is, that it types, the message.
    expect(sentTypes).toEqual(["resume", "typing", "chat"]);
  });

  test("a message over the frame limit is refused with a visible error, and only that page reconnects", async ({
    openChat,
  }) => {
    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
    const huge = "x".repeat(MAX_FRAME_BYTES + 1);
    await alice.send(huge);
    await expect(alice.error).toContainText("close code 1009");
    await expect(alice.input).toHaveValue(huge);
    await expect(alice.status).toContainText("Connected", { timeout: 30_000 });

    await bob.send("Bob noticed nothing");
    await alice.expectMessage("Bob noticed nothing", "Bob");
    await expect(alice.log.getByRole("listitem")).toHaveCount(1);
  });
});

test.describe("back/forward cache", () => {
  test("a page shown again from the back/forward cache connects at once, not when its backoff ends", async ({
    openChat,
  }) => {
    const browser = await launchWithBackForwardCache();
    try {
      const alice = await openChat(running.url, "Alice", await browser.newContext());
      await expect(alice.status).toContainText("Connected");
      await running.stop();
      await expect(alice.status).toContainText(/Reconnecting in ([5-9]|\d\d) s/, { timeout: 30_000 });
      const secondsLeft = await secondsToNextAttempt(alice);
      await running.start();

      await alice.page.evaluate(WATCH_RESTORE);
      await alice.page.goto(`${running.url}/favicon.svg`);
      const back = Date.now();
      await alice.page.goBack({ waitUntil: "commit" });
      await expect(alice.status).toContainText("Connected");
      expect(Date.now() - back).toBeLessThan((secondsLeft - 2) * 1000);
      // The same page, not a new one: it came back from the cache.
      expect(await alice.page.evaluate("window.restored")).toBe(true);
    } finally {
      await browser.close();
    }
  });
});

testChatPage("04-websockets", () => running);
testLiveDelivery("04-websockets", () => running);
