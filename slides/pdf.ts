// `npm run slides:pdf`: prints the deck to slides/lecture.pdf (git-ignored), one page per slide.
// `npm run slides:pdf -- --notes` adds each slide's speaker notes on a page after it, for reading after class.
// `npm run slides:pdf -- --lang uk` prints the Ukrainian deck to slides/lecture.uk.pdf.
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { deckLanguageOrExit, type DeckLanguage } from "./language.ts";
import { pageCount, printDeck } from "./print.ts";
import { drawAllDiagrams } from "./sequence-diagram.ts";
import { REPOSITORY_DIR, SLIDES_DIR } from "./paths.ts";
import { buildDeckScript, createDeckServer } from "./server.ts";

function pdfFile(language: DeckLanguage): string {
  return join(SLIDES_DIR, language === "en" ? "lecture.pdf" : `lecture.${language}.pdf`);
}

async function main(): Promise<void> {
  const withNotes = process.argv.includes("--notes");
  const language = deckLanguageOrExit();
  const file = pdfFile(language);
  buildDeckScript();
  drawAllDiagrams();
  const server = createDeckServer(language);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await printDeck(origin, file, withNotes);
    const notes = withNotes ? ", speaker notes included" : "";
    console.log(`Wrote ${relative(REPOSITORY_DIR, file)}: ${pageCount(file)} pages${notes}.`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

await main();
