// Sequence diagrams for the slides, drawn as SVG from a few lines of text (slides/diagrams/*.txt), so a
// lecturer edits or translates a diagram like any other slide text. The format:
//
//   participants: Alice's page | Server | Bob's page
//   Alice's page -> Server: GET /api/messages      a request or a message sent (solid arrow);
//                                                   \n in a label starts a new line
//   Server --> Alice's page: 200 OK                 an answer (dashed arrow)
//   note Server: holds the request                  a note on a participant's line
//   ... 25 s later                                  time passes
//   # a comment
//
// `npx tsx slides/draw-diagrams.ts` (and `npm run slides`) writes NAME.svg next to each NAME.txt;
// slides/tests/diagrams.test.ts fails when a committed drawing no longer matches its text.
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { SLIDES_DIR } from "./paths.ts";

export const DIAGRAMS_DIR = join(SLIDES_DIR, "diagrams");

// Drawn at the size they are shown: no wider than a slide, no taller than the room under a slide's heading,
// so the smallest text stays at LABEL_FONT_SIZE pixels on a 1280 × 720 slide.
export const DIAGRAM_WIDTH = 1200;
export const MAX_DIAGRAM_HEIGHT = 560;
const LABEL_FONT_SIZE = 20;
// DejaVu Sans Mono and most monospace fonts advance 0.6 em per character: text width is known without a browser.
const CHARACTER_WIDTH = LABEL_FONT_SIZE * 0.6;
const LINE_HEIGHT = 24;
const MARGIN = 10;
const BOX_WIDTH = 190;
const BOX_HEIGHT = 50;
const NAME_FONT_SIZE = 22;

type Step =
  | { kind: "arrow"; from: number; to: number; dashed: boolean; label: string }
  | { kind: "note"; at: number; text: string }
  | { kind: "pause"; text: string };

export interface Diagram {
  participants: string[];
  steps: Step[];
}

const ARROW = /^(.+?)\s*(-->|->)\s*(.+?)\s*:\s*(.*)$/;
const NOTE = /^note\s+(.+?)\s*:\s*(.*)$/;

export function parseDiagram(text: string, name = "diagram"): Diagram {
  let participants: string[] = [];
  const steps: Step[] = [];

  function participant(label: string, lineNumber: number): number {
    const index = participants.indexOf(label.trim());
    if (index === -1) {
      throw new Error(
        `${name}:${lineNumber}: "${label.trim()}" is not in the participants line (${participants.join(" | ")}).`,
      );
    }
    return index;
  }

  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const lineNumber = index + 1;
    if (line === "" || line.startsWith("#")) {
      return;
    }
    if (line.startsWith("participants:")) {
      participants = line
        .slice("participants:".length)
        .split("|")
        .map((label) => label.trim());
      return;
    }
    if (line.startsWith("...")) {
      steps.push({ kind: "pause", text: line.slice(3).trim() });
      return;
    }
    const note = NOTE.exec(line);
    if (note) {
      steps.push({ kind: "note", at: participant(note[1] ?? "", lineNumber), text: note[2] ?? "" });
      return;
    }
    const arrow = ARROW.exec(line);
    if (arrow) {
      const from = participant(arrow[1] ?? "", lineNumber);
      const to = participant(arrow[3] ?? "", lineNumber);
      steps.push({ kind: "arrow", from, to, dashed: arrow[2] === "-->", label: arrow[4] ?? "" });
      return;
    }
    throw new Error(
      `${name}:${lineNumber}: cannot read "${line}". Expected "A -> B: label", "A --> B: label", "note A: text" or "... text".`,
    );
  });
  if (participants.length < 2) {
    throw new Error(`${name}: the first line must name two or more participants: "participants: A | B".`);
  }
  return { participants, steps };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// Breaks a label into lines of at most `width` pixels, between words, and wherever the text says \n.
function wrap(text: string, width: number): string[] {
  return text.split("\\n").flatMap((part) => wrapWords(part.trim(), width));
}

