// The steps behind a real nginx (tools/proxy): HTTP/2 ends the six-connection limit, a buffering proxy holds an
// event stream back unless it obeys the step's header, WebSockets pass, and an idle timeout below the heartbeats
// cuts every waiting connection while each page recovers with nothing lost. Each test starts its own step server
// and its own nginx on free ports of 127.0.0.1, and prints what it measured.
import type { Page } from "@playwright/test";
import { LONG_POLL_TIMEOUT_MS } from "../03-http-longpolling/server.ts";
import { HEARTBEAT_INTERVAL_MS as WEBSOCKET_PING_MS } from "../04-websockets/server.ts";
import { HEARTBEAT_INTERVAL_MS as EVENT_STREAM_HEARTBEAT_MS, type EventStreamServer } from "../05-sse/server.ts";
import { HEARTBEAT_INTERVAL_MS as SHARED_WORKER_PING_MS } from "../06-shared-worker/server.ts";
import { CHROMIUM_ARGS, chromiumExecutable } from "../tools/chromium.ts";
import { chromiumFlagsToTrustCertificate } from "../tools/proxy/certificate.ts";
import { startNginx, type AccessLogEntry, type RunningProxy } from "../tools/proxy/nginx.ts";
import { findProfile, idleTimeoutMs } from "../tools/proxy/profiles.ts";
import { checkDelivery, sendUntilAccepted, type Window } from "../tools/reliability/windows.ts";
import { findStep, type Step } from "../tools/steps.ts";
import { expect, test, type ChatWindow } from "../tools/testing/browser.ts";
import { importStep, startServer, type RunningServer } from "../tools/testing/server.ts";

// Chromium, like every browser, opens at most six HTTP/1.1 connections to one origin.
const CONNECTIONS_PER_ORIGIN = 6;
const MANY_TABS = 12;
// How long the seventh tab is watched while it cannot load (as in step 05's own test).
const PENDING_WATCH_MS = 3000;
// The buffering comparison: a few messages, and how long each may take to count as delivered at all.
const MEASURED_MESSAGES = 5;
const SEND_INTERVAL_MS = 250;
const DELIVERY_WINDOW_MS = 4000;
// A message through a proxy that does not hold it back arrives in milliseconds; this leaves room for a busy machine.
const ON_TIME_MS = 1000;
const ARRIVAL_CHECK_INTERVAL_MS = 100;
// Recovery after a cut or a proxy restart: the pages back off (up to a few seconds) before they reconnect.
const RECOVERY_TIMEOUT_MS = 30_000;

// What each live step keeps open, and the longest it stays silent, read from its code.
// nginx logs a request when it ends: `request` starts its line, and `cutAs` is the protocol and status it logs for
// one it cut. A long poll gets 504 Gateway Timeout; an event stream's 200 just stops; a WebSocket (101, on an
// HTTP/1.1 connection of its own: nginx 1.22 has no WebSockets over HTTP/2) is closed.
const WAITING_CONNECTIONS = [
  {
    step: 3,
    what: "long poll",
    request: "GET /api/messages",
    cutAs: "HTTP/2.0 504",
    silentAtMostMs: LONG_POLL_TIMEOUT_MS,
    figure: "LONG_POLL_TIMEOUT_MS",
  },
  {
    step: 4,
    what: "WebSocket",
    request: "GET /ws",
    cutAs: "HTTP/1.1 101",
    silentAtMostMs: WEBSOCKET_PING_MS,
    figure: "HEARTBEAT_INTERVAL_MS (ping)",
  },
  {
    step: 5,
    what: "event stream",
    request: "GET /api/events",
    cutAs: "HTTP/2.0 200",
    silentAtMostMs: EVENT_STREAM_HEARTBEAT_MS,
    figure: "HEARTBEAT_INTERVAL_MS (comment)",
  },
  {
    step: 6,
    what: "WebSocket",
    request: "GET /ws",
    cutAs: "HTTP/1.1 101",
    silentAtMostMs: SHARED_WORKER_PING_MS,
    figure: "HEARTBEAT_INTERVAL_MS (ping)",
  },
];
const SHORT_IDLE_TIMEOUT_MS = idleTimeoutMs(findProfile("short-timeouts"));
// What nginx answers a request whose upstream stayed silent too long, if it has not answered anything yet.
const GATEWAY_TIMEOUT = 504;

