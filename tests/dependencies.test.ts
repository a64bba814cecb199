// The tooling's dependencies run one way: steps ← tools ← bench ← slides, with tests on top. A folder may import
// from its own layer and the layers below it, never from one above; a step imports only from its own folder; and no
// chain of imports leads back to where it started. This test reads the import lines of every TypeScript file (type-only
// imports count too) and names each import that breaks a rule, and each circle.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { expect, test } from "@playwright/test";
import { ROOT, STEPS } from "../tools/steps.ts";

// From the bottom up. Each layer may import from itself and from the layers before it.
const LAYERS = ["steps", "tools", "bench", "slides", "tests"] as const;
type Layer = (typeof LAYERS)[number];

// Folders that hold no source of ours: installed packages, compiled pages, results of runs.
const SKIPPED_FOLDERS = new Set(["node_modules", "js", "results", "test-results", "playwright-report"]);

interface SourceFile {
  // The path from the repository's root, with "/" between folders.
  path: string;
  text: string;
}

// `import … from "./x.ts"`, `export … from "./x.ts"`, `import "./x.ts"` and `import("./x.ts")`: the relative ones.
const IMPORT_PATTERNS = [/\bfrom\s+"(\.[^"]+)"/g, /\bimport\s+"(\.[^"]+)"/g, /\bimport\(\s*"(\.[^"]+)"\s*\)/g];

// The layer of a file, from its first folder. A step's own tests are tests: they may use the tooling.
function layerOf(path: string): Layer | undefined {
  const [top = "", second] = path.split("/");
  if (STEPS.some((step) => step.folder === top)) {
    return second === "tests" ? "tests" : "steps";
  }
  if (top === "homework") {
    return "tests";
  }
  return LAYERS.find((layer) => layer === top);
}

// The files a file imports, as paths from the root.
function importsOf(file: SourceFile): string[] {
  const found: string[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of file.text.matchAll(pattern)) {
      found.push(
        normalize(join(dirname(file.path), match[1] as string))
          .split("\\")
          .join("/"),
      );
    }
  }
  return found;
}

// Every import that runs up a layer, or from one step into another.
function upwardImports(files: SourceFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    if (from === undefined) {
      continue;
    }
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      if (to === undefined) {
        continue;
      }
      if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) {
        problems.push(`${file.path} imports ${target}: ${from} may not import from ${to}`);
      } else if (from === "steps" && to === "steps" && target.split("/")[0] !== file.path.split("/")[0]) {
        problems.push(`${file.path} imports ${target}: a step imports only from its own folder`);
      }
    }
  }
  return problems;
}

// Every circle of imports, each once, as the chain of files that closes it.
function importCircles(files: SourceFile[]): string[] {
  const graph = new Map(files.map((file) => [file.path, importsOf(file)]));
  const circles: string[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];

  function visit(path: string): void {
    const repeat = onPath.indexOf(path);
    if (repeat >= 0) {
      circles.push([...onPath.slice(repeat), path].join(" → "));
      return;
    }
    if (done.has(path) || !graph.has(path)) {
      return;
    }
    onPath.push(path);
    for (const target of graph.get(path) ?? []) {
      visit(target);
    }
    onPath.pop();
    done.add(path);
  }

  for (const path of graph.keys()) {
    visit(path);
  }
  return circles;
}

function sourceFiles(folder: string): SourceFile[] {
  const files: SourceFile[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) {
      files.push(...sourceFiles(path));
    } else if (entry.isFile() && entry.name.endsWith(".ts")) {
      files.push({ path: relative(ROOT, path).split("\\").join("/"), text: readFileSync(path, "utf8") });
    }
  }
  return files;
}

function repositoryFiles(): SourceFile[] {
  const folders = [...STEPS.map((step) => step.folder), "tools", "bench", "slides", "tests", "homework"];
  return folders.flatMap((folder) => sourceFiles(join(ROOT, folder)));
}

test("no import runs back up: steps ← tools ← bench ← slides, tests on top, each step on its own", () => {
  const files = repositoryFiles();
  expect(files.length).toBeGreaterThan(100);
  expect(upwardImports(files)).toEqual([]);
});

test("no circle of imports", () => {
  expect(importCircles(repositoryFiles())).toEqual([]);
});

test("the checks name an upward import and a circle when there is one", () => {
  const files: SourceFile[] = [
    { path: "tools/a.ts", text: 'import { b } from "./b.ts";\nimport type { Row } from "../bench/report.ts";' },
    { path: "tools/b.ts", text: 'export { a } from "./a.ts";' },
    { path: "bench/report.ts", text: 'import { deck } from "../slides/paths.ts";' },
    { path: "02-http-polling/server.ts", text: 'import { store } from "../01-http-refresh/store.ts";' },
    { path: "slides/paths.ts", text: "export const deck = 1;" },
  ];
  expect(upwardImports(files)).toEqual([
    "tools/a.ts imports bench/report.ts: tools may not import from bench",
    "bench/report.ts imports slides/paths.ts: bench may not import from slides",
    "02-http-polling/server.ts imports 01-http-refresh/store.ts: a step imports only from its own folder",
  ]);
  expect(importCircles(files)).toEqual(["tools/a.ts → tools/b.ts → tools/a.ts"]);
});
