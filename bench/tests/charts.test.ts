// The course's pictures: every one that a README or the deck shows exists, was drawn from the latest result file
// (drawing it again from that file gives the same bytes, so its figures match), and renders in Chromium.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "@playwright/test";
import { ROOT } from "../../tools/steps.ts";
import { CHARTS } from "../charts/draw.ts";
import { RESULTS_DIR } from "../results.ts";

// bench/results/glance.svg in a README, /results/glance.svg in the deck's comparison slides.
const PICTURE_LINK = /results\/([\w-]+\.svg)/g;

// The files that show pictures: the READMEs, the deck's sections and its comparison slides.
function filesShowingPictures(): string[] {
  const readmes = [
    "README.md",
    "bench/README.md",
    ...readdirSync(ROOT)
      .filter((name) => /^0\d-/.test(name))
      .map((step) => `${step}/README.md`),
  ];
  const sections = readdirSync(join(ROOT, "slides/sections")).map((name) => `slides/sections/${name}`);
  return [...readmes, ...sections, "slides/comparison.ts"];
}

test("every picture a README or a slide shows is one that the benchmark draws", () => {
  const shown = filesShowingPictures().flatMap((path) =>
    [...readFileSync(join(ROOT, path), "utf8").matchAll(PICTURE_LINK)].map((match) => ({ path, picture: match[1] })),
  );
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
    expect(errors).toEqual([]);
  });
}
