// `npm run all`: every step at once, step N on port 3000 + N, and on port 3000 a landing page that links them
// and shows the benchmark's latest tables, for a lecture that compares the steps side by side.
// Ctrl+C stops every server (each closes its open polls, streams and sockets) and then exits.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { availableSteps, browserProjects, ROOT, type Step } from "../tools/steps.ts";
import { RESULTS_DIR } from "./results.ts";

const LANDING_PORT = 3000;
// As in every step's app.ts: this computer only, unless HOST=0.0.0.0 shares the landing page (and, through the
// environment, every step) with the local network.
const LISTEN_HOST = process.env.HOST ?? "127.0.0.1";
const RESULT_FILES = ["latest.md", "load-latest.md"];

function stepPort(step: Step): number {
  return LANDING_PORT + step.number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

// A results file as HTML: its Markdown tables become <table>, every other line a paragraph, and every piece
// of text is escaped, since the file is data, not markup.
function renderResults(markdown: string): string {
  const html: string[] = [];
  let table: string[][] = [];
  const flushTable = (): void => {
    if (table.length === 0) {
      return;
    }
    const [header = [], ...rows] = table.filter((cells) => !cells.every((cell) => /^-+$/.test(cell)));
    html.push(
      "<table><thead><tr>",
      ...header.map((cell) => `<th>${escapeHtml(cell)}</th>`),
      "</tr></thead><tbody>",
      ...rows.map((cells) => `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`),
      "</tbody></table>",
    );
    table = [];
  };
  for (const line of markdown.split("\n")) {
    if (line.startsWith("|")) {
      table.push(
        line
          .slice(1, -1)
          .split("|")
          .map((cell) => cell.trim()),
      );
      continue;
    }
    flushTable();
    if (line.startsWith("#")) {
      html.push(`<h3>${escapeHtml(line.replace(/^#+\s*/, ""))}</h3>`);
    } else if (line.trim() !== "") {
      html.push(`<p>${escapeHtml(line)}</p>`);
    }
  }
  flushTable();
  return html.join("\n");
}

function landingPage(steps: Step[]): string {
  const links = steps
    .map((step) => {
      const url = `http://localhost:${stepPort(step)}`;
      return `<li><a href="${url}/?user=Alice">${escapeHtml(`${step.number}. ${step.title}`)}</a> (${url}, also <a href="${url}/?user=Bob">as Bob</a>)</li>`;
    })
    .join("\n");
  const results = RESULT_FILES.map((file) => join(RESULTS_DIR, file))
    .filter((path) => existsSync(path))
    .map((path) => renderResults(readFileSync(path, "utf8")))
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>All steps</title><link rel="stylesheet" href="/landing.css"></head>
<body>
<h1>The chat, six ways</h1>
<ol>
${links}
</ol>
<h2>Measured on this machine</h2>
${results || "<p>No results yet: run <code>npm run bench</code> and <code>npm run load</code>.</p>"}
</body>
</html>
`;
}

const LANDING_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }`;

function serveLanding(steps: Step[]): http.Server {
  return http.createServer((req, res) => {
    const headers = { "Content-Security-Policy": "default-src 'none'; style-src 'self'", "Cache-Control": "no-store" };
    if (req.url === "/landing.css") {
      res.writeHead(200, { ...headers, "Content-Type": "text/css; charset=utf-8" }).end(LANDING_CSS);
      return;
    }
    if (req.url !== "/") {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
      return;
    }
    // Read the results on every visit: a benchmark run during the lecture shows up on reload.
    res.writeHead(200, { ...headers, "Content-Type": "text/html; charset=utf-8" }).end(landingPage(steps));
  });
}

function startStep(step: Step): ChildProcess {
  // Each step's own main.ts, as `npm run exampleN` runs it, without watching files.
  return spawn(process.execPath, ["--import", "tsx", join(step.folder, "main.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(stepPort(step)) },
    stdio: "inherit",
  });
}

const steps = availableSteps();
console.log(`Building the pages of steps ${steps.map((step) => step.number).join(", ")}…`);
execFileSync("npx", ["tsc", "--build", ...steps.flatMap(browserProjects)], { cwd: ROOT, stdio: "inherit" });

const children = steps.map(startStep);
const landing = serveLanding(steps);
let stopping = false;

function stopAll(): void {
  if (stopping) {
    return;
  }
  stopping = true;
  console.log("\nStopping every step…");
  landing.close();
  landing.closeAllConnections();
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
    }
  }
}

// A step that exits by itself (a busy port, a crash) takes the others down too, so nothing half-runs.
for (const child of children) {
  child.once("exit", (code) => {
    if (!stopping && code !== 0) {
      console.error(`A step exited with code ${code}: stopping the others.`);
      process.exitCode = 1;
    }
    stopAll();
  });
}

function reportLandingFailure(error: NodeJS.ErrnoException): void {
  const reason =
    error.code === "EADDRINUSE"
      ? `port ${LANDING_PORT} is already in use (is an example still running?)`
      : error.message;
  console.error(`The landing page could not start: ${reason}.`);
  process.exitCode = 1;
  stopAll();
}

landing.once("error", reportLandingFailure);
landing.listen(LANDING_PORT, LISTEN_HOST, () => {
  console.log(
    `\nAll steps: open http://localhost:${LANDING_PORT} (step N is on port ${LANDING_PORT} + N). Press Ctrl+C to stop.\n`,
  );
});
process.once("SIGINT", stopAll);
process.once("SIGTERM", stopAll);
