// `npm run slides`: builds the deck's browser code and redraws changed diagrams, then serves the deck on http://localhost:8000.
// SLIDES_PORT picks another port (PORT is left to the examples, so both can run side by side).
// `npm run slides -- --lang uk` (or SLIDES_LANG=uk) serves the Ukrainian deck.
import { relative } from "node:path";
import { deckLanguageOrExit } from "./language.ts";
import { drawAllDiagrams } from "./sequence-diagram.ts";
import { REPOSITORY_DIR } from "./paths.ts";
import { buildDeckScript, createDeckServer } from "./server.ts";

const DEFAULT_PORT = 8000;
const port = Number(process.env.SLIDES_PORT ?? DEFAULT_PORT);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SLIDES_PORT must be a whole number from 0 to 65535, not "${process.env.SLIDES_PORT}".`);
  process.exit(1);
}

const language = deckLanguageOrExit();
buildDeckScript();
// A diagram's text may have been edited since its drawing was made.
for (const file of drawAllDiagrams()) {
  console.log(`Drew ${relative(REPOSITORY_DIR, file)}`);
}
const server = createDeckServer(language);

function reportListening(): void {
  const languageOption = language === "en" ? "" : ` -- --lang ${language}`;
  console.log(`\nThe lecture deck (${language}): http://localhost:${port}/`);
  console.log("  S opens the speaker view (notes, timer, next slide), O or Esc the overview, F full screen.");
  console.log(`  A PDF for students: npm run slides:pdf${languageOption}. The deck needs no network.`);
  console.log("Press Ctrl+C to stop.\n");
}

function reportStartFailure(error: NodeJS.ErrnoException): void {
  if (error.code === "EADDRINUSE") {
    console.error(
      `Port ${port} is already in use (is the deck already running?). Stop it, or choose another port: SLIDES_PORT=8001 npm run slides`,
    );
  } else {
    console.error(`The deck could not start: ${error.message}`);
  }
  process.exit(1);
}

function shutDown(): void {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}

server.once("error", reportStartFailure);
// Only this computer can open the deck: it serves files from the repository.
server.listen(port, "127.0.0.1", reportListening);
process.once("SIGINT", shutDown);
process.once("SIGTERM", shutDown);
