// The course's pictures, in English and in Ukrainian: every one that a README or the deck shows exists, was drawn from
// the latest result file (drawing it again from that file gives the same bytes, so its figures match), renders in
// Chromium with all its text inside the picture and no text over another, and the Ukrainian ones hold no English word.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "@playwright/test";
import { ROOT } from "../../tools/steps.ts";
import { latinWordsNotKept } from "../../tools/testing/latin-words.ts";
import { CHARTS } from "../charts/draw.ts";
import { RESULTS_DIR } from "../results.ts";

// bench/results/glance.svg in a README, /results/glance.svg in the deck's comparison slides; glance.uk.svg in Ukrainian.
const PICTURE_LINK = /results\/([\w.-]+\.svg)/g;
const UKRAINIAN_PICTURE = /\.uk\.svg$/;

// The files that show pictures: the READMEs and their Ukrainian twins, the deck's sections (in both languages) and its
// comparison slides.
function filesShowingPictures(): string[] {
  const folders = [
    "",
    "bench/",
    ...readdirSync(ROOT)
      .filter((name) => /^0\d-/.test(name))
      .map((step) => `${step}/`),
  ];
  const readmes = folders.flatMap((folder) => [`${folder}README.md`, `${folder}README.uk.md`]);
  const sections = readdirSync(join(ROOT, "slides/sections")).map((name) => `slides/sections/${name}`);
  return [...readmes, ...sections, "slides/comparison.ts"];
}

function picturesShown(): { path: string; picture: string }[] {
  return filesShowingPictures().flatMap((path) =>
    [...readFileSync(join(ROOT, path), "utf8").matchAll(PICTURE_LINK)].map((match) => ({
      path,
      picture: match[1] as string,
    })),
  );
}

// The Latin words a Ukrainian picture may hold besides what the result file recorded (the command, the processor and
// the users' names): names of protocols, APIs and tools, units, the result files' names, and the lowercase "http" and
// "tcp" of the text alternative, which writes the panels' titles in lowercase.
const LATIN_WORDS_KEPT = new Set(
  (
    "HTTP http TCP tcp WebSocket Server Sent Events SharedWorker BroadcastChannel Chromium DevTools Network " +
    "poll longpoll websocket sse B KiB MiB ms s bench results latest load md"
  ).split(" "),
);

// What a result file recorded on the machine that measured: not words to translate.
function recordedNames(json: {
  command: string;
  machine: { cpu: string };
  parameters: { users?: { name: string }[] };
}): string[] {
  return [json.command, json.machine.cpu, ...(json.parameters.users ?? []).map((user) => user.name)];
}

// Every word of an SVG picture: its title, its description and each text, with the characters escaped in XML restored.
function wordsOf(svg: string): string {
  return svg.replace(/<[^>]*>/g, " ").replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}

// Runs in the picture's page: each text that goes past the picture's edge, and each pair of texts whose boxes overlap.
// Two texts may touch by up to OVERLAP_ALLOWED_PX: the boxes of a font's letters are taller than the letters (the
// bottom label of an axis and the first label of the axis across it are that close, and read well).
const OVERLAP_ALLOWED_PX = 2;
const TEXTS_OUT_OF_PLACE = `(() => {
  const svg = document.querySelector("svg");
  const { width, height } = svg.viewBox.baseVal;
  const boxes = [...svg.querySelectorAll("text")].map((element) => ({ text: element.textContent, box: element.getBBox() }));
  const problems = [];
  for (const { text, box } of boxes) {
    if (box.x < 0 || box.y < 0 || box.x + box.width > width || box.y + box.height > height) {
      problems.push('"' + text + '" goes past the edge of the picture');
    }
  }
  const overlap = (a, b) =>
    Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > ${OVERLAP_ALLOWED_PX} &&
    Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > ${OVERLAP_ALLOWED_PX};
  boxes.forEach((first, index) => {
    for (const second of boxes.slice(index + 1)) {
      if (overlap(first.box, second.box)) {
        problems.push('"' + first.text + '" is written over "' + second.text + '"');
      }
    }
  });
  return problems;
})()`;

test("every picture a README or a slide shows is one that the benchmark draws", () => {
  const shown = picturesShown();
  expect(shown.length, "no README or slide shows a picture yet").toBeGreaterThan(0);
  for (const { path, picture } of shown) {
    const chart = CHARTS.find((candidate) => candidate.picture === picture);
    expect(chart, `${path} shows bench/results/${picture}, which nothing draws`).toBeDefined();
    const source = JSON.parse(readFileSync(join(RESULTS_DIR, chart?.source ?? ""), "utf8"));
    expect(
      chart?.draw(source),
      `${path} shows ${picture}, but ${chart?.source} has nothing to draw it from`,
    ).toBeDefined();
  }
});

test("a Ukrainian README or slide shows the Ukrainian pictures, an English one the English pictures", () => {
  const shown = picturesShown();
  const ukrainian = shown.filter(({ path }) => path.endsWith(".uk.md"));
  expect(ukrainian.length, "no Ukrainian README or slide shows a picture").toBeGreaterThan(0);
  const wrong = shown
    .filter(({ path, picture }) => path.endsWith(".uk.md") !== UKRAINIAN_PICTURE.test(picture))
    .map(({ path, picture }) => `${path} shows ${picture}`);
  expect(wrong).toEqual([]);
});

test("the Ukrainian pictures hold no English word beyond names and units", () => {
  const ukrainian = CHARTS.filter((chart) => chart.language === "uk");
  expect(ukrainian.length).toBe(CHARTS.length / 2);
  for (const chart of ukrainian) {
    const source = JSON.parse(readFileSync(join(RESULTS_DIR, chart.source), "utf8"));
    const drawn = chart.draw(source);
    if (drawn === undefined) {
      continue;
    }
    const words = recordedNames(source).reduce((text, name) => text.replaceAll(name, " "), wordsOf(drawn));
    expect(
      latinWordsNotKept(words, LATIN_WORDS_KEPT),
      `English left in ${chart.picture}: add it to words-uk.ts`,
    ).toEqual([]);
  }
});

for (const chart of CHARTS) {
  test(`${chart.picture} is drawn from the latest ${chart.source}`, () => {
    const drawn = chart.draw(JSON.parse(readFileSync(join(RESULTS_DIR, chart.source), "utf8")));
    // A result file from before the benchmark recorded timelines draws no timeline; no README may show one then.
    test.skip(drawn === undefined, `${chart.source} has nothing to draw ${chart.picture} from`);
    const picture = readFileSync(join(RESULTS_DIR, chart.picture), "utf8");
    expect(picture, `run npm run charts to draw ${chart.picture} again from ${chart.source}`).toBe(drawn);
  });

  test(`${chart.picture} renders in Chromium, with a text alternative`, async ({ page }) => {
    const drawn = chart.draw(JSON.parse(readFileSync(join(RESULTS_DIR, chart.source), "utf8")));
    test.skip(drawn === undefined, `${chart.source} has nothing to draw ${chart.picture} from`);
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") {
        errors.push(message.text());
      }
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(pathToFileURL(join(RESULTS_DIR, chart.picture)).href);
    const svg = page.locator("svg");
    const box = await svg.boundingBox();
    expect(box?.width).toBe(1280);
    expect(box?.height).toBeGreaterThan(100);
    expect(await page.locator("svg > title").textContent()).not.toBe("");
    expect((await page.locator("svg > desc").textContent())?.length).toBeGreaterThan(100);
    expect(await page.evaluate(TEXTS_OUT_OF_PLACE), "a text is cut off or written over another").toEqual([]);
    expect(errors).toEqual([]);
  });
}
