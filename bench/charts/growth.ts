// "How cost grows": the load test's figures against the number of clients, one line per step and a dashed line for
// the bare server of the same protocol: where each technique bends on this machine. Drawn from
// bench/results/load-latest.json; with --repeat, each point is the median of the runs.
import { formatCount, formatMs, percentile } from "../../tools/report.ts";
import { GRID_COLOUR, HEIGHT, line, rect, round, stepColour, svgDocument, text, TEXT_COLOUR, WIDTH } from "./svg.ts";
import type { ChartWords, GrowthWords } from "./words.ts";

// The parts of a `npm run load` result file that the picture shows.
export interface LoadFile {
  date: string;
  command: string;
  machine: { cpu: string; cores: number };
  parameters: { messages: number; rate: number };
  runs: LoadRun[];
}

interface LoadRun {
  label: string;
  step: number | null;
  // Which baseline a run with no step was ("bare" or "express"); result files written before the minimal Express
  // baseline have only bare ones, without this field.
  baseline?: string | null;
  protocol: string;
  clients: number;
  expected: number;
  delivered: number;
  latencyMs: { p99: number };
  cpuMicrosPerDelivery: number;
}

interface Series {
  label: string;
  colour: string;
  baseline: boolean;
  points: { clients: number; runs: LoadRun[] }[];
}

interface Panel {
  // Which of the language's panel titles it has.
  name: keyof GrowthWords["panels"];
  logScale: boolean;
  value(run: LoadRun): number;
  format(value: number): string;
  // How the marks on the axis are written.
  tick(value: number): string;
}

const PANELS: Panel[] = [
  {
    name: "cpu",
    logScale: false,
    value: (run) => run.cpuMicrosPerDelivery,
    format: (value) => `${formatCount(value, value < 10 ? 1 : 0)} µs`,
    tick: (value) => `${formatCount(value)} µs`,
  },
  {
    name: "latencyP99",
    logScale: true,
    value: (run) => run.latencyMs.p99,
    format: formatMs,
    tick: (value) => (value >= 1000 ? `${value / 1000} s` : `${value} ms`),
  },
  {
    name: "delivered",
    logScale: false,
    value: (run) => (100 * run.delivered) / run.expected,
    format: (value) => `${formatCount(value, value < 100 ? 1 : 0)} %`,
    tick: (value) => `${formatCount(value)} %`,
  },
];

const MARGIN = 24;
const PLOT_TOP = 200;
const PLOT_BOTTOM = HEIGHT - 90;
const AXIS_LEFT = 70;
const PANEL_GAP = 40;

export function drawGrowth(file: LoadFile, words: ChartWords): string {
  const series = groupSeries(file.runs);
  const clients = [...new Set(file.runs.map((run) => run.clients))].sort((a, b) => a - b);
  const title = words.growth.title;
  const subtitle = words.growth.subtitle(file.parameters.messages, file.parameters.rate);
  const ran = words.ran(file.command, file.date.slice(0, 10), file.machine.cpu, file.machine.cores);
  const body = [
    text(MARGIN, 40, title, { size: 28, weight: "bold" }),
    text(MARGIN, 68, subtitle, { size: 16 }),
    ...legend(series, words),
    ...PANELS.flatMap((panel, index) => drawPanel(panel, index, series, clients, words)),
    text(MARGIN, HEIGHT - 12, words.growth.footer(ran), { size: 16 }),
  ];
  return svgDocument(title, describe(file, series, words), body);
}

// One series per label (a step, or a bare baseline), coloured like the step it is compared with. The minimal Express
// baselines are left out: a third line per protocol would crowd the picture, and the table has their figures.
function groupSeries(allRuns: LoadRun[]): Series[] {
  const runs = allRuns.filter((run) => run.baseline !== "express");
  const colourOfProtocol = new Map<string, string>();
  for (const run of runs) {
    if (run.step !== null && !colourOfProtocol.has(run.protocol)) {
      colourOfProtocol.set(run.protocol, stepColour(run.step));
    }
  }
  const byLabel = new Map<string, Series>();
  for (const run of runs) {
    const colour = run.step === null ? (colourOfProtocol.get(run.protocol) ?? TEXT_COLOUR) : stepColour(run.step);
    const series = byLabel.get(run.label) ?? { label: run.label, colour, baseline: run.step === null, points: [] };
    byLabel.set(run.label, series);
    const point = series.points.find((candidate) => candidate.clients === run.clients);
    if (point) {
      point.runs.push(run);
    } else {
      series.points.push({ clients: run.clients, runs: [run] });
    }
  }
  return [...byLabel.values()].sort((a, b) => Number(a.baseline) - Number(b.baseline));
}