// Chromium trusts the proxy's self-signed certificate, as a lecturer's browser does once it is trusted.
test.use({
  launchOptions: {
    executablePath: chromiumExecutable(),
    args: [...CHROMIUM_ARGS, ...chromiumFlagsToTrustCertificate()],
  },
});

// The openChat fixture of tools/testing/browser.ts, handed to a helper.
type OpenChat = (baseUrl: string, user: string) => Promise<ChatWindow>;

let cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
  cleanups = [];
});

// A step's server and nginx in front of it, both ended after the test.
async function behindNginx(step: Step, profileName: string): Promise<{ server: RunningServer; proxy: RunningProxy }> {
  // The step's createChatServer, called without options: the real heartbeats and timeouts.
  const { createChatServer } = await importStep(step);
  const server = await startServer(() => createChatServer());
  const proxy = await startNginx({ profile: findProfile(profileName), upstreamPort: server.port });
  cleanups.push(async () => {
    await proxy.close();
    await server.stop().catch(() => undefined);
  });
  return { server, proxy };
}

test("the good profile's idle timeout is above every heartbeat of the course, the short one below all of them", () => {
  const good = idleTimeoutMs(findProfile("good"));
  const short = idleTimeoutMs(findProfile("short-timeouts"));
  for (const waiting of WAITING_CONNECTIONS) {
    expect(good, `step 0${waiting.step}'s ${waiting.figure}`).toBeGreaterThan(waiting.silentAtMostMs);
    expect(short, `step 0${waiting.step}'s ${waiting.figure}`).toBeLessThan(waiting.silentAtMostMs);
  }
});

test("step 05 over HTTP/2: seven, then twelve tabs of one browser all load and get every message", async ({
  openChat,
}) => {
  const { server, proxy } = await behindNginx(findStep("5"), "good");
  const started = performance.now();
  const first = await openChat(proxy.url, "Tab 1");
  const tabs = [first];
  while (tabs.length < MANY_TABS) {
    tabs.push(await openChat(proxy.url, `Tab ${tabs.length + 1}`, first.page.context()));
    if (tabs.length === CONNECTIONS_PER_ORIGIN + 1) {
      await expect.poll(() => streamCount(server)).toBe(CONNECTIONS_PER_ORIGIN + 1);
      await tabs[CONNECTIONS_PER_ORIGIN].send("the seventh tab is here");
      await Promise.all(
        tabs.map((tab) => tab.expectMessage("the seventh tab is here", `Tab ${CONNECTIONS_PER_ORIGIN + 1}`)),
      );
    }
  }
  await expect.poll(() => streamCount(server)).toBe(MANY_TABS);
  await tabs[MANY_TABS - 1].send("and the twelfth");
  await Promise.all(tabs.map((tab) => tab.expectMessage("and the twelfth", `Tab ${MANY_TABS}`)));
  await Promise.all(tabs.map((tab) => tab.expectMessage("the seventh tab is here")));
  const loadedMs = performance.now() - started;

  const protocols = new Set(await Promise.all(tabs.map((tab) => protocolOf(tab.page))));
  expect([...protocols]).toEqual(["h2"]);
  const pageLoads = proxy.accessLog().filter((entry) => entry.request.startsWith("GET /?user=Tab"));
  expect(pageLoads).toHaveLength(MANY_TABS);
  const connections = new Set(pageLoads.map((entry) => entry.connection));
  expect(connections.size, "TCP connections from the browser to nginx").toBe(1);
  report([
    `HTTP/2 through nginx (profile good): ${MANY_TABS} tabs of one browser opened one after another in ${(loadedMs / 1000).toFixed(1)} s,`,
    `${streamCount(server)} event streams open at once, every tab got both messages; all ${MANY_TABS} pages came over ${connections.size} TCP connection (h2).`,
  ]);
});

