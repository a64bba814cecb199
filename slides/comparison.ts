// The comparison slides come from the benchmark's latest report (bench/results/latest.md, written by
// `npm run bench`), read anew on every page load. The deck never shows a figure nobody measured: without a
// report, the slide says how to produce one. A report's table is wider than a slide, so its columns are
// split over several slides, each repeating the first column (the step).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const BENCH_RESULTS_FILE = fileURLToPath(new URL("../bench/results/latest.md", import.meta.url));

// The step, and at most this many figures beside it, on one slide.
const FIGURES_PER_SLIDE = 5;

export const NO_RESULTS_YET = `## Comparison: measured, not guessed

There are no measured figures in this checkout yet. To produce them:

1. Run \`npm run bench\`. It writes \`bench/results/latest.md\`.
2. Reload this page: the figures from that file appear here.

Note:
The deck reads bench/results/latest.md each time the page loads. Do not fill this slide with figures from
elsewhere: they depend on the machine, the number of tabs and the message rate, so only figures measured
with the course's own benchmark are comparable.`;

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

function tableRow(values: string[]): string {
  return `| ${values.join(" | ")} |`;
}

// The same table, cut into tables of the first column and FIGURES_PER_SLIDE others.
function splitColumns(table: string[]): string[][] {
  const rows = table.map(cells);
  const width = Math.max(...rows.map((row) => row.length));
  const parts: string[][] = [];
  for (let first = 1; first < width; first += FIGURES_PER_SLIDE) {
    const columns = [
      0,
      ...Array.from({ length: Math.min(FIGURES_PER_SLIDE, width - first) }, (_, offset) => first + offset),
    ];
    parts.push(rows.map((row) => tableRow(columns.map((column) => row[column] ?? ""))));
  }
  return parts;
}

// Turns the benchmark's report into slides: its tables first, then how the figures were measured.
export function comparisonSlides(report: string): string {
  const lines = report.split(/\r?\n/);
  const title =
    lines
      .find((line) => line.startsWith("# "))
      ?.slice(2)
      .trim() ?? "Measured comparison";
  const tables: string[][] = [];
  const method: string[] = [];
  let previousWasTable = false;
  for (const line of lines.filter((candidate) => !candidate.startsWith("# "))) {
    const isTable = line.trimStart().startsWith("|");
    if (isTable && !previousWasTable) {
      tables.push([]);
    }
    if (isTable) {
      tables.at(-1)?.push(line);
    } else {
      method.push(line);
    }
    previousWasTable = isTable;
  }
  const note = '<p class="small">From bench/results/latest.md. How it was measured is on the last of these slides.</p>';
  const slides = tables.flatMap((table) =>
    splitColumns(table).map(
      (part) => `<!-- .slide: class="measured" -->\n## ${title}\n\n${part.join("\n")}\n\n${note}`,
    ),
  );
  slides.push(`<!-- .slide: class="measured" -->\n## How these figures were measured\n\n${method.join("\n").trim()}`);
  return slides.join("\n\n--\n\n");
}

export function comparisonMarkdown(): string {
  return existsSync(BENCH_RESULTS_FILE) ? comparisonSlides(readFileSync(BENCH_RESULTS_FILE, "utf8")) : NO_RESULTS_YET;
}
