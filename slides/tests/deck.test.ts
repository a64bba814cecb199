// The deck as the class sees it: headless Chromium opens it at 1280 × 720 and goes through every slide.
// The test fails on a console error, a request that failed or left this computer, a broken image, or a
// slide whose content does not fit the slide, or a picture whose text is too small to read when projected. Then the
// speaker view, the overview and the PDF export.
// All of it for each language of the deck (English, and the Ukrainian twins of the sections).
// One file and one build of the deck's script: two test files building it at once could
// serve each other a half-written file.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { DECK_LANGUAGES, sectionFileIn, sectionsInDeck, type DeckLanguage } from "../language.ts";
import { pageCount, printDeck } from "../print.ts";
import { buildDeckScript, createDeckServer } from "../server.ts";

test.describe.configure({ mode: "serial" });

const VIEWPORT = { width: 1280, height: 720 };
// The walk measures every element of about a hundred slides: on a busy machine that takes more than a minute.
const WALK_TIMEOUT_MS = 300_000;

// The smallest text a picture may show, in pixels of the 1280 × 720 slide: reveal.js scales the whole slide to the
// screen, so this is a share of the projected height (12 px is 1/60 of it, about 5 cm on a 3 m screen). The deck's
// own smallest type is about 16 px (the file name above code, the source line under a chart); a picture's least
// important labels (an axis, a lane, a footnote) may be a little smaller, but not much: the whole timeline of the six
// steps, squeezed onto one slide, showed its lane labels at 7 px, a blur from the back of a lecture hall.
const MIN_PROJECTED_TEXT_PX = 12;

// A word that the first slide's speaker notes say in each language.
const FIRST_NOTES_WORD: Record<DeckLanguage, string> = { en: "Welcome", uk: "Вітаю" };

let origin: string;

test.beforeAll(() => {
  buildDeckScript();
});

