// The course's pictures and the result files they are drawn from. `npm run bench` and `npm run load` redraw them after
// writing their results; `npm run charts` redraws them without measuring anything.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STEPS, type Step } from "../../tools/steps.ts";
import { RESULTS_DIR } from "../results.ts";
import { drawGlance, type BenchFile } from "./glance.ts";
import { drawGrowth, type LoadFile } from "./growth.ts";
import { drawStepTimelines, drawTimelines, type TimelineFile } from "./timeline.ts";

// The deck shows the timelines two steps to a slide (all six on one slide would be too small to read when projected).
export const TIMELINE_PAIRS = stepsInPairs();

// Each step's timeline alone, for its README, and the pairs for the deck.
const TIMELINES: Step[][] = [...STEPS.map((step) => [step]), ...TIMELINE_PAIRS];

// Each picture, the result file it is drawn from, and how (undefined: the file has nothing to draw it from).
export const CHARTS: { picture: string; source: string; draw(json: unknown): string | undefined }[] = [
  { picture: "glance.svg", source: "latest.json", draw: (json) => drawGlance(json as BenchFile) },
  { picture: "timeline.svg", source: "latest.json", draw: (json) => drawTimelines(json as TimelineFile) },
  ...TIMELINES.map((steps) => ({
    picture: timelinePicture(steps),
    source: "latest.json",
    draw: (json: unknown) => drawStepTimelines(json as TimelineFile, steps),
  })),
  { picture: "load-growth.svg", source: "load-latest.json", draw: (json) => drawGrowth(json as LoadFile) },
];

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

// "timeline-02.svg" for one step, "timeline-01-02.svg" for a pair.
export function timelinePicture(steps: Step[]): string {
  return `timeline-${steps.map((step) => step.folder.slice(0, 2)).join("-")}.svg`;
}
