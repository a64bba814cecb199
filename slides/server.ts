// The web server of the lecture deck: reveal.js from node_modules, the slides from this folder, nothing
// from the network, so the deck works offline. `npm run slides` starts it through main.ts. One server shows the deck
// in one language (language.ts): its page, its section files and its comparison slides.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import express, { type Request, type Response } from "express";
import { CHARTS } from "../bench/charts/draw.ts";
import { RESULTS_DIR } from "../bench/results.ts";
import { splitStamp } from "../tools/translations.ts";
import { comparisonMarkdown } from "./comparison.ts";
import { SECTIONS_DIR, sectionFiles } from "./excerpts.ts";
import { checkTranslated, indexPage, type DeckLanguage } from "./language.ts";
import { REPOSITORY_DIR, SLIDES_DIR } from "./paths.ts";

const REVEAL_DIR = fileURLToPath(new URL("../node_modules/reveal.js/dist", import.meta.url));

// A section file, by name. A translated section starts with the stamp of `npm run translations -- --stamp`
// (tools/translations.ts): which English text it was translated from. It is for the check, not for the slide.
function sendSection(req: Request, res: Response): void {
  const file = String(req.params.file);
  if (!sectionFiles().includes(file)) {
    res.status(404).type("text/plain").send("No such section");
    return;
  }
  const { body } = splitStamp(readFileSync(join(SECTIONS_DIR, file), "utf8"));
  res.type("text/markdown; charset=utf-8").send(body);
}

// The benchmark's pictures (bench/charts), by name: nothing else of bench/results is served.
function sendChart(req: Request, res: Response): void {
  const chart = CHARTS.find((candidate) => candidate.picture === req.params.picture);
  if (!chart) {
    res.status(404).type("text/plain").send("No such picture");
    return;
  }
  res.type("image/svg+xml").sendFile(join(RESULTS_DIR, chart.picture));
}

// While a lecturer edits the slides, a reload must show the edit, not a cached copy.
function forbidCaching(_req: Request, res: Response, next: () => void): void {
  res.set("Cache-Control", "no-cache");
  next();
}

// Throws when a section of the deck has no twin in this language: the message names the files to translate.
export function createDeckApp(language: DeckLanguage = "en"): express.Express {
  checkTranslated(language);
  const page = indexPage(language);

  function sendPage(_req: Request, res: Response): void {
    res.type("html").send(page);
  }

  // The measured comparison, or how to measure it.
  function sendComparison(_req: Request, res: Response): void {
    res.type("text/markdown; charset=utf-8").send(comparisonMarkdown(language));
  }

  const app = express();
  app.disable("x-powered-by");
  app.use(forbidCaching);
  app.get(["/", "/index.html"], sendPage);
  app.get("/comparison.md", sendComparison);
  app.get("/results/:picture", sendChart);
  app.use("/reveal", express.static(REVEAL_DIR));
  app.get("/sections/:file", sendSection);
  app.use("/diagrams", express.static(`${SLIDES_DIR}/diagrams`));
  app.use(express.static(`${SLIDES_DIR}/public`, { index: false }));
  return app;
}

export function createDeckServer(language: DeckLanguage = "en"): http.Server {
  return http.createServer(createDeckApp(language));
}

// Compiles (and so type-checks) client/deck.ts into public/js.
export function buildDeckScript(): void {
  execFileSync("npx", ["tsc", "--build", "slides/client"], { cwd: REPOSITORY_DIR, stdio: "inherit" });
}
