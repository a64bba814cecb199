// `npm run bench`: every step in real Chromium windows, the same scripted conversation, measured at the
// server's sockets and in the pages. Prints one row per step and writes bench/results/latest.md and .json.
// Usage: npm run bench [-- --steps 2,3] [--idle 30] [--tabs 3] [--proxy [profile]]
// --proxy puts nginx in front of each step (tools/proxy, profile "good" unless named); --tabs sets Alice's tabs.
import { execFileSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "../tools/chromium.ts";
import { chromiumFlagsToTrustCertificate } from "../tools/proxy/certificate.ts";
import { startNginx, type RunningProxy } from "../tools/proxy/nginx.ts";
import { findProfile, type Profile } from "../tools/proxy/profiles.ts";
import { availableSteps, browserProjects, findStep, ROOT, type Step } from "../tools/steps.ts";
import { importStep, type ChatServer } from "../tools/testing/server.ts";
import { TrafficMeter, trafficBetween, type Traffic } from "../tools/meter.ts";
import {
  commandLine,
  describeMachine,
  formatBytes,
  formatCount,
  formatMs,
  markdownTable,
  option,
  percentile,
} from "../tools/report.ts";
import { writeResults } from "./results.ts";
import { drawCharts } from "./charts/draw.ts";
import type { Timeline } from "./charts/timeline.ts";
import { DevToolsClock, recordPage, recordSharedWorkers, type Lane, type LaneRecorder } from "./network-recorder.ts";

const DEFAULT_ALICE_TABS = 3;
// A tab whose page has not loaded by then is left waiting, and counted as not loaded (the seventh tab of one
// browser over HTTP/1.1, while six event streams hold every connection).
const TAB_LOAD_TIMEOUT_MS = 10_000;

// The same script for every step, so the rows can be compared.
const PARAMETERS = {
  // Each user is a browser profile of their own; Alice has several tabs open, as people do.
  users: [
    { name: "Alice", tabs: Number(option("tabs") ?? DEFAULT_ALICE_TABS) },
    { name: "Bob", tabs: 1 },
  ],
  messages: 12,
  // Not a multiple of step 02's 3 s poll interval, so the sends fall at every point of its cycle.
  sendIntervalMs: 1250,
  // After the pages load, before the counters start: first requests and connections are not the conversation.
  settleMs: 3000,
  // After the last send, for the last message to arrive (step 02 may wait a whole 3 s interval).
  deliveryGraceMs: 5000,
  // Nothing is sent: what does each technique cost when nobody talks?
  idleMs: Number(option("idle") ?? 30) * 1000,
};

const PROXY_PROFILE = chosenProxyProfile();

const NO_LIVE_DELIVERY = "n/a (needs reload)";
const NOTHING_ARRIVED = "n/a (none arrived)";

interface Tab {
  user: string;
  page: Page;
  loaded: boolean;
}

interface StepResult {
  step: number;
  // false for a step that has no live updates (step 01).
  live: boolean;
  folder: string;
  title: string;
  delivered: number;
  expected: number;
  latencyMs: { p50: number; p95: number; max: number } | null;
  conversation: Traffic;
  idle: Traffic;
  idleRequestsPerMinute: number;
  bytesPerDelivered: number | null;
  tabsLoaded: number;
  latenciesByTab: { user: string; latencies: (number | null)[] }[];
  timeline: Timeline;
  pageErrors: string[];
}

// Runs in every page before its own scripts: notes when each benchmark message first appears in the log.
// The text carries the sender's Date.now(), so the difference is the delivery latency (one machine, one clock).
// A string, not a function, so that nothing the TypeScript compiler adds ends up in the page.
const WATCH_ARRIVALS = `
  window.__benchArrivals = {};
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        const items = node.matches("li") ? [node] : [...node.querySelectorAll("li")];
        for (const item of items) {
          const match = item.closest('[role="log"]') && /bench (\\d+) sent (\\d+)/.exec(item.textContent || "");
          if (match && !(match[1] in window.__benchArrivals)) {
            window.__benchArrivals[match[1]] = Date.now() - Number(match[2]);
          }
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
`;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// `--proxy` alone means the good profile; `--proxy buffering` names another.
function chosenProxyProfile(): Profile | undefined {
  const index = process.argv.indexOf("--proxy");
  if (index < 0) {
    return undefined;
  }
  const name = process.argv[index + 1];
  return findProfile(name === undefined || name.startsWith("--") ? "good" : name);
}

async function startStepServer(step: Step): Promise<{ chat: ChatServer; meter: TrafficMeter; port: number }> {
  // The step's console lines would mix with the benchmark's own output.
  process.env.QUIET = "1";
  const chat = (await importStep(step)).createChatServer();
  const meter = new TrafficMeter(chat.server);
  await new Promise<void>((resolve, reject) => {
    chat.server.once("error", reject);
    chat.server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = chat.server.address() as AddressInfo;
  return { chat, meter, port };
}

async function openTabs(
  browser: Browser,
  url: string,
  pageErrors: string[],
  clock: DevToolsClock,
): Promise<{ contexts: BrowserContext[]; tabs: Tab[]; recorders: LaneRecorder[] }> {
  const contexts: BrowserContext[] = [];
  const tabs: Tab[] = [];
  const recorders: LaneRecorder[] = [];
  for (const user of PARAMETERS.users) {
    const context = await browser.newContext();
    await context.addInitScript({ content: WATCH_ARRIVALS });
    contexts.push(context);
    for (let index = 0; index < user.tabs; index += 1) {
      const page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(`${user.name}: ${error.message}`));
      recorders.push(await recordPage(page, `${user.name}, tab ${index + 1}`, clock));
      const loaded = await page.goto(`${url}/?user=${user.name}`, { timeout: TAB_LOAD_TIMEOUT_MS }).then(
        () => true,
        () => false,
      );
      tabs.push({ user: user.name, page, loaded });
    }
  }
  return { contexts, tabs, recorders };
}

// Types the message and clicks Send in one step inside the page, so the timestamp is taken at the click.
async function send(tab: Tab, number: number): Promise<void> {
  const input = await tab.page.getByRole("textbox", { name: "Message" }).elementHandle();
  await tab.page.getByRole("button", { name: "Send" }).evaluate(
    (button, [field, n]) => {
      (field as unknown as { value: string }).value = `bench ${n} sent ${Date.now()}`;
      (button as unknown as { click(): void }).click();
    },
    [input, number] as const,
  );
}

// The sender of each message: the first tab of each user in turn.
function senders(tabs: Tab[]): Tab[] {
  return PARAMETERS.users.map((user) => tabs.find((tab) => tab.user === user.name) as Tab);
}

async function converse(tabs: Tab[]): Promise<{ sentBy: Tab[]; sentAt: number[] }> {
  const whoSends = senders(tabs);
  const sentBy: Tab[] = [];
  const sentAt: number[] = [];
  const start = Date.now();
  for (let number = 0; number < PARAMETERS.messages; number += 1) {
    // A fixed timetable from the start, so a slow send does not shift the ones after it.
    await sleep(start + number * PARAMETERS.sendIntervalMs - Date.now());
    const sender = whoSends[number % whoSends.length] as Tab;
    sentBy.push(sender);
    sentAt.push(Date.now());
    await send(sender, number);
  }
  await sleep(start + PARAMETERS.messages * PARAMETERS.sendIntervalMs + PARAMETERS.deliveryGraceMs - Date.now());
  return { sentBy, sentAt };
}

// Latencies of every (message, tab that did not send it) pair that arrived, tab by tab (null: not arrived).
async function collectLatencies(tabs: Tab[], sentBy: Tab[]): Promise<(number | null)[][]> {
  const byTab: (number | null)[][] = [];
  for (const tab of tabs) {
    if (!tab.loaded) {
      byTab.push(sentBy.flatMap((sender) => (sender === tab ? [] : [null])));
      continue;
    }
    const arrivals = await tab.page.evaluate(
      () => (globalThis as unknown as { __benchArrivals: Record<string, number> }).__benchArrivals,
    );
    byTab.push(sentBy.flatMap((sender, number) => (sender === tab ? [] : [arrivals[number] ?? null])));
  }
  return byTab;
}

async function benchStep(browser: Browser, step: Step): Promise<StepResult> {
  const { chat, meter, port } = await startStepServer(step);
  const proxy: RunningProxy | undefined =
    PROXY_PROFILE && (await startNginx({ profile: PROXY_PROFILE, upstreamPort: port }));
  const pageErrors: string[] = [];
  const origin = proxy?.url ?? `http://127.0.0.1:${port}`;
  const clock = new DevToolsClock();
  const { contexts, tabs, recorders } = await openTabs(browser, origin, pageErrors, clock);
  try {
    await sleep(PARAMETERS.settleMs);
    recorders.push(...(await recordSharedWorkers(browser, origin, clock)));
    const beforeConversation = meter.read();
    meter.resetPeak();
    const { sentBy, sentAt } = await converse(tabs);
    const afterConversation = meter.read();
    await sleep(PARAMETERS.idleMs);
    const afterIdle = meter.read();

    // A step without a protocol for live updates (step 01) shows other people's messages only when the page reloads
    // its history (after a reload or the user's own send). Those late appearances are not live deliveries, so its
    // latency is not measured.
    const live = step.protocol !== undefined;
    const latenciesByTab = live ? await collectLatencies(tabs, sentBy) : [];
    const latencies = latenciesByTab.flat().filter((latency) => latency !== null);
    const conversation = trafficBetween(beforeConversation, afterConversation);
    const idle = trafficBetween(afterConversation, afterIdle);
    const delivered = latencies.length;
    return {
      step: step.number,
      live,
      folder: step.folder,
      title: step.title,
      delivered,
      expected: PARAMETERS.messages * (tabs.length - 1),
      latencyMs:
        delivered === 0
          ? null
          : { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: Math.max(...latencies) },
      conversation,
      idle,
      idleRequestsPerMinute: (idle.requests * 60_000) / PARAMETERS.idleMs,
      bytesPerDelivered: delivered === 0 ? null : (conversation.bytesIn + conversation.bytesOut) / delivered,
      tabsLoaded: tabs.filter((tab) => tab.loaded).length,
      latenciesByTab: latenciesByTab.map((latencies, index) => ({ user: tabs[index]?.user ?? "", latencies })),
      timeline: cutTimeline(
        recorders.map((recorder) => recorder.lane),
        sentAt,
      ),
      pageErrors,
    };
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    await proxy?.close();
    await chat.close();
  }
}

// The traffic timeline's window: from a second before the first send, TIMELINE_MS long, in ms from its start.
// Only the chat's own requests (/api/...) are drawn, not the page's files. Whatever began before the window starts at
// 0, and whatever is still open at its end has no end.
const TIMELINE_LEAD_MS = 1000;
const TIMELINE_MS = 30_000;

function cutTimeline(lanes: Lane[], sentAt: number[]): Timeline {
  const start = (sentAt[0] ?? Date.now()) - TIMELINE_LEAD_MS;
  const inWindow = (at: number): boolean => at >= start && at <= start + TIMELINE_MS;
  const relative = (at: number): number => Math.round(at - start);
  return {
    windowMs: TIMELINE_MS,
    sends: sentAt.filter(inWindow).map(relative),
    lanes: lanes.map((lane) => ({
      label: lane.label,
      requests: lane.requests
        .filter((request) => request.url === "" || new URL(request.url).pathname.startsWith("/api/"))
        .filter((request) => (request.start ?? start) <= start + TIMELINE_MS && (request.end ?? Infinity) >= start)
        .map((request) => ({
          start: request.start === null || request.start < start ? 0 : relative(request.start),
          end: request.end === null || request.end > start + TIMELINE_MS ? null : relative(request.end),
          method: request.method,
        })),
      frames: lane.frames
        .filter((frame) => inWindow(frame.at))
        .map((frame) => ({ at: relative(frame.at), sent: frame.sent })),
      events: lane.events.filter(inWindow).map(relative),
    })),
  };
}

const COLUMNS = [
  "Step",
  "Delivered",
  "Latency p50",
  "Latency p95",
  "Requests",
  "Bytes",
  "Bytes per delivered message",
  "Idle requests / min",
  "Idle bytes / min",
  "TCP connections open",
  "WebSockets open",
];

function row(result: StepResult): string[] {
  const minutes = PARAMETERS.idleMs / 60_000;
  // A live step through a proxy that holds everything back delivers nothing: that is a figure, not "needs reload".
  const noLatency = result.live ? NOTHING_ARRIVED : NO_LIVE_DELIVERY;
  return [
    `${String(result.step).padStart(2, "0")} ${result.title}`,
    result.live ? `${result.delivered}/${result.expected}` : "none live",
    result.latencyMs ? formatMs(result.latencyMs.p50) : noLatency,
    result.latencyMs ? formatMs(result.latencyMs.p95) : noLatency,
    formatCount(result.conversation.requests),
    formatBytes(result.conversation.bytesIn + result.conversation.bytesOut),
    result.bytesPerDelivered === null ? noLatency : formatBytes(result.bytesPerDelivered),
    formatCount(result.idleRequestsPerMinute, 1),
    formatBytes((result.idle.bytesIn + result.idle.bytesOut) / minutes),
    String(result.idle.openConnections),
    String(result.idle.openWebSockets),
  ];
}

function describeParameters(tabCount: number): string {
  const users = PARAMETERS.users.map((user) => `${user.name} (${user.tabs} tab${user.tabs > 1 ? "s" : ""})`).join(", ");
  return [
    `${users}: ${tabCount} tabs in ${PARAMETERS.users.length} browser profiles.`,
    `${PARAMETERS.messages} messages, one every ${PARAMETERS.sendIntervalMs} ms, sent by the first tab of each user in turn;`,
    `each is expected in the ${tabCount - 1} other tabs. Counting starts ${PARAMETERS.settleMs} ms after the pages load and`,
    `covers the conversation plus ${PARAMETERS.deliveryGraceMs} ms; then ${PARAMETERS.idleMs / 1000} s of silence (the idle columns).`,
  ].join(" ");
}

// Through a proxy the counters at the step's sockets see nginx's connections to the step, not the browser's.
// Without one, nothing is added: the reference report keeps the layout the deck's slides are made from.
function describeProxy(): string[] {
  if (!PROXY_PROFILE) {
    return [];
  }
  const protocol = PROXY_PROFILE.http2 ? "HTTP/2" : "HTTP/1.1";
  return [
    `Through nginx (tools/proxy, profile "${PROXY_PROFILE.name}": ${PROXY_PROFILE.summary}) The pages talk ${protocol} to nginx,`,
    "which talks HTTP/1.1 to the step. The counters sit at the step's sockets, so they count nginx's connections and requests",
    "to the step: one connection per waiting request, stream or socket.",
    "",
  ];
}

function describeUnloadedTabs(results: StepResult[], tabCount: number): string[] {
  const unloaded = results.filter((result) => result.tabsLoaded < tabCount);
  const lines = unloaded.map(
    (result) =>
      `Step ${String(result.step).padStart(2, "0")}: ${tabCount - result.tabsLoaded} of ${tabCount} tabs had not loaded after ${TAB_LOAD_TIMEOUT_MS / 1000} s; their messages count as not delivered.`,
  );
  return lines.length === 0 ? [] : [...lines, ""];
}

// bench/results/latest.md is the reference run that the deck's comparison slides show; other runs go beside it.
function resultsName(): string {
  const variant = [
    PROXY_PROFILE && `proxy-${PROXY_PROFILE.name}`,
    PARAMETERS.users[0]?.tabs !== DEFAULT_ALICE_TABS && `tabs-${PARAMETERS.users[0]?.tabs}`,
  ].filter(Boolean);
  return variant.length === 0 ? "latest" : variant.join("-");
}

async function main(): Promise<void> {
  const chosen = option("steps");
  const steps = chosen ? chosen.split(",").map(findStep) : availableSteps();
  const tabCount = PARAMETERS.users.reduce((sum, user) => sum + user.tabs, 0);
  const machine = describeMachine();
  const date = new Date().toISOString();

  console.log(`Building the pages of steps ${steps.map((step) => step.number).join(", ")}…`);
  execFileSync("npx", ["tsc", "--build", ...steps.flatMap(browserProjects)], { cwd: ROOT, stdio: "inherit" });

  const trust = PROXY_PROFILE ? chromiumFlagsToTrustCertificate() : [];
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS, ...trust] });
  const chromiumVersion = browser.version();
  const results: StepResult[] = [];
  try {
    for (const step of steps) {
      console.log(`Step ${step.number} (${step.title})…`);
      const result = await benchStep(browser, step);
      results.push(result);
      for (const error of result.pageErrors) {
        console.warn(`  page error: ${error}`);
      }
    }
  } finally {
    await browser.close();
  }

  const loadAverageAtEnd = describeMachine().loadAverage;
  const table = markdownTable(COLUMNS, results.map(row));
  const markdown = [
    "# Benchmark: the steps in real browsers",
    "",
    `Date: ${date}. Command: \`${commandLine("bench")}\`.`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; Chromium ${chromiumVersion};`,
    `load average at the start ${machine.loadAverage.join(", ")}, at the end ${loadAverageAtEnd.join(", ")} (1, 5 and 15 minutes).`,
    "",
    describeParameters(tabCount),
    "",
    ...describeProxy(),
    table,
    "",
    ...describeUnloadedTabs(results, tabCount),
    "Requests, bytes and connections are counted at the server's sockets (HTTP headers and WebSocket frames included).",
    "Latency is from the click on Send to the message appearing in another tab. See bench/README.md for every column.",
    "",
  ].join("\n");
  const written = writeResults(resultsName(), markdown, {
    date,
    command: commandLine("bench"),
    machine: { ...machine, chromium: chromiumVersion },
    loadAverageAtEnd,
    parameters: PARAMETERS,
    proxy: PROXY_PROFILE?.name ?? null,
    results,
  });
  // The pictures are drawn from the result files, so they always show the latest run.
  written.push(...drawCharts());
  console.log(`\n${table}\n\nWritten: ${written.join(", ")}`);
}

await main();