test("step 05 over HTTP/1.1 through nginx: the seventh tab waits until one of the six closes", async ({ openChat }) => {
  const { server, proxy } = await behindNginx(findStep("5"), "http1");
  const first = await openChat(proxy.url, "Tab 1");
  const context = first.page.context();
  const tabs = [first];
  while (tabs.length < CONNECTIONS_PER_ORIGIN) {
    tabs.push(await openChat(proxy.url, `Tab ${tabs.length + 1}`, context));
  }
  await expect.poll(() => streamCount(server)).toBe(CONNECTIONS_PER_ORIGIN);
  expect(await protocolOf(first.page)).toBe("http/1.1");

  const seventh = await context.newPage();
  const asked = seventh.waitForEvent("request");
  const loading = seventh.goto(`${proxy.url}/?user=Tab%207`);
  await asked;
  const outcome = await Promise.race([
    loading.then(() => "loaded"),
    new Promise((resolve) => setTimeout(resolve, PENDING_WATCH_MS, "pending")),
  ]);
  expect(outcome, "the seventh tab, while six event streams hold every connection").toBe("pending");

  const closed = performance.now();
  await first.page.close();
  await loading;
  const loadedAfterMs = performance.now() - closed;
  await expect.poll(() => streamCount(server)).toBe(CONNECTIONS_PER_ORIGIN);
  report([
    `HTTP/1.1 through nginx (profile http1): ${CONNECTIONS_PER_ORIGIN} tabs loaded, the seventh still pending after ${PENDING_WATCH_MS / 1000} s;`,
    `it loaded ${Math.round(loadedAfterMs)} ms after one of the six was closed.`,
  ]);
});

test("step 05's events: on time through good and buffering-honoured, held back by buffering (figures)", async ({
  openChat,
}) => {
  test.setTimeout(90_000);
  const lines: string[] = [];
  for (const profileName of ["good", "buffering-honoured", "buffering"]) {
    const { server, proxy } = await behindNginx(findStep("5"), profileName);
    const alice = await openChat(proxy.url, "Alice");
    const bob = await openChat(proxy.url, "Bob");
    // Both streams are open at the server: whatever the pages see from now on is the proxy's doing.
    await expect.poll(() => streamCount(server)).toBe(2);
    const latencies = await measureDelivery(alice, bob, `through ${profileName}`);
    const status = (await bob.status.textContent())?.split(".")[0];
    lines.push(`${profileName.padEnd(18)} ${describeLatencies(latencies)}; Bob's status: ${status}`);
    const onTime = latencies.every((latency) => latency !== null && latency <= ON_TIME_MS);
    const heldBack = latencies.every((latency) => latency === null || latency > ON_TIME_MS);
    expect(profileName === "buffering" ? heldBack : onTime, `${profileName}: ${latencies.join(", ")} ms`).toBe(true);
  }
  report([
    `Step 05, ${MEASURED_MESSAGES} messages ${SEND_INTERVAL_MS} ms apart, from the click on Send to the message in another window:`,
    ...lines,
  ]);
});

for (const step of [3, 4, 5, 6].map((number) => findStep(String(number)))) {
  test(`${step.folder} through nginx (HTTP/2): messages, presence, and resume after nginx restarts`, async ({
    openChat,
  }) => {
    const { server, proxy } = await behindNginx(step, "good");
    const { alice, bob, carol } = await threeWindows(openChat, server, proxy);
    expect(await protocolOf(alice.page)).toBe("h2");
    if (step.number >= 4) {
      for (const name of ["Alice", "Bob", "Carol"]) {
        await expect(alice.online).toContainText(name);
      }
    }

    await proxy.stop();
    await sendUntilAccepted(asWindow(carol), "sent while nginx was down");
    await carol.expectMessage("sent while nginx was down", "Carol");
    const restarted = performance.now();
    await proxy.start();
    const texts = ["hello from Alice", "sent while nginx was down"];
    const result = await checkDelivery([alice, bob].map(asWindow), texts);
    const resumedMs = performance.now() - restarted;
    expect(result).toEqual({ lost: 0, duplicates: 0 });
    await sendUntilAccepted(asWindow(bob), "Bob again, through nginx");
    await Promise.all([alice, carol].map((chat) => chat.expectMessage("Bob again, through nginx", "Bob")));
    report([
      `${step.folder} through nginx (h2): nginx stopped and started again; Alice and Bob had Carol's message ${(resumedMs / 1000).toFixed(1)} s after the restart, nothing lost or shown twice.`,
    ]);
  });
}

