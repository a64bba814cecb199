// The sequence diagrams are drawn from text. Each committed drawing must match its text, fit a slide at
// full size (so its text stays readable when projected), and be shown on a slide.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { allSectionsText } from "../excerpts.ts";
import {
  DIAGRAMS_DIR,
  DIAGRAM_WIDTH,
  MAX_DIAGRAM_HEIGHT,
  diagramSources,
  drawingFor,
  parseDiagram,
  renderDiagram,
} from "../sequence-diagram.ts";

const sources = diagramSources();

test("there are diagrams to check", () => {
  expect(sources.length).toBeGreaterThan(0);
});

for (const source of sources) {
  const drawing = source.replace(/\.txt$/, ".svg");

  test(`diagrams/${drawing} is drawn from the current ${source}`, () => {
    const path = join(DIAGRAMS_DIR, drawing);
    expect(existsSync(path), `run: npx tsx slides/draw-diagrams.ts`).toBe(true);
    expect(readFileSync(path, "utf8"), `diagrams/${drawing} is out of date. Run: npx tsx slides/draw-diagrams.ts`).toBe(
      drawingFor(source),
    );
  });

  test(`diagrams/${drawing} fits a slide at full size and is shown on one`, () => {
    const size = /width="(\d+)" height="(\d+)"/.exec(drawingFor(source));
    expect(Number(size?.[1])).toBeLessThanOrEqual(DIAGRAM_WIDTH);
    expect(Number(size?.[2]), `${source} is too tall to show at full size: split it or shorten it`).toBeLessThanOrEqual(
      MAX_DIAGRAM_HEIGHT,
    );
    expect(allSectionsText()).toContain(`/diagrams/${drawing}`);
  });
}

test("a diagram's text with a mistake gets an error that names the line", () => {
  expect(() => parseDiagram("participants: A | B\nA -> C: hello", "broken.txt")).toThrow(
    'broken.txt:2: "C" is not in the participants line',
  );
  expect(() => parseDiagram("participants: A | B\nA talks to B", "broken.txt")).toThrow("broken.txt:2: cannot read");
  expect(() => parseDiagram("A -> B: hello", "broken.txt")).toThrow();
});

test("labels are escaped, and long labels wrap instead of running past the arrow", () => {
  const svg = renderDiagram(parseDiagram(`participants: A | B | C | D\nA -> B: <script> & ${"word ".repeat(30)}`));
  expect(svg).toContain("&lt;script&gt; &amp;");
  expect(svg).not.toContain("<script>");
  expect(svg.match(/class="label"/g)?.length).toBeGreaterThan(3);
});
