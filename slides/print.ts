// Prints the lecture deck to PDF with Chromium, through reveal.js's print layout (?print-pdf): one page per slide,
// and with `withNotes` each slide's speaker notes on a page of their own after it. Used by pdf.ts and its test.
import { readFileSync } from "node:fs";
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "../tools/chromium.ts";

// Printing waits for every slide to be laid out; a long deck on a slow machine takes a while.
const PRINT_TIMEOUT_MS = 120_000;

// Prints the deck served at `origin` into `file`.
export async function printDeck(origin: string, file: string, withNotes: boolean): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const query = withNotes ? "?print-pdf&showNotes=separate-page" : "?print-pdf";
    await page.goto(`${origin}/${query}`, { timeout: PRINT_TIMEOUT_MS });
    await page.locator(".reveal.ready").waitFor({ state: "attached", timeout: PRINT_TIMEOUT_MS });
    // reveal.js sets the page size (@page) to the slide size in print mode: keep it, with the slides' colours.
    await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  } finally {
    await browser.close();
  }
}

// How many pages a PDF that Chromium wrote has: one "/Type /Page" object each ("/Type /Pages" is the page tree).
export function pageCount(file: string): number {
  return readFileSync(file, "latin1").match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
}
