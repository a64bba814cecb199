// Where the benchmark and the load test write their results: bench/results/.
import { renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

// Writes bench/results/<name>.md and .json. Each file is written beside and then renamed, so a run
// stopped half-way never leaves a half-written table behind.
export function writeResults(name: string, markdown: string, json: unknown): string[] {
  const written: string[] = [];
  for (const [extension, text] of [
    ["md", markdown],
    ["json", `${JSON.stringify(json, null, 2)}\n`],
  ] as const) {
    const path = `${RESULTS_DIR}${name}.${extension}`;
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    written.push(`bench/results/${name}.${extension}`);
  }
  return written;
}
