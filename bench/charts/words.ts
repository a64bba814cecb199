// The words of the benchmark's pictures, one table per language. The drawing code (glance.ts, growth.ts, timeline.ts)
// is the same for every language and takes every word it writes from a table like this one: English here, Ukrainian
// in words-uk.ts. Figures, units, commands, file names and names such as WebSocket are not words to translate: the
// drawing code writes them as they are in every language.
import { formatCount } from "../../tools/report.ts";

export interface ChartWords {
  // The result files record each step's title in English ("Short polling"): its title in this language.
  stepTitle(title: string): string;
  // A line of the load test, as its result file names it: a step ("04 WebSockets") or a baseline
  // ("bare websocket (baseline)").
  runLabel(label: string): string;
  // Where and when the figures were measured, at the start of a footer: "npm run bench, 2026-12-03, AMD EPYC, 2 cores".
  ran(command: string, date: string, cpu: string, cores: number): string;
  // The first sentence of a text alternative: "Measured with npm run bench on 2026-12-03."
  measured(command: string, date: string): string;
  glance: GlanceWords;
  growth: GrowthWords;
  timeline: TimelineWords;
}

// The benchmark's main figures at a glance (glance.ts).
export interface GlanceWords {
  title: string;
  // "Alice (3 tabs)"
  user(name: string, tabs: number): string;
  subtitle(users: string[], messages: number, idleSeconds: number): string;
  panels: {
    latencyMedian: string;
    latencyP95: string;
    requests: string;
    bytesPerMessage: string;
    bytesPerMinuteOfSilence: string;
    connections: string;
  };
  // Written instead of a bar when a step has no live delivery to measure.
  needsReload: string;
  // Written instead of a figure in the text alternative.
  notAvailable: string;
  footer(ran: string, tabs: number): string;
}

// How the cost grows with the number of clients (growth.ts).
export interface GrowthWords {
  title: string;
  subtitle(messages: number, rate: number): string;
  panels: { cpu: string; latencyP99: string; delivered: string };
  // Under the axis of the number of clients.
  clientsAxis: string;
  // "1,000 clients", in the text alternative.
  clients(count: number): string;
  footer(ran: string): string;
}

// The traffic timelines (timeline.ts).
export interface TimelineWords {
  everyStepTitle: string;
  // The title of one step's or a few steps' timeline: `steps` are their numbers, "01", "02".
  stepsTitle(steps: string[]): string;
  // What a bar, a dot, a tick and a dotted line are, under the title: one line, or two if it is too long for one.
  key: string[];
  // The benchmark names each lane in English: "Alice, tab 1", "Bob's shared worker".
  lane(label: string): string;
  // What a strip holds: "41 HTTP requests, 0 WebSocket frames, 0 events".
  summary(requests: number, frames: number, events: number): string;
  // The first sentence of the text alternative: "Recorded with npm run bench on 2026-12-03."
  recorded(command: string, date: string): string;
  // One lane in the text alternative, and then one step with all its lanes.
  laneCounts(lane: string, requests: number, frames: number, events: number): string;
  stepCounts(step: string, summary: string, seconds: number, lanes: string[]): string;
  footer(ran: string): string;
}

// English: the language the benchmark records its results in, so its labels are written as they are.
export const ENGLISH_WORDS: ChartWords = {
  stepTitle: (title) => title,
  runLabel: (label) => label,
  ran: (command, date, cpu, cores) => `${command}, ${date}, ${cpu}, ${englishCount(cores, "core")}`,
  measured: (command, date) => `Measured with ${command} on ${date}.`,
  glance: {
    title: "The six techniques at a glance, measured in Chromium",
    user: (name, tabs) => `${name} (${englishCount(tabs, "tab")})`,
    subtitle: (users, messages, idleSeconds) =>
      `${users.join(" and ")}: ${messages} messages, then ${idleSeconds} s of silence. Shorter bars are better.`,
    panels: {
      latencyMedian: "Latency, median",
      latencyP95: "Latency, 95th percentile",
      requests: "HTTP requests while chatting",
      bytesPerMessage: "Bytes per delivered message",
      bytesPerMinuteOfSilence: "Bytes per minute of silence",
      connections: "TCP connections held open",
    },
    needsReload: "n/a (needs a reload)",
    notAvailable: "n/a",
    footer: (ran, tabs) => `${ran}; ${englishCount(tabs, "tab")}. Figures: bench/results/latest.md.`,
  },
  growth: {
    title: "How the cost grows with the number of clients",
    subtitle: (messages, rate) =>
      `One sender, ${messages} messages at ${rate} per second, to every client. Solid: the step; dashed: a bare server of the same protocol.`,
    panels: {
      cpu: "Server CPU per delivered message",
      latencyP99: "Latency, 99th percentile (log scale)",
      delivered: "Messages delivered",
    },
    clientsAxis: "clients",
    clients: (count) => `${formatCount(count)} clients`,
    footer: (ran) => `${ran}. Figures: bench/results/load-latest.md.`,
  },
  timeline: {
    everyStepTitle: "What the Network panel shows: the same 30 s of the same chat in every step",
    stepsTitle: (steps) => `What the Network panel shows in ${englishSteps(steps)}, for 30 s of chat`,
    key: [
      "A bar is an HTTP request from start to end; a dot a WebSocket frame (filled: received, hollow: sent); a tick a Server-Sent Event; a dotted line a message sent.",
    ],
    lane: (label) => label,
    summary: (requests, frames, events) =>
      [
        englishCount(requests, "HTTP request"),
        englishCount(frames, "WebSocket frame"),
        englishCount(events, "event"),
      ].join(", "),
    recorded: (command, date) => `Recorded with ${command} on ${date}.`,
    laneCounts: (lane, requests, frames, events) =>
      `${lane}: ${[englishCount(requests, "request"), englishCount(frames, "frame"), englishCount(events, "event")].join(", ")}`,
    stepCounts: (step, summary, seconds, lanes) => `${step}: ${summary} in ${seconds} s (${lanes.join("; ")}).`,
    footer: (ran) => `${ran}. Recorded from the DevTools protocol of each tab and worker.`,
  },
};

// "step 01", "steps 01 and 02", "steps 01, 03 and 05".
function englishSteps(steps: string[]): string {
  return steps.length === 1 ? `step ${steps[0]}` : `steps ${steps.slice(0, -1).join(", ")} and ${steps.at(-1)}`;
}

// "1 event", "41 events".
function englishCount(value: number, noun: string): string {
  return `${formatCount(value)} ${noun}${value === 1 ? "" : "s"}`;
}
