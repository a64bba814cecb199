// The web server of the lecture deck: reveal.js from node_modules, the slides from this folder, nothing
// from the network, so the deck works offline. `npm run slides` starts it through main.ts.
import { execFileSync } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import express, { type Request, type Response } from "express";
import { CHARTS } from "../bench/charts/draw.ts";
import { RESULTS_DIR } from "../bench/results.ts";
import { comparisonMarkdown } from "./comparison.ts";
import { REPOSITORY_DIR, SLIDES_DIR } from "./paths.ts";

const REVEAL_DIR = fileURLToPath(new URL("../node_modules/reveal.js/dist", import.meta.url));
// The measured comparison, or how to measure it.
function sendComparison(_req: Request, res: Response): void {
  res.type("text/markdown; charset=utf-8").send(comparisonMarkdown());
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

export function createDeckApp(): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(forbidCaching);
  app.get("/comparison.md", sendComparison);
  app.get("/results/:picture", sendChart);
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
