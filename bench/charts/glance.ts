// "The comparison at a glance": the benchmark's main figures as small multiples, one bar per step in each, with the
// value written on the bar and the command, date and machine underneath. Drawn from bench/results/latest.json.
import { formatBytes, formatCount, formatMs } from "../../tools/report.ts";
import { HEIGHT, rect, stepColour, stepLabel, svgDocument, text, WIDTH } from "./svg.ts";
import type { ChartWords, GlanceWords } from "./words.ts";

// The parts of a `npm run bench` result file that the picture shows.
export interface BenchFile {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; chromium?: string };
  parameters: { users: { name: string; tabs: number }[]; messages: number; idleMs: number };
  results: BenchStep[];
}

interface Traffic {
  requests: number;
  openConnections: number;
  bytesIn: number;
  bytesOut: number;
}

interface BenchStep {
  step: number;
  title: string;
  latencyMs: { p50: number; p95: number } | null;
  conversation: Traffic;
  idle: Traffic;
  bytesPerDelivered: number | null;
}

interface Panel {
  // Which of the language's panel titles it has.
  name: keyof GlanceWords["panels"];
  value(result: BenchStep, file: BenchFile): number | null;
  format(value: number): string;
}

const PANELS: Panel[] = [
  { name: "latencyMedian", value: (result) => result.latencyMs?.p50 ?? null, format: formatMs },
  { name: "latencyP95", value: (result) => result.latencyMs?.p95 ?? null, format: formatMs },
  {
    name: "requests",
    value: (result) => result.conversation.requests,
    format: (value) => formatCount(value),
  },
  { name: "bytesPerMessage", value: (result) => result.bytesPerDelivered, format: formatBytes },
  {
    name: "bytesPerMinuteOfSilence",
    value: (result, file) => ((result.idle.bytesIn + result.idle.bytesOut) * 60_000) / file.parameters.idleMs,
    format: formatBytes,
  },
  {
    name: "connections",
    value: (result) => result.idle.openConnections,
    format: (value) => formatCount(value),
  },
];

const MARGIN = 24;
const COLUMNS = 3;
const PANELS_TOP = 150;
const PANELS_BOTTOM = HEIGHT - 40;
const PANEL_GAP = 28;
const LABEL_WIDTH = 34;
const VALUE_WIDTH = 96;

export function drawGlance(file: BenchFile, words: ChartWords): string {
  const tabs = file.parameters.users.reduce((sum, user) => sum + user.tabs, 0);
  const users = file.parameters.users.map((user) => words.glance.user(user.name, user.tabs));
  const title = words.glance.title;
  const subtitle = words.glance.subtitle(users, file.parameters.messages, file.parameters.idleMs / 1000);
  const body = [
    text(MARGIN, 40, title, { size: 28, weight: "bold" }),
    text(MARGIN, 68, subtitle, { size: 16 }),
    ...legend(file.results, words),
    ...PANELS.flatMap((panel, index) => drawPanel(panel, index, file, words)),
    text(MARGIN, HEIGHT - 12, footer(file, tabs, words), { size: 16 }),
  ];
  return svgDocument(title, describe(file, words), body);
}

// Which colour is which step, in two rows above the panels.
function legend(results: BenchStep[], words: ChartWords): string[] {
  const perRow = Math.ceil(results.length / 2);
  return results.flatMap((result, index) => {
    const x = MARGIN + (index % perRow) * ((WIDTH - 2 * MARGIN) / perRow);
    const y = 92 + Math.floor(index / perRow) * 24;
    return [
      rect(x, y, 16, 16, stepColour(result.step)),
      text(x + 22, y + 14, stepLabel(result.step, words.stepTitle(result.title)), { size: 16 }),
    ];
  });
}

function drawPanel(panel: Panel, index: number, file: BenchFile, words: ChartWords): string[] {
  const rows = Math.ceil(PANELS.length / COLUMNS);
  const width = (WIDTH - 2 * MARGIN - (COLUMNS - 1) * PANEL_GAP) / COLUMNS;
  const height = (PANELS_BOTTOM - PANELS_TOP - (rows - 1) * PANEL_GAP) / rows;
  const left = MARGIN + (index % COLUMNS) * (width + PANEL_GAP);
  const top = PANELS_TOP + Math.floor(index / COLUMNS) * (height + PANEL_GAP);
  const values = file.results.map((result) => panel.value(result, file));
  const largest = Math.max(...values.map((value) => value ?? 0), Number.MIN_VALUE);
  const barSpace = width - LABEL_WIDTH - VALUE_WIDTH;
  const rowHeight = (height - 30) / file.results.length;
  const parts = [text(left, top + 18, words.glance.panels[panel.name], { size: 18, weight: "bold" })];
  file.results.forEach((result, row) => {
    const y = top + 30 + row * rowHeight;
    const value = values[row] ?? null;
    parts.push(text(left, y + rowHeight * 0.62, String(result.step).padStart(2, "0"), { size: 16 }));
    if (value === null) {
      parts.push(text(left + LABEL_WIDTH, y + rowHeight * 0.62, words.glance.needsReload, { size: 16 }));
      return;
    }
    const barWidth = (value / largest) * barSpace;
    parts.push(rect(left + LABEL_WIDTH, y + 4, Math.max(barWidth, 1), rowHeight - 8, stepColour(result.step)));
    parts.push(text(left + LABEL_WIDTH + barWidth + 6, y + rowHeight * 0.62, panel.format(value), { size: 16 }));
  });
  return parts;
}

function footer(file: BenchFile, tabs: number, words: ChartWords): string {
  const browser = file.machine.chromium ? `, Chromium ${file.machine.chromium.split(".")[0]}` : "";
  const ran = words.ran(file.command, file.date.slice(0, 10), file.machine.cpu, file.machine.cores);
  return words.glance.footer(`${ran}${browser}`, tabs);
}

// The text alternative: every figure of the picture, step by step.
function describe(file: BenchFile, words: ChartWords): string {
  const steps = file.results.map((result) => {
    const figures = PANELS.map((panel) => {
      const value = panel.value(result, file);
      const figure = value === null ? words.glance.notAvailable : panel.format(value);
      return `${words.glance.panels[panel.name]} ${figure}`;
    });
    // A panel's name may hold a comma ("Latency, median"): the figures are apart by semicolons.
    return `${stepLabel(result.step, words.stepTitle(result.title))}: ${figures.join("; ")}.`;
  });
  return [words.measured(file.command, file.date.slice(0, 10)), ...steps].join(" ");
}
