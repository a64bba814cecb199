// The web server of the lecture deck: reveal.js from node_modules, the slides from this folder, nothing
// from the network, so the deck works offline. `npm run slides` starts it through main.ts.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import express, { type Request, type Response } from "express";

export const SLIDES_DIR = fileURLToPath(new URL(".", import.meta.url));
export const REPOSITORY_DIR = fileURLToPath(new URL("..", import.meta.url));
const REVEAL_DIR = fileURLToPath(new URL("../node_modules/reveal.js/dist", import.meta.url));
export const BENCH_RESULTS_FILE = fileURLToPath(new URL("../bench/results/latest.md", import.meta.url));

// Shown on the comparison slide until the benchmark has run: the deck never shows a figure nobody measured.
const NO_RESULTS_YET = `## Comparison: measured, not guessed

There are no measured figures in this checkout yet. To produce them:

1. Run \`npm run bench\`. It writes \`bench/results/latest.md\`.
2. Reload this page: the table from that file appears here.

Note:
The deck reads bench/results/latest.md each time the page loads. Do not fill this slide with figures from
elsewhere: numbers depend on the machine, the number of clients and the message rate, so only figures
measured with the course's own benchmark are comparable.`;

// The comparison slide is the benchmark's latest report when it exists, read anew on every page load.
function sendComparison(_req: Request, res: Response): void {
  const slide = existsSync(BENCH_RESULTS_FILE) ? readFileSync(BENCH_RESULTS_FILE, "utf8") : NO_RESULTS_YET;
  res.type("text/markdown; charset=utf-8").send(slide);
}

// While a lecturer edits the slides, a reload must show the edit, not a cached copy.
function forbidCaching(_req: Request, res: Response, next: () => void): void {
  res.set("Cache-Control", "no-cache");
  next();
}

export function createDeckApp(): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(forbidCaching);
  app.get("/comparison.md", sendComparison);
  app.use("/reveal", express.static(REVEAL_DIR));
  app.use("/sections", express.static(`${SLIDES_DIR}/sections`));
  app.use("/diagrams", express.static(`${SLIDES_DIR}/diagrams`));
  app.use(express.static(`${SLIDES_DIR}/public`));
  return app;
}

export function createDeckServer(): http.Server {
  return http.createServer(createDeckApp());
}

// Compiles (and so type-checks) client/deck.ts into public/js.
export function buildDeckScript(): void {
  execFileSync("npx", ["tsc", "--build", "slides/client"], { cwd: REPOSITORY_DIR, stdio: "inherit" });
}
