// The course's pictures and the result files they are drawn from. `npm run bench` and `npm run load` redraw them after
// writing their results; `npm run charts` redraws them without measuring anything.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STEPS } from "../../tools/steps.ts";
import { RESULTS_DIR } from "../results.ts";
import { drawGlance, type BenchFile } from "./glance.ts";
import { drawGrowth, type LoadFile } from "./growth.ts";
import { drawStepTimeline, drawTimelines, type TimelineFile } from "./timeline.ts";

// Each picture, the result file it is drawn from, and how (undefined: the file has nothing to draw it from).
export const CHARTS: { picture: string; source: string; draw(json: unknown): string | undefined }[] = [
  { picture: "glance.svg", source: "latest.json", draw: (json) => drawGlance(json as BenchFile) },
  { picture: "timeline.svg", source: "latest.json", draw: (json) => drawTimelines(json as TimelineFile) },
  ...STEPS.map((step) => ({
    picture: `timeline-${step.folder.slice(0, 2)}.svg`,
    source: "latest.json",
    draw: (json: unknown) => drawStepTimeline(json as TimelineFile, step.number),
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