// Everything that went wrong while the page was open: console errors, failed or foreign requests, HTTP errors.
function watchForProblems(page: Page, problems: string[] = []): string[] {
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`uncaught error: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400) {
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  return problems;
}

// Nothing may leave this computer: a CDN or a web font would break the deck in a room without network.
async function blockOtherSites(context: BrowserContext, problems: string[]): Promise<void> {
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:")) {
      return route.continue();
    }
    problems.push(`request to another site: ${url}`);
    return route.abort();
  });
}

interface Walk {
  slides: number;
  problems: string[];
  pictures: PictureOnSlide[];
}

// A picture on a slide: an <img> of an SVG, with how much the slide shrinks or enlarges it (1: its own size), or an
// inline <svg>, whose texts are measured where they are.
interface PictureOnSlide {
  where: string;
  src?: string;
  scale: number;
  texts: PictureText[];
}

interface PictureText {
  text: string;
  px: number;
}

// Runs in the page: each SVG <text> or <tspan> that holds words of its own, with its height on the screen in CSS
// pixels: its font size (an attribute or a style sheet) times the vertical scale of every transform above it (the
// SVG's viewBox, and the CSS transforms of the page around an inline <svg>, such as reveal.js's scale).
const SVG_TEXTS = `[...document.querySelectorAll("svg text, svg tspan")]
  .filter((element) => [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== ""))
  .filter((element) => !element.closest("aside.notes"))
  .map((element) => {
    const matrix = element.getScreenCTM();
    const fontSize = parseFloat(getComputedStyle(element).fontSize);
    return { text: element.textContent.trim(), px: fontSize * Math.hypot(matrix.c, matrix.d), slide: element.closest("section") };
  })`;

// Runs in an SVG file opened on its own, at its own size: the size of each of its texts.
const TEXTS_IN_THIS_SVG = `${SVG_TEXTS}.map(({ text, px }) => ({ text, px }))`;

// The texts of the slides' pictures that are smaller than MIN_PROJECTED_TEXT_PX, each named with its slide. An <img>
// shows its SVG as a document of its own: this opens each one alone in the page to measure its texts at its own size.
async function unreadableTexts(page: Page, pictures: PictureOnSlide[]): Promise<string[]> {
  expect(pictures.length, "the deck shows no picture: there is nothing to measure").toBeGreaterThan(0);
  const textsOf = new Map<string, PictureText[]>();
  for (const src of new Set(pictures.flatMap((picture) => picture.src ?? []))) {
    await page.goto(`${origin}${src}`);
    const texts = (await page.evaluate(TEXTS_IN_THIS_SVG)) as PictureText[];
    expect(texts.length, `${src} has no text to measure`).toBeGreaterThan(0);
    textsOf.set(src, texts);
  }
  const tooSmall = pictures.flatMap((picture) => {
    const name = picture.src ?? "an inline picture";
    const texts = picture.src === undefined ? picture.texts : (textsOf.get(picture.src) ?? []);
    return texts
      .map((text) => ({ text: text.text, px: tenthsOfPixel(text.px * picture.scale) }))
      .filter((text) => text.px < MIN_PROJECTED_TEXT_PX)
      .map((text) => `${picture.where}: "${text.text}" in ${name} is ${text.px} px, under ${MIN_PROJECTED_TEXT_PX} px`);
  });
  return [...new Set(tooSmall)];
}

// A size to a tenth of a pixel, as the test reports it: a 16 px label on a chart shown at 3/4 of its size is 12 px, not
// the 11.999… that the scale's rounding gives.
function tenthsOfPixel(px: number): number {
  return Math.round(px * 10) / 10;
}

// Runs in the page. The import map resolves "reveal.js" to the module the deck has already started, so this
// is the deck's own Reveal object. Passed as a string, so the browser, not the test's compiler, resolves it.
const WALK_EVERY_SLIDE = `(async () => {
  const { default: Reveal } = await import("reveal.js");
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const describe = (element) => element.tagName.toLowerCase() + ' "' + (element.textContent || element.getAttribute("alt") || "").trim().slice(0, 60) + '"';
  const problems = [];
  const pictures = [];
  const slides = Reveal.getSlides();
  for (const slide of slides) {
    const { h, v } = Reveal.getIndices(slide);
    Reveal.slide(h, v);
    await nextFrame();
    const where = "slide " + (h + 1) + "." + ((v ?? 0) + 1) + " (" + (slide.querySelector("h1, h2, h3")?.textContent?.trim() ?? "untitled") + ")";
    const area = Reveal.getSlidesElement().getBoundingClientRect();
    for (const element of [slide, ...slide.querySelectorAll("*")]) {
      if (element.closest("aside.notes")) {
        continue;
      }
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) {
        continue;
      }
      if (box.left < area.left - 1 || box.right > area.right + 1 || box.top < area.top - 1 || box.bottom > area.bottom + 1) {
        problems.push(where + ": " + describe(element) + " goes past the edge of the slide");
      } else if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1) {
        problems.push(where + ": " + describe(element) + " is wider than its box");
      }
      if (element instanceof HTMLImageElement && (!element.complete || element.naturalWidth === 0)) {
        problems.push(where + ": the image " + element.getAttribute("src") + " did not load");
      }
    }
    // The pictures, measured in the slide's own pixels: the screen's, divided by the scale reveal.js applies.
    const slideScale = Reveal.getScale();
    for (const image of slide.querySelectorAll("img")) {
      if (image.closest("aside.notes") || !new URL(image.src).pathname.endsWith(".svg")) {
        continue;
      }
      // An SVG keeps its proportions inside the image's box: the smaller of the two ratios is its scale.
      const box = image.getBoundingClientRect();
      const scale = Math.min(box.width / image.naturalWidth, box.height / image.naturalHeight) / slideScale;
      pictures.push({ where, src: new URL(image.src).pathname, scale, texts: [] });
    }
    const inline = ${SVG_TEXTS}
      .filter((measured) => measured.slide === slide)
      .map(({ text, px }) => ({ text, px: px / slideScale }));
    if (inline.length > 0) {
      pictures.push({ where, scale: 1, texts: inline });
    }
  }
  return { slides: slides.length, problems, pictures };
})()`;

// Runs in the page: the address (#/h/v) of the first slide that shows a picture, and the picture's address.
const FIRST_PICTURE_SLIDE = `(() => {
  const columns = [...document.querySelectorAll(".reveal .slides > section")];
  for (const [h, column] of columns.entries()) {
    const slides = column.classList.contains("stack") ? [...column.querySelectorAll(":scope > section")] : [column];
    for (const [v, slide] of slides.entries()) {
      const picture = slide.querySelector("img");
      if (picture) return { hash: "#/" + h + "/" + v, src: picture.getAttribute("src") };
    }
  }
  return undefined;
})()`;
// Runs in the page: where the slide on screen starts, as reveal.js placed it.
const SLIDE_TOP = `document.querySelector(".reveal .slides section.present:not(.stack)").style.top`;
// Runs in the page: the picture of the slide on screen has arrived and been drawn.
const PICTURE_SHOWN = `(() => {
  const picture = document.querySelector(".reveal .slides section.present:not(.stack) img");
  return picture !== null && picture.complete && picture.naturalWidth > 0;
})()`;
// Longer than reveal.js takes to lay out a slide it has just opened, so the picture arrives after it.
const LATE_PICTURE_MS = 800;

for (const language of DECK_LANGUAGES) {
  test.describe(`the ${language} deck`, () => {
    let server: http.Server;

    test.beforeAll(async () => {
      server = createDeckServer(language);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    test.afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    test("the page says its language and loads every section in it", async ({ page }) => {
      const requested: string[] = [];
      page.on("request", (request) => requested.push(new URL(request.url()).pathname));
      await page.goto(`${origin}/`);
      await expect(page.locator(".reveal.ready")).toBeAttached();
      await expect(page.locator("html")).toHaveAttribute("lang", language);
      const sections = requested.filter((path) => path.startsWith("/sections/"));
      const expected = sectionsInDeck().map((file) => `/sections/${sectionFileIn(language, file)}`);
      expect(sections.sort()).toEqual(expected.sort());
    });

    test("every slide loads from this computer alone, without errors, fits a 1280 × 720 screen and can be read", async ({
      browser,
    }) => {
      test.setTimeout(WALK_TIMEOUT_MS);
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      const problems = watchForProblems(page);
      await blockOtherSites(context, problems);

      await page.goto(`${origin}/?transition=none`);
      await expect(page.locator(".reveal.ready")).toBeAttached();
      const walk = (await page.evaluate(WALK_EVERY_SLIDE)) as Walk;

      expect(walk.slides).toBeGreaterThan(1);
      const unreadable = await unreadableTexts(page, walk.pictures);
      const all = [...problems, ...walk.problems, ...unreadable];
      expect(all, all.join("\n")).toEqual([]);
      await context.close();
    });

    test("a slide opened by its address is centred again when its picture arrives late", async ({ browser }) => {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await expect(page.locator(".reveal.ready")).toBeAttached();
      const picture = (await page.evaluate(FIRST_PICTURE_SLIDE)) as { hash: string; src: string };
      expect(picture).toBeDefined();

      const slowPage = await context.newPage();
      await slowPage.route(`**/${picture.src}`, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, LATE_PICTURE_MS));
        await route.continue();
      });
      await slowPage.goto(`${origin}/${picture.hash}`);
      await expect(slowPage.locator(".reveal.ready")).toBeAttached();
      await slowPage.waitForFunction(PICTURE_SHOWN);
      const topWithPicture = await slowPage.evaluate(SLIDE_TOP);
      // A resize makes reveal.js lay the slide out afresh: the place it chooses now is the right one.
      await slowPage.evaluate(`window.dispatchEvent(new Event("resize"))`);
      await expect.poll(() => slowPage.evaluate(SLIDE_TOP)).toBe(topWithPicture);
      await context.close();
    });

    test("the speaker view shows the notes, and the overview and the print layout work", async ({ browser }) => {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      const problems = watchForProblems(page);
      await blockOtherSites(context, problems);

      await page.goto(`${origin}/`);
      await expect(page.locator(".reveal.ready")).toBeAttached();
      expect(await page.locator("aside.notes").count()).toBeGreaterThan(0);
      // S opens the speaker view in a pop-up, which talks to this window with postMessage.
      const speakerView = context.waitForEvent("page");
      await page.keyboard.press("s");
      const speaker = await speakerView;
      watchForProblems(speaker, problems);
      await expect(speaker.locator("#current-slide iframe")).toBeAttached();
      await expect(speaker.locator("#connection-status")).toBeHidden();
      await expect(speaker.locator(".speaker-controls-notes .value")).toContainText(FIRST_NOTES_WORD[language]);
      await speaker.close();

      await page.keyboard.press("o");
      await expect(page.locator(".reveal.overview")).toBeAttached();
      await page.keyboard.press("Escape");
      await expect(page.locator(".reveal.overview")).not.toBeAttached();

      await page.goto(`${origin}/?print-pdf`);
      await expect(page.locator(".reveal.ready")).toBeAttached();
      const slides = await page.locator(".reveal .slides section:not(.stack)").count();
      await expect(page.locator(".pdf-page")).toHaveCount(slides);
      expect(problems).toEqual([]);
      await context.close();
    });

    // `npm run slides:pdf` prints through reveal.js's print layout: one PDF page per slide, and with --notes
    // one more page for each slide that has speaker notes.
    test("the PDF has one page per slide, and notes pages when asked", async ({ browser }) => {
      test.setTimeout(180_000);
      const folder = mkdtempSync(join(tmpdir(), "deck-pdf-"));
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      await expect(page.locator(".reveal.ready")).toBeAttached();
      const slides = await page.locator(".reveal .slides section:not(.stack)").count();
      const slidesWithNotes = await page.locator(".reveal .slides section:not(.stack):has(> aside.notes)").count();
      await page.close();

      const plain = join(folder, "lecture.pdf");
      await printDeck(origin, plain, false);
      expect(readFileSync(plain).subarray(0, 5).toString()).toBe("%PDF-");
      expect(pageCount(plain)).toBe(slides);

      const withNotes = join(folder, "lecture-notes.pdf");
      await printDeck(origin, withNotes, true);
      expect(slidesWithNotes).toBeGreaterThan(0);
      expect(pageCount(withNotes)).toBe(slides + slidesWithNotes);
      rmSync(folder, { recursive: true, force: true });
    });
  });
}
