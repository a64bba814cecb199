// `npm run reliability`: the whole fault matrix for every step, then the soak; prints a table and writes it to
// tools/reliability/results/latest.md. Loopback only; every scenario and the soak stop by themselves.
// Usage: npm run reliability [-- --steps 4,6]: those steps only, written beside latest.md (steps-4-6.md).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { chromium } from "@playwright/test";
import { commandLine, markdownTable, option } from "../report.ts";
import { CHROMIUM_ARGS, chromiumExecutable } from "../chromium.ts";
import { availableSteps, findStep, ROOT, type Step } from "../steps.ts";
import { FAULTS } from "./faults.ts";
import { startServerProcess } from "./server-process.ts";
import { runSoaks } from "./soak.ts";

const RESULTS_DIR = `${ROOT}tools/reliability/results`;

interface Row {
  step: string;
  fault: string;
  result: string;
  lost: number | string;
  duplicates: number | string;
  detail: string;
}

async function runFaults(steps: Step[]): Promise<Row[]> {
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  const rows: Row[] = [];
  try {
    for (const step of steps) {
      for (const fault of FAULTS) {
        if (!fault.appliesTo(step)) {
          rows.push({
            step: step.folder,
            fault: fault.name,
            result: "n/a",
            lost: "–",
            duplicates: "–",
            detail: "no live updates in this step",
          });
          continue;
        }
        const server = await startServerProcess(step);
        try {
          const outcome = await fault.run(server, browser, step);
          rows.push({
            step: step.folder,
            fault: fault.name,
            result: outcome.recovered ? "recovered" : "NOT RECOVERED",
            ...outcome,
          });
        } catch (error) {
          rows.push({
            step: step.folder,
            fault: fault.name,
            result: "FAILED",
            lost: "?",
            duplicates: "?",
            detail: String(error).split("\n")[0],
          });
        } finally {
          await server.interrupt().catch(() => undefined);
        }
        console.log(`${step.folder} · ${fault.name}: ${rows.at(-1)?.result}`);
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}

const chosen = option("steps");
const steps = chosen ? chosen.split(",").map(findStep) : availableSteps();
const started = new Date();
const faultRows = await runFaults(steps);
const soakRows = await runSoaks(steps);

const report = [
  `# Reliability: faults and soak`,
  "",
  `Measured with \`${commandLine("reliability")}\` on ${started.toISOString()}, ${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, Node ${process.version}.`,
  "",
  "## Faults (real server processes, headless Chromium windows)",
  "",
  markdownTable(
    ["step", "fault", "result", "lost", "shown twice", "detail"],
    faultRows.map((row) => [row.step, row.fault, row.result, String(row.lost), String(row.duplicates), row.detail]),
  ),
  "",
  "## Soak (simulated clients, loopback)",
  "",
  markdownTable(
    [
      "step",
      "clients",
      "duration",
      "delivered",
      "lost",
      "heap after warm-up → end",
      "RSS after warm-up → end",
      "server's open files before → after",
      "result",
    ],
    soakRows.map((row) => [
      row.step,
      String(row.clients),
      `${row.seconds} s`,
      `${row.delivered}/${row.expected}`,
      String(row.lost),
      `${row.heapWarmMb} → ${row.heapEndMb} MiB`,
      `${row.rssWarmMb} → ${row.rssEndMb} MiB`,
      `${row.fdsBefore} → ${row.fdsAfter}`,
      row.verdict,
    ]),
  ),
  "",
].join("\n");

console.log(`\n${report}`);
mkdirSync(RESULTS_DIR, { recursive: true });
// latest.md is the whole run; a run of some steps goes beside it, so it never hides the others' rows.
const resultName = chosen ? `steps-${steps.map((step) => step.number).join("-")}` : "latest";
writeFileSync(`${RESULTS_DIR}/${resultName}.md`, report);
const failed =
  faultRows.some((row) => row.result !== "recovered" && row.result !== "n/a") ||
  soakRows.some((row) => row.verdict !== "ok");
process.exit(failed ? 1 : 0);
