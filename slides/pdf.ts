// `npm run slides:pdf`: prints the deck to slides/lecture.pdf (git-ignored), one page per slide.
// `npm run slides:pdf -- --notes` adds each slide's speaker notes on a page after it, for reading after class.
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { pageCount, printDeck } from "./print.ts";
import { drawAllDiagrams } from "./sequence-diagram.ts";
import { REPOSITORY_DIR, SLIDES_DIR } from "./paths.ts";
import { buildDeckScript, createDeckServer } from "./server.ts";

const PDF_FILE = join(SLIDES_DIR, "lecture.pdf");

async function main(): Promise<void> {
  const withNotes = process.argv.includes("--notes");
  buildDeckScript();
  drawAllDiagrams();
  const server = createDeckServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await printDeck(origin, PDF_FILE, withNotes);
    const notes = withNotes ? ", speaker notes included" : "";
    console.log(`Wrote ${relative(REPOSITORY_DIR, PDF_FILE)}: ${pageCount(PDF_FILE)} pages${notes}.`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

await main();
