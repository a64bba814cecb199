// "A traffic timeline per step": the picture of DevTools' Network panel during the same 30 s of the same
// conversation in every step. Time runs across; each tab (and each shared worker of step 06) has a lane. An HTTP
// request is a bar from its start to its end, a WebSocket frame a dot on its lane (filled: received, hollow: sent),
// a Server-Sent Event a tick on its stream's bar; a dotted line marks each message sent. Drawn from
// bench/results/latest.json, where `npm run bench` records it (bench/network-recorder.ts).
import { GRID_COLOUR, line, round, stepColour, stepLabel, svgDocument, text, WIDTH } from "./svg.ts";
import type { ChartWords } from "./words.ts";

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
// The key under the title takes one line in English; a language that runs longer may take two, and the second still
// fits above the first strip.
const KEY_LINE_HEIGHT = 18;
const FOOTER_HEIGHT = 30;
const SECONDS_PER_TICK = 5;
// A request shorter than this is drawn taller than the requests held open, so it shows over them.
const SHORT_REQUEST_MS = 1000;

// Every step's strip on one page, on the same time scale. Undefined when the file has no timeline.
export function drawTimelines(file: TimelineFile, words: ChartWords): string | undefined {
  const steps = file.results.filter((result) => result.timeline !== undefined);
  if (steps.length === 0) {
    return undefined;
  }
  return page(file, words.timeline.everyStepTitle, steps, words);
}

// Some steps' strips alone, on the same time scale: one step for its README, two for a slide of the deck (all six on
// one slide would be too small to read). Undefined when the file has a timeline for none of them.
export function drawStepTimelines(
  file: TimelineFile,
  steps: { number: number }[],
  words: ChartWords,
): string | undefined {
  const numbers = steps.map((step) => step.number);
  const results = file.results.filter((result) => numbers.includes(result.step) && result.timeline !== undefined);
  if (results.length === 0) {
    return undefined;
  }
  const shown = results.map((result) => String(result.step).padStart(2, "0"));
  return page(file, words.timeline.stepsTitle(shown), results, words);
}

function page(file: TimelineFile, title: string, steps: TimelineStep[], words: ChartWords): string {
  const body = [text(MARGIN, 36, title, { size: 26, weight: "bold" })];
  words.timeline.key.forEach((keyLine, index) => {
    body.push(text(MARGIN, 64 + index * KEY_LINE_HEIGHT, keyLine, { size: 15 }));
  });
  let top = TITLE_HEIGHT;
  for (const result of steps) {
    body.push(...strip(result, top, words));
    top += stripHeight(result) + STRIP_GAP;
  }
  const windowMs = steps[0]?.timeline?.windowMs ?? 0;
  body.push(...axis(top, windowMs));
  const ran = words.ran(file.command, file.date.slice(0, 10), file.machine.cpu, file.machine.cores);
  body.push(text(MARGIN, top + AXIS_HEIGHT + 20, words.timeline.footer(ran), { size: 14 }));
  return svgDocument(title, describe(file, steps, words), body, top + AXIS_HEIGHT + FOOTER_HEIGHT);
}

function stripHeight(result: TimelineStep): number {
  return STRIP_HEADER + (result.timeline?.lanes.length ?? 0) * LANE_HEIGHT;
}

function strip(result: TimelineStep, top: number, words: ChartWords): string[] {
  const timeline = result.timeline as Timeline;
  const colour = stepColour(result.step);
  const x = (ms: number): number => PLOT_LEFT + (ms / timeline.windowMs) * PLOT_WIDTH;
  const bottom = top + stripHeight(result);
  const parts = [
    text(MARGIN, top + 22, `${stepLabel(result.step, words.stepTitle(result.title))}: ${summary(timeline, words)}`, {
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
    parts.push(text(MARGIN + 8, middle + 5, words.timeline.lane(lane.label), { size: 14 }));
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

// "41 HTTP requests, 0 WebSocket frames, 0 events": what the strip holds, in words.
function summary(timeline: Timeline, words: ChartWords): string {
  const count = (pick: (lane: Timeline["lanes"][number]) => unknown[]): number =>
    timeline.lanes.reduce((sum, lane) => sum + pick(lane).length, 0);
  return words.timeline.summary(
    count((lane) => lane.requests),
    count((lane) => lane.frames),
    count((lane) => lane.events),
  );
}

// The text alternative: each step's counts, lane by lane.
function describe(file: TimelineFile, steps: TimelineStep[], words: ChartWords): string {
  const parts = steps.map((result) => {
    const timeline = result.timeline as Timeline;
    const lanes = timeline.lanes.map((lane) =>
      words.timeline.laneCounts(
        words.timeline.lane(lane.label),
        lane.requests.length,
        lane.frames.length,
        lane.events.length,
      ),
    );
    const step = stepLabel(result.step, words.stepTitle(result.title));
    return words.timeline.stepCounts(step, summary(timeline, words), timeline.windowMs / 1000, lanes);
  });
  return [words.timeline.recorded(file.command, file.date.slice(0, 10)), ...parts].join(" ");
}
