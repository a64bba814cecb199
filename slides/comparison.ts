// The comparison slides come from the benchmark's latest report (bench/results/latest.md, written by
// `npm run bench`) and the load test's (load-latest.md), read anew on every page load. The deck never shows a figure
// nobody measured: without a report, the slide says how to produce one. A slide shows the picture that the benchmark
// drew from its results (bench/charts); the tables, too wide for a slide, are in the speaker notes.
// The Ukrainian deck shows the same figures with the prose and the table labels in Ukrainian (comparison-uk.ts).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TIMELINE_PAIRS, timelinePicture } from "../bench/charts/draw.ts";
import { RESULTS_DIR } from "../bench/results.ts";
import { UKRAINIAN_NO_RESULTS_YET, UKRAINIAN_WORDS, translateReportText, translateTableRow } from "./comparison-uk.ts";
import type { DeckLanguage } from "./language.ts";

export const BENCH_RESULTS_FILE = fileURLToPath(new URL("../bench/results/latest.md", import.meta.url));
export const LOAD_RESULTS_FILE = fileURLToPath(new URL("../bench/results/load-latest.md", import.meta.url));

export const NO_RESULTS_YET = `## Comparison: measured, not guessed

There are no measured figures in this checkout yet. To produce them:

1. Run \`npm run bench\`. It writes \`bench/results/latest.md\`.
2. Reload this page: the figures from that file appear here.

Note:
The deck reads bench/results/latest.md each time the page loads. Do not fill this slide with figures from
elsewhere: they depend on the machine, the number of tabs and the message rate, so only figures measured
with the course's own benchmark are comparable.`;

interface Words {
  glanceTitle?: string;
  timelineTitle: string;
  growthTitle: string;
  methodTitle: string;
  drawnBy: string;
  tablesInNotes: string;
  glanceAlt: string;
  timelineAlt(steps: string[]): string;
  // What to point at in each step's timeline, by step number.
  timelineNotes: Record<number, string>;
  growthAlt: string;
}

// The English slides take their first title from the report; the Ukrainian ones have it translated.
const ENGLISH_WORDS: Words = {
  timelineTitle: "What the Network panel shows, step by step",
  growthTitle: "How the cost grows with the number of clients",
  methodTitle: "How these figures were measured",
  drawnBy: "Drawn from bench/results by the benchmark.",
  tablesInNotes: " The tables are in the notes.",
  glanceAlt:
    "Bar charts, one bar per step: latency, requests, bytes per message, bytes in silence and connections held open",
  timelineAlt: (steps) =>
    `Steps ${steps.join(" and ")}, the same 30 seconds of chat: each tab's requests as bars, WebSocket frames as dots, events as ticks`,
  timelineNotes: {
    1: "Step 01: a request only when a message is sent, nothing in between.",
    2: "Step 02: a short bar for every poll, in every tab, whether anything happened or not.",
    3: "Step 03: long bars, each a request held until a message arrives, then a new one at once.",
    4: "Step 04: no HTTP requests, a dot for each WebSocket frame.",
    5: "Step 05: one bar for the whole time (the event stream), a tick for each event, a short POST for each message sent.",
    6: "Step 06: the tabs send nothing; each browser's shared worker carries the frames for all its tabs.",
  },
  growthAlt: "Line charts against the number of clients: server CPU per message, latency and messages delivered",
};

interface Language {
  noResults: string;
  words: Words;
  text: (text: string) => string;
  tableRow: (row: string) => string;
}

const LANGUAGES: Record<DeckLanguage, Language> = {
  en: { noResults: NO_RESULTS_YET, words: ENGLISH_WORDS, text: (text) => text, tableRow: (row) => row },
  uk: {
    noResults: UKRAINIAN_NO_RESULTS_YET,
    words: UKRAINIAN_WORDS,
    text: translateReportText,
    tableRow: translateTableRow,
  },
};

// Turns the benchmark's report into slides: the picture of its figures, with the tables in the speaker notes, then the
// pictures of its recorded traffic, two steps to a slide (`timelines`: which pairs were drawn), then the picture of the
// load test when there is one, then how the figures were measured.
export function comparisonSlides(
  report: string,
  loadReport?: string,
  timelines: TimelinePair[] = [],
  language: DeckLanguage = "en",
): string {
  const { words, text, tableRow } = LANGUAGES[language];
  const lines = report.split(/\r?\n/);
  const reportTitle = lines
    .find((line) => line.startsWith("# "))
    ?.slice(2)
    .trim();
  const title = words.glanceTitle ?? reportTitle ?? "Measured comparison";
  const tables = lines.filter((line) => line.trimStart().startsWith("|")).map(tableRow);
  const method = lines.filter((line) => !line.startsWith("# ") && !line.trimStart().startsWith("|"));
  const slides = [picture(words, title, "glance.svg", words.glanceAlt, tables)];
  for (const pair of timelines) {
    const steps = pair.steps.map((step) => String(step).padStart(2, "0"));
    const notes = pair.steps.map((step) => words.timelineNotes[step] ?? "");
    slides.push(picture(words, words.timelineTitle, pair.picture, words.timelineAlt(steps), [], notes));
  }
  if (loadReport !== undefined) {
    const loadTable = lastTable(loadReport).map(tableRow);
    slides.push(picture(words, words.growthTitle, "load-growth.svg", words.growthAlt, loadTable));
  }
  const measured = text(method.join("\n").trim());
  slides.push(`<!-- .slide: class="measured" -->\n## ${words.methodTitle}\n\n${measured}`);
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

// A slide that shows one of the benchmark's pictures; its figures, as tables, go to the speaker notes, after what
// the speaker points at in it.
function picture(
  words: Words,
  title: string,
  file: string,
  alt: string,
  tables: string[],
  pointers: string[] = [],
): string {
  const image = `<img class="chart" src="/results/${file}" alt="${alt}">`;
  const where = tables.length > 0 ? words.tablesInNotes : "";
  const source = `<p class="small">${words.drawnBy}${where}</p>`;
  const notes = [...pointers, ...(tables.length > 0 ? [tables.join("\n")] : [])];
  const notesPart = notes.length > 0 ? `\n\nNote:\n${notes.join("\n\n")}` : "";
  return `<!-- .slide: class="measured" -->\n## ${title}\n\n${image}\n\n${source}${notesPart}`;
}

export function comparisonMarkdown(language: DeckLanguage = "en"): string {
  if (!existsSync(BENCH_RESULTS_FILE)) {
    return LANGUAGES[language].noResults;
  }
  const loadReport = existsSync(LOAD_RESULTS_FILE) ? readFileSync(LOAD_RESULTS_FILE, "utf8") : undefined;
  return comparisonSlides(readFileSync(BENCH_RESULTS_FILE, "utf8"), loadReport, drawnTimelines(), language);
}

// A picture of two steps' traffic, drawn by the benchmark (bench/charts/timeline.ts) from what it records in the tabs.
export interface TimelinePair {
  picture: string;
  steps: number[];
}

// The pairs that `npm run bench` (or `npm run charts`) has drawn: none before the first run that recorded traffic.
function drawnTimelines(): TimelinePair[] {
  return TIMELINE_PAIRS.map((steps) => ({
    picture: timelinePicture(steps),
    steps: steps.map((step) => step.number),
  })).filter((pair) => existsSync(join(RESULTS_DIR, pair.picture)));
}