function wrapWords(text: string, width: number): string[] {
  const perLine = Math.max(8, Math.floor(width / CHARACTER_WIDTH));
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/)) {
    if (current !== "" && current.length + 1 + word.length > perLine) {
      lines.push(current);
      current = word;
    } else {
      current = current === "" ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}

function textLines(lines: string[], x: number, firstBaseline: number, anchor: string, style: string): string {
  return lines
    .map(
      (line, index) =>
        `<text x="${x}" y="${firstBaseline + index * LINE_HEIGHT}" text-anchor="${anchor}" class="${style}">${escapeXml(line)}</text>`,
    )
    .join("\n");
}

export function renderDiagram(diagram: Diagram): string {
  const count = diagram.participants.length;
  const gap = (DIAGRAM_WIDTH - 2 * MARGIN - BOX_WIDTH) / (count - 1);
  const columnX = (index: number): number => Math.round(MARGIN + BOX_WIDTH / 2 + index * gap);
  const parts: string[] = [];
  let y = MARGIN + BOX_HEIGHT + 16;

  for (const step of diagram.steps) {
    if (step.kind === "arrow") {
      const x1 = columnX(step.from);
      const x2 = columnX(step.to);
      const lines = wrap(step.label, Math.abs(x2 - x1) - 30);
      const baseline = y + LINE_HEIGHT - 6;
      parts.push(textLines(lines, (x1 + x2) / 2, baseline, "middle", "label"));
      const arrowY = y + lines.length * LINE_HEIGHT + 6;
      const tip = x2 > x1 ? x2 - 2 : x2 + 2;
      parts.push(
        `<line x1="${x1}" y1="${arrowY}" x2="${tip}" y2="${arrowY}" class="${step.dashed ? "answer" : "send"}" marker-end="url(#head)"/>`,
      );
      y = arrowY + 12;
    } else if (step.kind === "note") {
      const x = columnX(step.at);
      const width = Math.min(2 * gap - 40, DIAGRAM_WIDTH - 2 * MARGIN);
      const lines = wrap(step.text, width - 24);
      const boxWidth = Math.max(...lines.map((line) => line.length)) * CHARACTER_WIDTH + 24;
      const left = Math.min(Math.max(MARGIN, x - boxWidth / 2), DIAGRAM_WIDTH - MARGIN - boxWidth);
      const height = lines.length * LINE_HEIGHT + 14;
      parts.push(`<rect x="${left}" y="${y}" width="${boxWidth}" height="${height}" rx="6" class="note"/>`);
      parts.push(textLines(lines, left + boxWidth / 2, y + LINE_HEIGHT + 1, "middle", "label"));
      y += height + 14;
    } else {
      parts.push(`<line x1="${MARGIN}" y1="${y + 14}" x2="${DIAGRAM_WIDTH - MARGIN}" y2="${y + 14}" class="pause"/>`);
      if (step.text !== "") {
        const width = step.text.length * CHARACTER_WIDTH + 20;
        parts.push(
          `<rect x="${(DIAGRAM_WIDTH - width) / 2}" y="${y}" width="${width}" height="28" class="pause-label"/>`,
        );
        parts.push(textLines([step.text], DIAGRAM_WIDTH / 2, y + 20, "middle", "label pause-text"));
      }
      y += 40;
    }
  }

  const height = y + MARGIN;
  const lifelines = diagram.participants.map((_, index) => {
    const x = columnX(index);
    return `<line x1="${x}" y1="${MARGIN + BOX_HEIGHT}" x2="${x}" y2="${height - MARGIN}" class="lifeline"/>`;
  });
  const boxes = diagram.participants.map((name, index) => {
    const x = columnX(index);
    return (
      `<rect x="${x - BOX_WIDTH / 2}" y="${MARGIN}" width="${BOX_WIDTH}" height="${BOX_HEIGHT}" rx="8" class="participant"/>\n` +
      `<text x="${x}" y="${MARGIN + BOX_HEIGHT / 2 + 8}" text-anchor="middle" class="name">${escapeXml(name)}</text>`
    );
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${DIAGRAM_WIDTH}" height="${height}" viewBox="0 0 ${DIAGRAM_WIDTH} ${height}">`,
    "<style>",
    `  .label { font: ${LABEL_FONT_SIZE}px "DejaVu Sans Mono", Menlo, Consolas, monospace; fill: #222; }`,
    `  .name { font: bold ${NAME_FONT_SIZE}px "Source Sans Pro", "DejaVu Sans", Helvetica, Arial, sans-serif; fill: #123; }`,
    "  .participant { fill: #e8f0fb; stroke: #2a76dd; stroke-width: 2; }",
    "  .lifeline { stroke: #9ab; stroke-width: 2; stroke-dasharray: 6 6; }",
    "  .send { stroke: #1f4e99; stroke-width: 3; }",
    "  .answer { stroke: #2e7d32; stroke-width: 3; stroke-dasharray: 10 6; }",
    "  .note { fill: #fff4c2; stroke: #c9a800; stroke-width: 1.5; }",
    "  .pause { stroke: #999; stroke-width: 1.5; stroke-dasharray: 2 6; }",
    "  .pause-label { fill: #fff; }",
    "  .pause-text { font-style: italic; fill: #555; }",
    "</style>",
    '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">',
    '<path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
    ...lifelines,
    ...boxes,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

export function diagramSources(): string[] {
  return readdirSync(DIAGRAMS_DIR)
    .filter((name) => name.endsWith(".txt"))
    .sort();
}

export function drawingFor(source: string): string {
  return renderDiagram(parseDiagram(readFileSync(join(DIAGRAMS_DIR, source), "utf8"), source));
}

// Writes NAME.svg for every NAME.txt whose drawing changed; returns the files written.
export function drawAllDiagrams(): string[] {
  const written: string[] = [];
  for (const source of diagramSources()) {
    const target = join(DIAGRAMS_DIR, source.replace(/\.txt$/, ".svg"));
    const drawing = drawingFor(source);
    if (!existsSync(target) || readFileSync(target, "utf8") !== drawing) {
      writeFileSync(target, drawing);
      written.push(target);
    }
  }
  return written;
}
