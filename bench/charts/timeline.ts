// "A traffic timeline per step": the picture of DevTools' Network panel during the same 30 s of the same
// conversation in every step. Time runs across; each tab (and each shared worker of step 06) has a lane. An HTTP
// request is a bar from its start to its end, a WebSocket frame a dot on its lane (filled: received, hollow: sent),
// a Server-Sent Event a tick on its stream's bar; a dotted line marks each message sent. Drawn from
// bench/results/latest.json, where `npm run bench` records it (bench/network-recorder.ts).
import { formatCount } from "../../tools/report.ts";
import { GRID_COLOUR, line, round, stepColour, stepLabel, svgDocument, text, WIDTH } from "./svg.ts";

// What the benchmark records of one step: times in ms from the window's start; `end: null` is still open at its end.
export interface Timeline {
  windowMs: number;
  sends: number[];
  lanes: {
    label: string;
    requests: { start: number; end: number | null; method: string }[];
    frames: { at: number; sent: boolean }[];
    events: number[];
  }[];
}

export interface TimelineStep {
  step: number;
  title: string;
  timeline?: Timeline;
}

export interface TimelineFile {
  date: string;
  command: string;
  machine: { cpu: string; cores: number };
  results: TimelineStep[];
}

const MARGIN = 24;
const LABEL_WIDTH = 200;
const PLOT_LEFT = MARGIN + LABEL_WIDTH;
const PLOT_WIDTH = WIDTH - PLOT_LEFT - MARGIN;
const LANE_HEIGHT = 22;
const STRIP_HEADER = 34;
const STRIP_GAP = 14;
const AXIS_HEIGHT = 34;
const TITLE_HEIGHT = 96;
const FOOTER_HEIGHT = 30;
const SECONDS_PER_TICK = 5;
// A request shorter than this is drawn taller than the requests held open, so it shows over them.
const SHORT_REQUEST_MS = 1000;

// Every step's strip on one page, on the same time scale. Undefined when the file has no timeline.
export function drawTimelines(file: TimelineFile): string | undefined {
  const steps = file.results.filter((result) => result.timeline !== undefined);
  if (steps.length === 0) {
    return undefined;
  }
  const title = "What the Network panel shows: the same 30 s of the same chat in every step";
  return page(file, title, steps);
}

