// The course's pictures and the result files they are drawn from. `npm run bench` and `npm run load` redraw them after
// writing their results; `npm run charts` redraws them without measuring anything. Each picture is drawn in every
// language of the course, by the same code with another table of words: glance.svg in English, glance.uk.svg in
// Ukrainian (words.ts, words-uk.ts), for the Ukrainian READMEs and deck.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STEPS, type Step } from "../../tools/steps.ts";
import { RESULTS_DIR } from "../results.ts";
import { drawGlance, type BenchFile } from "./glance.ts";
import { drawGrowth, type LoadFile } from "./growth.ts";
import { drawStepTimelines, drawTimelines, type TimelineFile } from "./timeline.ts";
import { ENGLISH_WORDS, type ChartWords } from "./words.ts";
import { UKRAINIAN_WORDS } from "./words-uk.ts";

export const CHART_LANGUAGES = ["en", "uk"] as const;
export type ChartLanguage = (typeof CHART_LANGUAGES)[number];

const WORDS: Record<ChartLanguage, ChartWords> = { en: ENGLISH_WORDS, uk: UKRAINIAN_WORDS };

// The deck shows the timelines two steps to a slide (all six on one slide would be too small to read when projected).
export const TIMELINE_PAIRS = stepsInPairs();

// Each step's timeline alone, for its README, and the pairs for the deck.
const TIMELINES: Step[][] = [...STEPS.map((step) => [step]), ...TIMELINE_PAIRS];

// Each picture (its English name), the result file it is drawn from, and how, in a language's words (undefined: the
// file has nothing to draw it from).
const PICTURES: { picture: string; source: string; draw(json: unknown, words: ChartWords): string | undefined }[] = [
  { picture: "glance.svg", source: "latest.json", draw: (json, words) => drawGlance(json as BenchFile, words) },
  {
    picture: "timeline.svg",
    source: "latest.json",
    draw: (json, words) => drawTimelines(json as TimelineFile, words),
  },
  ...TIMELINES.map((steps) => ({
    picture: timelinePicture(steps),
    source: "latest.json",
    draw: (json: unknown, words: ChartWords) => drawStepTimelines(json as TimelineFile, steps, words),
  })),
  {
    picture: "load-growth.svg",
    source: "load-latest.json",
    draw: (json, words) => drawGrowth(json as LoadFile, words),
  },
];

export interface Chart {
  // The file in bench/results: "glance.svg", "glance.uk.svg".
  picture: string;
  language: ChartLanguage;
  source: string;
  draw(json: unknown): string | undefined;
}

// Every picture in every language, each language's beside the other: glance.svg, glance.uk.svg, timeline.svg, …
export const CHARTS: Chart[] = PICTURES.flatMap((chart) =>
  CHART_LANGUAGES.map((language) => ({
    picture: pictureIn(language, chart.picture),
    language,
    source: chart.source,
    draw: (json: unknown) => chart.draw(json, WORDS[language]),
  })),
);

export function drawCharts(): string[] {
  const written: string[] = [];
  for (const chart of CHARTS) {
    const source = join(RESULTS_DIR, chart.source);
    if (!existsSync(source)) {
      continue;
    }
    const picture = chart.draw(JSON.parse(readFileSync(source, "utf8")));
    if (picture === undefined) {
      continue;
    }
    const path = join(RESULTS_DIR, chart.picture);
    writeFileSync(`${path}.tmp`, picture);
    renameSync(`${path}.tmp`, path);
    written.push(`bench/results/${chart.picture}`);
  }
  return written;
}

// The steps two by two, in the order of the course: 01 and 02, 03 and 04, 05 and 06.
function stepsInPairs(): Step[][] {
  const pairs: Step[][] = [];
  for (let first = 0; first < STEPS.length; first += 2) {
    pairs.push(STEPS.slice(first, first + 2));
  }
  return pairs;
}

// A picture's file in a language: "glance.svg" in English is "glance.uk.svg" in Ukrainian.
export function pictureIn(language: ChartLanguage, picture: string): string {
  return language === "en" ? picture : picture.replace(/\.svg$/, `.${language}.svg`);
}

// "timeline-02.svg" for one step, "timeline-01-02.svg" for a pair.
export function timelinePicture(steps: Step[]): string {
  return `timeline-${steps.map((step) => step.folder.slice(0, 2)).join("-")}.svg`;
}
