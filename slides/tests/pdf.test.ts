// `npm run slides:pdf` prints through reveal.js's print layout: one PDF page per slide, and with the notes
// option one more page for each slide that has speaker notes.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { pageCount, printDeck } from "../print.ts";
import { buildDeckScript, createDeckServer } from "../server.ts";

let server: http.Server;
let origin: string;
let folder: string;

test.beforeAll(async () => {
  buildDeckScript();
  server = createDeckServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  folder = mkdtempSync(join(tmpdir(), "deck-pdf-"));
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

test("the PDF has one page per slide, and notes pages when asked", async ({ browser }) => {
  test.setTimeout(180_000);
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
});
