// What the benchmark, the load test and the reliability suite share: the machine's description, percentiles,
// tables and the command line.
import os from "node:os";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  // The 1, 5 and 15 minute load averages when the run started: other work on the machine makes CPU figures noisy.
  loadAverage: number[];
}

export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

// The value below which `fraction` of the values fall (nearest rank). NaN when there are no values.
export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export function formatMs(ms: number): string {
  if (Number.isNaN(ms)) {
    return "n/a";
  }
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

export function formatCount(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatBytes(bytes: number): string {
  if (bytes >= 10 * 1024 * 1024) {
    return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  }
  if (bytes >= 10 * 1024) {
    return `${(bytes / 1024).toFixed(0)} KiB`;
  }
  return `${Math.round(bytes)} B`;
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

// The command as the user would type it again.
export function commandLine(script: string): string {
  const args = process.argv.slice(2);
  return args.length > 0 ? `npm run ${script} -- ${args.join(" ")}` : `npm run ${script}`;
}

// Reads `--name value` from the command line.
export function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}
