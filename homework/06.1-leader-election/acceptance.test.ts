// Acceptance test of homework 06.1: where a browser has no SharedWorker, its tabs elect one leader that holds the
// one WebSocket and relays for the others, and another tab takes over when the leader closes.
// The test takes SharedWorker away from every page of one browser profile (an init script runs before the page's
// own), counts the WebSockets the server holds for each user (GET /api/stats), and uses the page contract only.
import type { Browser, BrowserContext } from "@playwright/test";
import { expect, test, type ChatWindow, type OpenChat } from "../../tools/testing/browser.ts";
import { request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../06-shared-worker/server.ts";

const TABS = 3;
// From the leader's tab closing to another tab holding the socket again, and every message through (README.md).
const TAKEOVER_WITHIN_MS = 10_000;

let running: RunningServer;
let aliceHandshakes: number;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
  aliceHandshakes = 0;
  running.current().server.on("upgrade", (req) => {
    if (new URL(req.url ?? "/", "http://localhost").searchParams.get("user") === "Alice") {
      aliceHandshakes += 1;
    }
  });
});
test.afterEach(() => running.stop());

// The WebSockets the server holds for each user, as GET /api/stats reports them.
async function socketsByUser(): Promise<Record<string, number>> {
  const reply = await request(`${running.url}/api/stats`);
  return (JSON.parse(reply.body) as { usersOnline: Record<string, number> }).usersOnline;
}

// Runs `steps` with Alice's tabs in a browser without SharedWorker and Bob in his own, then closes Alice's browser,
// whatever happened.
async function withTabs(openChat: OpenChat, browser: Browser, steps: (tabs: Tabs) => Promise<void>): Promise<void> {
  const context = await browserWithoutSharedWorker(browser);
  try {
    await steps(await openTabs(openChat, context));
  } finally {
    await context.close();
  }
}

// A browser profile whose pages have no SharedWorker, as in a browser that lacks it.
async function browserWithoutSharedWorker(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
  });
  return context;
}

interface Tabs {
  alice: ChatWindow[];
  bob: ChatWindow;
}

// Alice's tabs in the browser without SharedWorker, and Bob in his own; ready once every tab is connected and each
// user holds one WebSocket.
async function openTabs(openChat: OpenChat, context: BrowserContext): Promise<Tabs> {
  const alice: ChatWindow[] = [];
  for (let tab = 0; tab < TABS; tab += 1) {
    alice.push(await openChat(running.url, "Alice", context));
  }
  const bob = await openChat(running.url, "Bob");
  await expectReady(alice);
  await expect.poll(socketsByUser).toEqual({ Alice: 1, Bob: 1 });
  return { alice, bob };
}

// Each tab connected, and showing both users online.
async function expectReady(tabs: ChatWindow[]): Promise<void> {
  for (const tab of tabs) {
    await expect(tab.status).toContainText("Connected");
    await expect(tab.online.getByRole("listitem")).toHaveText(["Alice (you)", "Bob"]);
  }
}

// Shown exactly once in every window, and, in the window that sent it, stored (no longer waiting or failed).
async function expectDeliveredOnce(text: string, sender: ChatWindow, windows: ChatWindow[], timeout?: number) {
  for (const window of windows) {
    await expect(window.message(text, sender.user)).toHaveCount(1, { timeout });
  }
  await expect(sender.message(text, sender.user)).not.toHaveClass(/pending|failed/, { timeout });
}

test("three tabs of a browser without SharedWorker hold one WebSocket between them, and every tab sends and receives", async ({
  openChat,
  browser,
}) => {
  await withTabs(openChat, browser, async ({ alice, bob }) => {
    await bob.send("to every tab");
    await expectDeliveredOnce("to every tab", bob, [...alice, bob]);
    for (const [index, tab] of alice.entries()) {
      await tab.send(`from tab ${index + 1}`);
      await expectDeliveredOnce(`from tab ${index + 1}`, tab, [...alice, bob]);
    }
    expect(await socketsByUser()).toEqual({ Alice: 1, Bob: 1 });
    expect(aliceHandshakes, "WebSocket handshakes of Alice's browser").toBe(1);
  });
});

// Web Locks grant a lock in the order it was asked for, so the first tab is the leader; the tabs close in the order
// they opened, so the leader closes at some point whichever tab it is.
test("when the leader's tab closes, another tab takes over in bounded time, and nothing is lost or shown twice", async ({
  openChat,
  browser,
}) => {
  await withTabs(openChat, browser, async ({ alice, bob }) => {
    for (let closed = 1; closed < TABS; closed += 1) {
      const closing = alice.shift() as ChatWindow;
      const [sender] = alice;
      await closing.page.close();
      // Sent at once: the messages must wait for the new leader, and reach everyone once.
      await bob.send(`from Bob as tab ${closed} closed`);
      await sender.send(`from a remaining tab as tab ${closed} closed`);

      await expectDeliveredOnce(`from Bob as tab ${closed} closed`, bob, [...alice, bob], TAKEOVER_WITHIN_MS);
      await expectDeliveredOnce(
        `from a remaining tab as tab ${closed} closed`,
        sender,
        [...alice, bob],
        TAKEOVER_WITHIN_MS,
      );
      await expect.poll(socketsByUser, { timeout: TAKEOVER_WITHIN_MS }).toEqual({ Alice: 1, Bob: 1 });
      await expectReady(alice);
    }

    const [last] = alice;
    await last.send("the last tab still works");
    await expectDeliveredOnce("the last tab still works", last, [last, bob]);
    await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
  });
});
