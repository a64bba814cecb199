// The sequence diagrams are drawn from text. Each committed drawing must match its text, fit a slide at
// full size (so its text stays readable when projected), and be shown on a slide. Every diagram has a twin in each
// language of the deck (NAME.uk.txt) that draws the same arrows between the same participants.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { allSectionsText } from "../excerpts.ts";
import { DECK_LANGUAGES, diagramFileIn } from "../language.ts";
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

// What a diagram draws, without its words: which kind of step goes from which participant to which.
function shape(source: string): string[] {
  const diagram = parseDiagram(readFileSync(join(DIAGRAMS_DIR, source), "utf8"), source);
  const steps = diagram.steps.map((step) => {
    if (step.kind === "arrow") {
      return `${step.dashed ? "answer" : "send"} ${step.from} -> ${step.to}`;
    }
    return step.kind === "note" ? `note at ${step.at}` : "pause";
  });
  return [`${diagram.participants.length} participants`, ...steps];
}

// The protocol in a label: words with a digit, a slash, braces, quotes or an underscore, and words in capitals
// (GET, "text", /api/messages, 201, E:8, TAB_HEARTBEAT_MS). A translation keeps them as they are.
const PROTOCOL_WORD = /[/{}"=\d_]|^[A-Z]{2,}\b/;

function protocolWords(source: string): string[][] {
  const diagram = parseDiagram(readFileSync(join(DIAGRAMS_DIR, source), "utf8"), source);
  return diagram.steps.map((step) => {
    const text = step.kind === "arrow" ? step.label : step.text;
    return text.split(/\s+/).filter((word) => PROTOCOL_WORD.test(word));
  });
}

const englishSources = sources.filter((source) => !/\.[a-z]{2}\.txt$/.test(source));

for (const language of DECK_LANGUAGES.filter((code) => code !== "en")) {
  for (const source of englishSources) {
    const twin = diagramFileIn(language, source);

    test(`diagrams/${twin} draws what ${source} draws, with its words in ${language}`, () => {
      expect(existsSync(join(DIAGRAMS_DIR, twin)), `translate the labels of diagrams/${source} into ${twin}`).toBe(
        true,
      );
      expect(shape(twin)).toEqual(shape(source));
      expect(readFileSync(join(DIAGRAMS_DIR, twin), "utf8")).not.toEqual(
        readFileSync(join(DIAGRAMS_DIR, source), "utf8"),
      );
      const twinSteps = parseDiagram(readFileSync(join(DIAGRAMS_DIR, twin), "utf8"), twin).steps;
      protocolWords(source).forEach((words, index) => {
        const step = twinSteps[index];
        const text = step?.kind === "arrow" ? step.label : (step?.text ?? "");
        for (const word of words) {
          expect(text, `${twin}, step ${index + 1}: keep "${word}" as in ${source}`).toContain(word);
        }
      });
    });
  }
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