for (const waiting of WAITING_CONNECTIONS) {
  const step = findStep(String(waiting.step));
  test(`${step.folder} behind a ${seconds(SHORT_IDLE_TIMEOUT_MS)} idle timeout: its ${waiting.what} is cut, and every window recovers with nothing lost`, async ({
    openChat,
  }) => {
    const { server, proxy } = await behindNginx(step, "short-timeouts");
    const { alice, bob, carol } = await threeWindows(openChat, server, proxy);
    // nginx logs a request when it ends: a waiting one that ended after the whole idle timeout was cut by nginx.
    const cut = (): AccessLogEntry[] =>
      proxy
        .accessLog()
        .filter((entry) => entry.request.startsWith(waiting.request) && entry.durationMs >= SHORT_IDLE_TIMEOUT_MS);
    await expect
      .poll(() => cut().length, { timeout: SHORT_IDLE_TIMEOUT_MS + RECOVERY_TIMEOUT_MS, intervals: [100] })
      .toBeGreaterThan(0);
    const cutAt = performance.now();
    await sendUntilAccepted(asWindow(carol), "Carol, right after the cut");
    await sendUntilAccepted(asWindow(alice), "Alice, after the cut");
    const texts = ["hello from Alice", "Carol, right after the cut", "Alice, after the cut"];
    const result = await checkDelivery([alice, bob, carol].map(asWindow), texts);
    const recoveredMs = performance.now() - cutAt;
    expect(result).toEqual({ lost: 0, duplicates: 0 });
    const ended = cut();
    expect(new Set(ended.map((entry) => `${entry.protocol} ${entry.status}`))).toEqual(new Set([waiting.cutAs]));
    report([
      `${step.folder}, idle timeout ${seconds(SHORT_IDLE_TIMEOUT_MS)} (its ${waiting.figure} is ${seconds(waiting.silentAtMostMs)}):`,
      `nginx cut ${ended.length} ${waiting.what}(s) after ${seconds(SHORT_IDLE_TIMEOUT_MS)} without a byte from the step (open ${ended.map((entry) => seconds(entry.durationMs)).join(", ")}; logged ${waiting.cutAs});`,
      `every window had both new messages ${seconds(recoveredMs)} after the first cut, nothing lost or shown twice.`,
    ]);
  });
}

test(`02-http-polling behind the same idle timeout is never cut: each of its polls is answered at once`, async ({
  openChat,
}) => {
  const { proxy } = await behindNginx(findStep("2"), "short-timeouts");
  await openChat(proxy.url, "Alice");
  const polls = (): number[] =>
    proxy
      .accessLog()
      .filter((entry) => entry.request.startsWith("GET /api/messages"))
      .map((entry) => entry.endedAt);
  // Watched until its polls span more than one idle timeout: a request nginx would cut, it would have cut by then.
  await expect
    .poll(() => Math.max(...polls()) - Math.min(...polls()), {
      timeout: 2 * SHORT_IDLE_TIMEOUT_MS + RECOVERY_TIMEOUT_MS,
    })
    .toBeGreaterThan(SHORT_IDLE_TIMEOUT_MS);
  expect(
    proxy.accessLog().filter((entry) => entry.status === GATEWAY_TIMEOUT || entry.durationMs >= SHORT_IDLE_TIMEOUT_MS),
  ).toEqual([]);
  report([
    `02-http-polling, idle timeout ${seconds(SHORT_IDLE_TIMEOUT_MS)}: ${polls().length} polls over ${seconds(Math.max(...polls()) - Math.min(...polls()))}, none cut.`,
  ]);
});

