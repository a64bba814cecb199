// The course's pictures and the result files they are drawn from. `npm run bench` and `npm run load` redraw them after
// writing their results; `npm run charts` redraws them without measuring anything.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS_DIR } from "../report.ts";
import { drawGlance, type BenchFile } from "./glance.ts";
import { drawGrowth, type LoadFile } from "./growth.ts";

// Each picture, the result file it is drawn from, and how.
export const CHARTS = [
  { picture: "glance.svg", source: "latest.json", draw: (json: unknown) => drawGlance(json as BenchFile) },
  { picture: "load-growth.svg", source: "load-latest.json", draw: (json: unknown) => drawGrowth(json as LoadFile) },
];

export function drawCharts(): string[] {
  const written: string[] = [];
  for (const chart of CHARTS) {
    const source = join(RESULTS_DIR, chart.source);
    if (!existsSync(source)) {
      continue;
    }
    const path = join(RESULTS_DIR, chart.picture);
    writeFileSync(`${path}.tmp`, chart.draw(JSON.parse(readFileSync(source, "utf8"))));
    renameSync(`${path}.tmp`, path);
    written.push(`bench/results/${chart.picture}`);
  }
  return written;
}
