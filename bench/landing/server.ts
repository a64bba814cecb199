// The landing page of `npm run all`: a link to every step, a live table of what each step's server holds now (its
// GET /api/stats, asked by this server, so the steps' own Network panels stay clean), and the benchmark's latest tables.
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Step } from "../../tools/steps.ts";
import { RESULTS_DIR } from "../results.ts";

// A step as the landing page knows it: where the landing server reaches it, and the port the browser opens.
export interface LandingStep {
  step: Step;
  port: number;
}

const RESULT_FILES = ["latest.md", "load-latest.md"];
// A step that does not answer within this time is shown as not answering, so one stuck step never stalls the table.
const STATS_TIMEOUT_MS = 1000;
const SCRIPT_FILE = fileURLToPath(new URL("./js/live-stats.js", import.meta.url));
const HEADERS = {
  "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'",
  "Cache-Control": "no-store",
};

export function createLandingServer(steps: LandingStep[]): http.Server {
  return http.createServer((req, res) => {
    void answer(steps, req.url ?? "/", res);
  });
}

async function answer(steps: LandingStep[], url: string, res: http.ServerResponse): Promise<void> {
  if (url === "/landing.css") {
    res.writeHead(200, { ...HEADERS, "Content-Type": "text/css; charset=utf-8" }).end(LANDING_CSS);
    return;
  }
  if (url === "/live-stats.js" && existsSync(SCRIPT_FILE)) {
    res.writeHead(200, { ...HEADERS, "Content-Type": "text/javascript; charset=utf-8" }).end(readFileSync(SCRIPT_FILE));
    return;
  }
  if (url === "/stats") {
    const rows = await Promise.all(steps.map(readStepStats));
    res.writeHead(200, { ...HEADERS, "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify(rows));
    return;
  }
  if (url !== "/") {
    res.writeHead(404, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
    return;
  }
  // Read the results on every visit: a benchmark run during the lecture shows up on reload.
  res.writeHead(200, { ...HEADERS, "Content-Type": "text/html; charset=utf-8" }).end(landingPage(steps));
}

// One row of the live table: the step's own answer, or why there is none.
async function readStepStats({ step, port }: LandingStep): Promise<object> {
  const row = { number: step.number, title: step.title };
  try {
    const reply = await fetch(`http://127.0.0.1:${port}/api/stats`, { signal: AbortSignal.timeout(STATS_TIMEOUT_MS) });
    if (!reply.ok) {
      return { ...row, error: `GET /api/stats answered ${reply.status}` };
    }
    return { ...row, stats: await reply.json() };
  } catch {
    return { ...row, error: "not answering" };
  }
}

function landingPage(steps: LandingStep[]): string {
  const links = steps
    .map(({ step, port }) => {
      const url = `http://localhost:${port}`;
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
<h2>What each server holds now</h2>
<p>Open a few tabs of two steps and compare: each tab of step 04 holds a WebSocket of its own, while all the tabs of a
browser share one in step 06. The numbers in brackets are each user's open connections.</p>
<table id="live-stats">
<thead><tr><th>Step</th><th>Held open</th><th>TCP connections</th><th>Users online</th><th>Messages stored</th><th>Epoch</th></tr></thead>
<tbody><tr><td colspan="6">Loading…</td></tr></tbody>
</table>
<p id="live-stats-note" role="status"></p>
<h2>Measured on this machine</h2>
${results || "<p>No results yet: run <code>npm run bench</code> and <code>npm run load</code>.</p>"}
<script type="module" src="/live-stats.js"></script>
</body>
</html>
`;
}

const LANDING_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }`;

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
