// The comparison slides come from the benchmark's latest report (bench/results/latest.md, written by
// `npm run bench`) and the load test's (load-latest.md), read anew on every page load. The deck never shows a figure
// nobody measured: without a report, the slide says how to produce one. A slide shows the picture that the benchmark
// drew from its results (bench/charts); the tables, too wide for a slide, are in the speaker notes.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BENCH_RESULTS_FILE = fileURLToPath(new URL("../bench/results/latest.md", import.meta.url));
// Drawn by `npm run bench` from the traffic it records in the tabs (bench/charts/timeline.ts).
const TIMELINE_FILE = fileURLToPath(new URL("../bench/results/timeline.svg", import.meta.url));
export const LOAD_RESULTS_FILE = fileURLToPath(new URL("../bench/results/load-latest.md", import.meta.url));

export const NO_RESULTS_YET = `## Comparison: measured, not guessed

There are no measured figures in this checkout yet. To produce them:

1. Run \`npm run bench\`. It writes \`bench/results/latest.md\`.
2. Reload this page: the figures from that file appear here.

Note:
The deck reads bench/results/latest.md each time the page loads. Do not fill this slide with figures from
elsewhere: they depend on the machine, the number of tabs and the message rate, so only figures measured
with the course's own benchmark are comparable.`;

// Turns the benchmark's report into slides: the picture of its figures, with the tables in the speaker notes, then the
// picture of the load test when there is one, then how the figures were measured.
export function comparisonSlides(report: string, loadReport?: string, withTimeline = false): string {
  const lines = report.split(/\r?\n/);
  const title =
    lines
      .find((line) => line.startsWith("# "))
      ?.slice(2)
      .trim() ?? "Measured comparison";
  const tables = lines.filter((line) => line.trimStart().startsWith("|"));
  const method = lines.filter((line) => !line.startsWith("# ") && !line.trimStart().startsWith("|"));
  const slides = [picture(title, "glance.svg", GLANCE_ALT, tables)];
  if (withTimeline) {
    slides.push(picture("What the Network panel shows, step by step", "timeline.svg", TIMELINE_ALT, []));
  }
  if (loadReport !== undefined) {
    slides.push(
      picture("How the cost grows with the number of clients", "load-growth.svg", GROWTH_ALT, lastTable(loadReport)),
    );
  }
  slides.push(`<!-- .slide: class="measured" -->\n## How these figures were measured\n\n${method.join("\n").trim()}`);
  return slides.join("\n\n--\n\n");
}

// The load test writes one table per number of clients. A printed notes page holds one, so the notes show the last
// (the most clients); the others are in bench/results/load-latest.md.
function lastTable(report: string): string[] {
  const tables: string[][] = [];
  let previousWasTable = false;
  for (const line of report.split(/\r?\n/)) {
    const isTable = line.trimStart().startsWith("|");
    if (isTable && !previousWasTable) {
      tables.push([]);
    }
    if (isTable) {
      tables.at(-1)?.push(line);
    }
    previousWasTable = isTable;
  }
  return tables.at(-1) ?? [];
}

const GLANCE_ALT =
  "Bar charts, one bar per step: latency, requests, bytes per message, bytes in silence and connections held open";
const TIMELINE_ALT =
  "For each step, the same 30 seconds of chat: each tab's requests as bars, WebSocket frames as dots, events as ticks";
const GROWTH_ALT = "Line charts against the number of clients: server CPU per message, latency and messages delivered";

// A slide that shows one of the benchmark's pictures; its figures, as tables, go to the speaker notes.
function picture(title: string, file: string, alt: string, tables: string[]): string {
  const image = `<img class="chart" src="/results/${file}" alt="${alt}">`;
  const hasTables = tables.length > 0;
  const where = hasTables ? " The tables are in the notes." : "";
  const source = `<p class="small">Drawn from bench/results by the benchmark.${where}</p>`;
  const notes = hasTables ? `\n\nNote:\n${tables.join("\n")}` : "";
  return `<!-- .slide: class="measured" -->\n## ${title}\n\n${image}\n\n${source}${notes}`;
}

export function comparisonMarkdown(): string {
  if (!existsSync(BENCH_RESULTS_FILE)) {
    return NO_RESULTS_YET;
  }
  const loadReport = existsSync(LOAD_RESULTS_FILE) ? readFileSync(LOAD_RESULTS_FILE, "utf8") : undefined;
  return comparisonSlides(readFileSync(BENCH_RESULTS_FILE, "utf8"), loadReport, existsSync(TIMELINE_FILE));
}