function legend(series: Series[], words: ChartWords): string[] {
  const steps = series.filter((entry) => !entry.baseline);
  const perRow = Math.ceil(steps.length / 2);
  return steps.flatMap((entry, index) => {
    const x = MARGIN + (index % perRow) * ((WIDTH - 2 * MARGIN) / perRow);
    const y = 92 + Math.floor(index / perRow) * 24;
    return [rect(x, y, 16, 16, entry.colour), text(x + 22, y + 14, words.runLabel(entry.label), { size: 16 })];
  });
}

function drawPanel(panel: Panel, index: number, series: Series[], clients: number[], words: ChartWords): string[] {
  const width = (WIDTH - 2 * MARGIN - (PANELS.length - 1) * PANEL_GAP) / PANELS.length;
  const left = MARGIN + index * (width + PANEL_GAP);
  const plotLeft = left + AXIS_LEFT;
  const plotWidth = width - AXIS_LEFT - 10;
  const values = series.flatMap((entry) => entry.points.map((point) => median(point.runs.map(panel.value))));
  const scaleY = yScale(panel.logScale, Math.min(...values), Math.max(...values));
  // Clients on a log scale, so that 100 and 10,000 both have room.
  const [fewest = 1, most = 1] = [clients[0], clients.at(-1)];
  const x = (count: number): number =>
    fewest === most
      ? plotLeft + plotWidth / 2
      : plotLeft + ((Math.log10(count) - Math.log10(fewest)) / (Math.log10(most) - Math.log10(fewest))) * plotWidth;
  const parts = [text(left, PLOT_TOP - 20, words.growth.panels[panel.name], { size: 18, weight: "bold" })];
  for (const tick of scaleY.ticks) {
    const y = scaleY.position(tick);
    parts.push(line(plotLeft, y, plotLeft + plotWidth, y, GRID_COLOUR));
    parts.push(text(plotLeft - 8, y + 6, panel.tick(tick), { size: 16, anchor: "end" }));
  }
  for (const count of clients) {
    parts.push(text(x(count), PLOT_BOTTOM + 24, formatCount(count), { size: 16, anchor: "middle" }));
  }
  parts.push(
    text(plotLeft + plotWidth / 2, PLOT_BOTTOM + 48, words.growth.clientsAxis, { size: 16, anchor: "middle" }),
  );
  for (const entry of series) {
    const points = entry.points
      .map((point) => ({ x: x(point.clients), y: scaleY.position(median(point.runs.map(panel.value))) }))
      .sort((a, b) => a.x - b.x);
    const path = points.map((point) => `${round(point.x)},${round(point.y)}`).join(" ");
    const dash = entry.baseline ? ` stroke-dasharray="8 6"` : "";
    parts.push(`<polyline points="${path}" fill="none" stroke="${entry.colour}" stroke-width="3"${dash}/>`);
    for (const point of points) {
      parts.push(`<circle cx="${round(point.x)}" cy="${round(point.y)}" r="4" fill="${entry.colour}"/>`);
    }
  }
  return parts;
}

interface Scale {
  ticks: number[];
  position(value: number): number;
}

// A linear scale from 0, or a log scale over whole powers of ten, with its ticks.
function yScale(logScale: boolean, smallest: number, largest: number): Scale {
  const height = PLOT_BOTTOM - PLOT_TOP;
  if (logScale) {
    const low = Math.floor(Math.log10(Math.max(smallest, 0.1)));
    const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(largest, 0.1))));
    const ticks = Array.from({ length: high - low + 1 }, (_, power) => 10 ** (low + power));
    const position = (value: number): number =>
      PLOT_BOTTOM - ((Math.log10(Math.max(value, 10 ** low)) - low) / (high - low)) * height;
    return { ticks, position };
  }
  const step = niceStep(largest / 4);
  const top = Math.max(step, Math.ceil(largest / step) * step);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  return { ticks, position: (value) => PLOT_BOTTOM - (value / top) * height };
}

// 1, 2 or 5 times a power of ten: tick marks a reader can count with.
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, Number.MIN_VALUE)));
  const multiple = [1, 2, 5, 10].find((candidate) => candidate * power >= rough) ?? 10;
  return multiple * power;
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

// The text alternative: every point of every line.
function describe(file: LoadFile, series: Series[], words: ChartWords): string {
  const lines = series.map((entry) => {
    const points = entry.points.map((point) => {
      const figures = PANELS.map(
        (panel) => `${words.growth.panels[panel.name]} ${panel.format(median(point.runs.map(panel.value)))}`,
      );
      // A panel's name may hold a comma ("Latency, 99th percentile"): the figures are apart by semicolons.
      return `${words.growth.clients(point.clients)}: ${figures.join("; ")}.`;
    });
    return `${words.runLabel(entry.label)}. ${points.join(" ")}`;
  });
  return [words.measured(file.command, file.date.slice(0, 10)), ...lines].join(" ");
}