// Alice and Bob through nginx, each in a browser of their own; Carol straight at the step, so she can talk
// while nginx is down or their connections are cut. Ready once a first message reached all three.
async function threeWindows(
  openChat: OpenChat,
  server: RunningServer,
  proxy: RunningProxy,
): Promise<{ alice: ChatWindow; bob: ChatWindow; carol: ChatWindow }> {
  const alice = await openChat(proxy.url, "Alice");
  const bob = await openChat(proxy.url, "Bob");
  const carol = await openChat(server.url, "Carol");
  await sendUntilAccepted(asWindow(alice), "hello from Alice");
  await Promise.all([alice, bob, carol].map((chat) => chat.expectMessage("hello from Alice", "Alice")));
  return { alice, bob, carol };
}

// What DevTools shows in the Protocol column for the page itself: "h2" or "http/1.1".
async function protocolOf(page: Page): Promise<string> {
  return String(await page.evaluate('performance.getEntriesByType("navigation")[0].nextHopProtocol'));
}

function asWindow(chat: ChatWindow): Window {
  return { user: chat.user, context: chat.page.context(), page: chat.page };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function streamCount(server: RunningServer): number {
  return (server.current() as EventStreamServer).connectionCount();
}

function report(lines: string[]): void {
  console.log(lines.map((line) => `  ${line}`).join("\n"));
}

// Runs in the receiving page: notes, by the page's clock, when each message first appears in its log.
// A string, not a function, so that nothing the TypeScript compiler adds ends up in the page.
const RECORD_ARRIVALS = `
  window.__arrivals = {};
  new MutationObserver(() => {
    for (const item of document.querySelectorAll('[role="log"] li')) {
      window.__arrivals[item.textContent] ??= Date.now();
    }
  }).observe(document.querySelector('[role="log"]'), { childList: true, subtree: true });
`;

// From the click on Send to the message in the receiver's page, in ms, by the pages' clock (one machine, one
// clock); null for a message that had not arrived DELIVERY_WINDOW_MS after the last send.
async function measureDelivery(sender: ChatWindow, receiver: ChatWindow, label: string): Promise<(number | null)[]> {
  await receiver.page.evaluate(RECORD_ARRIVALS);
  const sent: { text: string; at: number }[] = [];
  for (let number = 1; number <= MEASURED_MESSAGES; number += 1) {
    const text = `${label}, message ${number}`;
    sent.push({ text, at: await sendAt(sender, text) });
    await sender.page.waitForTimeout(SEND_INTERVAL_MS);
  }
  const deadline = Date.now() + DELIVERY_WINDOW_MS;
  let arrivals = await arrivalTimes(
    receiver,
    sent.map((message) => message.text),
  );
  while (arrivals.includes(null) && Date.now() < deadline) {
    await receiver.page.waitForTimeout(ARRIVAL_CHECK_INTERVAL_MS);
    arrivals = await arrivalTimes(
      receiver,
      sent.map((message) => message.text),
    );
  }
  return arrivals.map((at, index) => (at === null ? null : at - (sent[index]?.at ?? 0)));
}

// Types the text, then clicks Send inside the page, and returns the page's clock at the click.
async function sendAt(chat: ChatWindow, text: string): Promise<number> {
  await chat.input.fill(text);
  return chat.sendButton.evaluate((button) => {
    const at = Date.now();
    (button as unknown as { click(): void }).click();
    return at;
  });
}

async function arrivalTimes(chat: ChatWindow, texts: string[]): Promise<(number | null)[]> {
  const shown = Object.entries((await chat.page.evaluate("window.__arrivals")) as Record<string, number>);
  return texts.map((text) => shown.find(([item]) => item.includes(text))?.[1] ?? null);
}

function describeLatencies(latencies: (number | null)[]): string {
  const arrived = latencies.filter((latency) => latency !== null).sort((a, b) => a - b);
  if (arrived.length === 0) {
    return `0 of ${latencies.length} arrived (watched until ${DELIVERY_WINDOW_MS / 1000} s after the last send)`;
  }
  const median = arrived[Math.floor((arrived.length - 1) / 2)] as number;
  return `${arrived.length} of ${latencies.length} arrived, median ${Math.round(median)} ms, slowest ${Math.round(arrived.at(-1) as number)} ms`;
}
