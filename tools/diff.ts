// `npm run diff -- 3 4`: what changed from one step to another, file by file, for the lecture.
// Leaves out build output, and also the READMEs and tests unless --all is given, so the technique stands out.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { findStep, ROOT, type Step } from "./steps.ts";

const SKIPPED_ALWAYS = ["public/js"];
const SKIPPED_UNLESS_ALL = ["README.md", "tests"];

const args = process.argv.slice(2);
const showAll = args.includes("--all");
const [from, to] = args.filter((arg) => arg !== "--all").map(findStep);
if (!from || !to) {
  console.error("Usage: npm run diff -- <step> <step> [--all]   for example: npm run diff -- 3 4");
  process.exit(1);
}

const skipped = showAll ? SKIPPED_ALWAYS : [...SKIPPED_ALWAYS, ...SKIPPED_UNLESS_ALL];

function filesOf(step: Step): string[] {
  const top = join(ROOT, step.folder);
  const found: string[] = [];
  function walk(folder: string): void {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const name = relative(top, path).split("\\").join("/");
      if (skipped.includes(name)) {
        continue;
      }
      if (entry.isDirectory()) {
        walk(path);
      } else {
        found.push(name);
      }
    }
  }
  walk(top);
  return found;
}

const names = [...new Set([...filesOf(from), ...filesOf(to)])].sort();
for (const name of names) {
  const before = join(from.folder, name);
  const after = join(to.folder, name);
  if (!existsSync(join(ROOT, before))) {
    console.log(`Only in ${to.folder}: ${name}`);
    continue;
  }
  if (!existsSync(join(ROOT, after))) {
    console.log(`Only in ${from.folder}: ${name}`);
    continue;
  }
  // git diff exits with 1 when the files differ: that is the expected case, not an error.
  spawnSync("git", ["diff", "--no-index", "--color=auto", before, after], { cwd: ROOT, stdio: "inherit" });
}