// Some steps' strips alone, on the same time scale: one step for its README, two for a slide of the deck (all six on
// one slide would be too small to read). Undefined when the file has a timeline for none of them.
export function drawStepTimelines(file: TimelineFile, steps: { number: number }[]): string | undefined {
  const numbers = steps.map((step) => step.number);
  const results = file.results.filter((result) => numbers.includes(result.step) && result.timeline !== undefined);
  if (results.length === 0) {
    return undefined;
  }
  const shown = results.map((result) => String(result.step).padStart(2, "0"));
  const which = shown.length === 1 ? `step ${shown[0]}` : `steps ${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
  return page(file, `What the Network panel shows in ${which}, for 30 s of chat`, results);
}

function page(file: TimelineFile, title: string, steps: TimelineStep[]): string {
  const subtitle =
    "A bar is an HTTP request from start to end; a dot a WebSocket frame (filled: received, hollow: sent); a tick a Server-Sent Event; a dotted line a message sent.";
  const body = [text(MARGIN, 36, title, { size: 26, weight: "bold" }), text(MARGIN, 64, subtitle, { size: 15 })];
  let top = TITLE_HEIGHT;
  for (const result of steps) {
    body.push(...strip(result, top));
    top += stripHeight(result) + STRIP_GAP;
  }
  const windowMs = steps[0]?.timeline?.windowMs ?? 0;
  body.push(...axis(top, windowMs));
  const footer = `${file.command}, ${file.date.slice(0, 10)}, ${file.machine.cpu}, ${file.machine.cores} cores. Recorded from the DevTools protocol of each tab and worker.`;
  body.push(text(MARGIN, top + AXIS_HEIGHT + 20, footer, { size: 14 }));
  return svgDocument(title, describe(file, steps), body, top + AXIS_HEIGHT + FOOTER_HEIGHT);
}

function stripHeight(result: TimelineStep): number {
  return STRIP_HEADER + (result.timeline?.lanes.length ?? 0) * LANE_HEIGHT;
}

function strip(result: TimelineStep, top: number): string[] {
  const timeline = result.timeline as Timeline;
  const colour = stepColour(result.step);
  const x = (ms: number): number => PLOT_LEFT + (ms / timeline.windowMs) * PLOT_WIDTH;
  const bottom = top + stripHeight(result);
  const parts = [
    text(MARGIN, top + 22, `${stepLabel(result.step, result.title)}: ${summary(timeline)}`, {
      size: 17,
      weight: "bold",
    }),
  ];
  for (const at of timeline.sends) {
    parts.push(
      `<line x1="${round(x(at))}" y1="${top + STRIP_HEADER - 4}" x2="${round(x(at))}" y2="${bottom}" stroke="#555" stroke-width="1" stroke-dasharray="2 3"/>`,
    );
  }
  timeline.lanes.forEach((lane, index) => {
    const middle = top + STRIP_HEADER + index * LANE_HEIGHT + LANE_HEIGHT / 2;
    parts.push(text(MARGIN + 8, middle + 5, lane.label, { size: 14 }));
    parts.push(line(PLOT_LEFT, middle, PLOT_LEFT + PLOT_WIDTH, middle, GRID_COLOUR));
    // Long requests first, so the short ones (a POST while an event stream is open) are drawn over them, taller.
    const byLength = [...lane.requests].sort((a, b) => duration(b, timeline) - duration(a, timeline));
    for (const request of byLength) {
      const height = duration(request, timeline) < SHORT_REQUEST_MS ? 16 : 10;
      const end = x(request.end ?? timeline.windowMs);
      parts.push(
        `<rect x="${round(x(request.start))}" y="${middle - height / 2}" width="${round(Math.max(3, end - x(request.start)))}" height="${height}" fill="${colour}" stroke="#ffffff" stroke-width="1"/>`,
      );
    }
    for (const at of lane.events) {
      parts.push(
        `<line x1="${round(x(at))}" y1="${middle - 9}" x2="${round(x(at))}" y2="${middle + 9}" stroke="#1a1a1a" stroke-width="2"/>`,
      );
    }
    // Received frames first, so the frames a tab sent (hollow) stay visible where both happen at once.
    const frames = [...lane.frames].sort((a, b) => Number(a.sent) - Number(b.sent));
    for (const frame of frames) {
      const fill = frame.sent ? "#ffffff" : colour;
      parts.push(
        `<circle cx="${round(x(frame.at))}" cy="${middle}" r="4" fill="${fill}" stroke="${colour}" stroke-width="2"/>`,
      );
    }
  });
  return parts;
}

function duration(request: Timeline["lanes"][number]["requests"][number], timeline: Timeline): number {
  return (request.end ?? timeline.windowMs) - request.start;
}

function axis(top: number, windowMs: number): string[] {
  const parts = [line(PLOT_LEFT, top, PLOT_LEFT + PLOT_WIDTH, top, "#1a1a1a")];
  for (let second = 0; second * 1000 <= windowMs; second += SECONDS_PER_TICK) {
    const x = PLOT_LEFT + ((second * 1000) / windowMs) * PLOT_WIDTH;
    parts.push(line(x, top, x, top + 6, "#1a1a1a"));
    parts.push(text(x, top + 24, `${second} s`, { size: 15, anchor: "middle" }));
  }
  return parts;
}

// "41 requests, 0 frames, 0 events": what the strip holds, in words.
function summary(timeline: Timeline): string {
  const count = (pick: (lane: Timeline["lanes"][number]) => unknown[]): number =>
    timeline.lanes.reduce((sum, lane) => sum + pick(lane).length, 0);
  const figures = [
    [count((lane) => lane.requests), "HTTP request"],
    [count((lane) => lane.frames), "WebSocket frame"],
    [count((lane) => lane.events), "event"],
  ] as const;
  return figures.map(([value, noun]) => `${formatCount(value)} ${noun}${value === 1 ? "" : "s"}`).join(", ");
}

// The text alternative: each step's counts, lane by lane.
function describe(file: TimelineFile, steps: TimelineStep[]): string {
  const parts = steps.map((result) => {
    const timeline = result.timeline as Timeline;
    const lanes = timeline.lanes.map(
      (lane) =>
        `${lane.label} ${lane.requests.length} requests, ${lane.frames.length} frames, ${lane.events.length} events`,
    );
    return `${stepLabel(result.step, result.title)}: ${summary(timeline)} in ${timeline.windowMs / 1000} s (${lanes.join("; ")}).`;
  });
  return [`Recorded with ${file.command} on ${file.date.slice(0, 10)}.`, ...parts].join(" ");
}
