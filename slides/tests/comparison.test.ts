// The comparison slides show the benchmark's figures, all of them, and nothing else, in each language of the deck.
import { existsSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { UKRAINIAN_NO_RESULTS_YET } from "../comparison-uk.ts";
import { BENCH_RESULTS_FILE, NO_RESULTS_YET, comparisonMarkdown, comparisonSlides } from "../comparison.ts";

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

const TIMELINES = [
  { picture: "timeline-01-02.svg", steps: [1, 2] },
  { picture: "timeline-03-04.svg", steps: [3, 4] },
];

test("with recorded timelines, each pair of steps has a slide after the comparison, with what to point at", () => {
  const slides = comparisonSlides(REPORT, undefined, TIMELINES).split("\n--\n");
  expect(slides).toHaveLength(4);
  expect(slides[1]).toContain('<img class="chart" src="/results/timeline-01-02.svg" alt="Steps 01 and 02, ');
  const notes = slides[1]?.split("\nNote:\n")[1];
  expect(notes).toContain("Step 01: a request only when a message is sent");
  expect(notes).toContain("Step 02: a short bar for every poll");
  expect(slides[2]).toContain('src="/results/timeline-03-04.svg"');
  expect(slides[2]?.split("\nNote:\n")[1]).toContain("Step 04: no HTTP requests");
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

test("the Ukrainian slides hold the same figures as the English ones, with their words in Ukrainian", () => {
  const english = comparisonSlides(REPORT, LOAD_REPORT, TIMELINES);
  const ukrainian = comparisonSlides(REPORT, LOAD_REPORT, TIMELINES, "uk");
  expect(numbersIn(ukrainian)).toEqual(numbersIn(english));
  expect(ukrainian).toContain(
    "| Крок | Доставлено | Затримка p50 | Затримка p95 | Запити | Байти | Запитів у тиші / хв |",
  );
  expect(ukrainian).toContain("| 03 Довге опитування | 36/36 | 22 ms | 63 ms | 60 | 67 KiB | 0.0 |");
  expect(ukrainian).toContain("| 04 Вебсокети | 10,000/10,000 | 12 ms |");
  expect(ukrainian).toContain("Затримка: від натискання Send до появи повідомлення в іншій вкладці.");
  expect(ukrainian).toContain('alt="Кроки 01 і 02, ');
  expect(ukrainian).toContain("Крок 02: коротка смужка на кожне опитування");
  expect(numbersIn(UKRAINIAN_NO_RESULTS_YET.replace("bench/results/latest.md", ""))).toEqual(["1", "2"]);
});

// The names, units and labels of the user interface that stay as they are in Ukrainian. Any other Latin word on the
// Ukrainian slides is a sentence of the benchmark that comparison-uk.ts does not know yet.
const LATIN_WORDS_KEPT = new Set(
  (
    "Alice Bob AMD EPYC Linux Node Chromium GiB KiB MiB B ms s CPU RSS TCP HTTP WebSocket Express Server Sent Events " +
    "SharedWorker BroadcastChannel poll longpoll websocket sse Send Network Note bench results README md load average POST"
  ).split(" "),
);

test("the latest reports leave no English sentence on the Ukrainian slides", () => {
  test.skip(!existsSync(BENCH_RESULTS_FILE), "no benchmark report in this checkout: npm run bench");
  const slides = comparisonMarkdown("uk")
    .replace(/`[^`]*`/g, " ")
    .replace(/<[^>]*>/g, " ");
  const latin = slides
    .split(/[\s|]+/)
    .filter((token) => !/\d/.test(token))
    .flatMap((token) => token.match(/[A-Za-z]+/g) ?? []);
  const untranslated = [...new Set(latin.filter((word) => !LATIN_WORDS_KEPT.has(word)))];
  expect(untranslated, "add the benchmark's new wording to slides/comparison-uk.ts").toEqual([]);
});
