// The comparison slides show the benchmark's figures, all of them, and nothing else.
import { expect, test } from "@playwright/test";
import { NO_RESULTS_YET, comparisonSlides } from "../comparison.ts";

const REPORT = `# Benchmark: the steps in real browsers

Date: today. Command: \`npm run bench\`.

| Step | Delivered | Latency p50 | Latency p95 | Requests | Bytes | Idle requests / min |
| --- | --- | --- | --- | --- | --- | --- |
| 02 Short polling | 36/36 | 1.26 s | 2.87 s | 41 | 47 KiB | 84.0 |
| 03 Long polling | 36/36 | 22 ms | 63 ms | 60 | 67 KiB | 0.0 |

Latency is from the click on Send to the message appearing in another tab.`;

function numbersIn(text: string): string[] {
  return [...text.matchAll(/\d+(?:[.,/]\d+)*/g)].map((match) => match[0]).sort();
}

const LOAD_REPORT = `# Load test

| Step (1,000 clients) | Delivered | Latency p50 |
| --- | --- | --- |
| 04 WebSockets | 10,000/10,000 | 12 ms |`;

test("the first slide shows the benchmark's picture, with the whole table in the speaker notes", () => {
  const slides = comparisonSlides(REPORT).split("\n--\n");
  expect(slides).toHaveLength(2);
  const [picture, notes] = slides[0]?.split("\nNote:\n") ?? [];
  expect(picture).toContain('<img class="chart" src="/results/glance.svg" alt="');
  expect(picture).not.toContain("|");
  expect(notes).toContain("| Step | Delivered | Latency p50 | Latency p95 | Requests | Bytes | Idle requests / min |");
  expect(notes).toContain("| 03 Long polling | 36/36 | 22 ms | 63 ms | 60 | 67 KiB | 0.0 |");
  expect(slides[1]).toContain("## How these figures were measured");
  expect(slides[1]).toContain("Latency is from the click on Send");
});

test("with a load report, a slide shows how the cost grows, with the load test's table in the notes", () => {
  const slides = comparisonSlides(REPORT, LOAD_REPORT).split("\n--\n");
  expect(slides).toHaveLength(3);
  expect(slides[1]).toContain('src="/results/load-growth.svg"');
  expect(slides[1]?.split("\nNote:\n")[1]).toContain("| 04 WebSockets | 10,000/10,000 | 12 ms |");
});

test("with a recorded timeline, a slide shows it after the comparison", () => {
  const slides = comparisonSlides(REPORT, undefined, true).split("\n--\n");
  expect(slides).toHaveLength(3);
  expect(slides[1]).toContain('src="/results/timeline.svg"');
});

test("the slides hold the report's figures and no others", () => {
  const slides = comparisonSlides(REPORT);
  const reported = new Set(numbersIn(REPORT));
  // Every number on the slides comes from the report.
  const added = numbersIn(slides).filter((number) => !reported.has(number));
  expect(added).toEqual([]);
  for (const figure of ["36/36", "1.26", "2.87", "22", "63", "41", "47", "60", "67", "84.0", "0.0"]) {
    expect(slides).toContain(figure);
  }
});

test("without a report, the slide says how to produce one and shows no figures", () => {
  expect(NO_RESULTS_YET).toContain("npm run bench");
  expect(NO_RESULTS_YET).toContain("bench/results/latest.md");
  expect(numbersIn(NO_RESULTS_YET.replace("bench/results/latest.md", ""))).toEqual(["1", "2"]);
});
