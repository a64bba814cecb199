// The translation check: every Ukrainian file (X.uk.md) beside its English file (X.md) must be a translation of the
// English file as it is now. The Ukrainian file's first line is a stamp this tool writes: the English file's content
// hash and a short hash per English section. When the English file changes, the check names the sections whose text
// changed. It also compares the two files' structure: headings, code blocks, inline code, links, images, tables,
// figures, HTML, and for the deck's sections the slides and their speaker notes; and it checks that the Ukrainian
// prose is mostly Cyrillic.
//
//   npm run translations                              prints the report; exits with 1 on a problem
//   npm run translations -- --stamp README.uk.md      writes the stamp from the current English file
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, STEPS } from "./steps.ts";

// The Ukrainian prose, outside code, links' targets and HTML, must be at least this share Cyrillic letters.
export const MIN_CYRILLIC_SHARE = 0.6;
// A section or slide with fewer letters of prose than this is not judged on its own (a list of file names or a
// slide that is mostly code may be mostly Latin), only as part of the whole file.
const MIN_LETTERS_TO_JUDGE = 150;
// The stamp keeps this many hex digits of each section's heading hash and text hash.
const HEADING_HASH_LENGTH = 4;
const SECTION_HASH_LENGTH = 8;

// The deck's sections are slides, not pages: they are compared slide by slide and carry no language line.
const DECK_FOLDER = "slides/sections";
const UKRAINIAN_SUFFIX = ".uk.md";
// Folders that hold no text of ours.
const SKIPPED_FOLDERS = new Set(["node_modules", ".git", "results", "test-results", "playwright-report", "js"]);

export interface TranslationReport {
  // Each pair found, as "README.md ↔ README.uk.md".
  pairs: string[];
  // Each thing that differs, one sentence naming the file, the section and what differs.
  problems: string[];
  // Each required English file that has no Ukrainian twin yet.
  missing: string[];
}

function main(args: string[]): void {
  if (args[0] === "--stamp") {
    stampFiles(args.slice(1));
    return;
  }
  const report = checkTranslations();
  printReport(report);
  const failed = report.problems.length > 0 || report.missing.length > 0;
  process.exitCode = failed ? 1 : 0;
}

// Stamps each named Ukrainian file, then prints what still differs from its English file.
function stampFiles(paths: string[]): void {
  if (paths.length === 0) {
    console.error("Name the Ukrainian file to stamp: npm run translations -- --stamp README.uk.md");
    process.exitCode = 1;
    return;
  }
  // npm runs scripts in the repository's root; INIT_CWD is the folder the command was typed in.
  const typedIn = process.env.INIT_CWD ?? process.cwd();
  for (const path of paths) {
    const ukrainian = relative(ROOT, join(typedIn, path)).split("\\").join("/");
    const refusal = stampRefusal(ukrainian);
    if (refusal !== undefined) {
      console.error(refusal);
      process.exitCode = 1;
      continue;
    }
    writeStamp(ROOT, ukrainian);
    console.log(`stamped ${ukrainian} from ${englishNameOf(ukrainian)}`);
    const problems = checkPair(ROOT, englishNameOf(ukrainian));
    for (const problem of problems) {
      console.log(`  ✗ ${problem}`);
      process.exitCode = 1;
    }
  }
}

function stampRefusal(ukrainian: string): string | undefined {
  if (!ukrainian.endsWith(UKRAINIAN_SUFFIX)) {
    return `${ukrainian} is not a Ukrainian file: its name must end with ${UKRAINIAN_SUFFIX}`;
  }
  if (!existsSync(join(ROOT, ukrainian))) {
    return `${ukrainian} does not exist`;
  }
  if (!existsSync(join(ROOT, englishNameOf(ukrainian)))) {
    return `${ukrainian} has no English file ${englishNameOf(ukrainian)} beside it`;
  }
  return undefined;
}

function printReport(report: TranslationReport): void {
  for (const pair of report.pairs) {
    console.log(`pair      ${pair}`);
  }
  for (const name of report.missing) {
    console.log(`missing   ${name} has no Ukrainian twin ${ukrainianNameOf(name)}`);
  }
  for (const problem of report.problems) {
    console.log(`✗ ${problem}`);
  }
  console.log(
    `${report.pairs.length} pairs, ${report.problems.length} problems, ${report.missing.length} twins missing`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Which files

// The English files that must have a Ukrainian twin: the root README, every step's README, the benchmark's and the
// deck's README, and every section of the deck. Paths from `root`, with "/" between folders.
export function requiredFiles(root: string = ROOT): string[] {
  const pages = [
    "README.md",
    ...STEPS.map((step) => `${step.folder}/README.md`),
    "bench/README.md",
    "slides/README.md",
  ];
  const deckFolder = join(root, DECK_FOLDER);
  const deck = existsSync(deckFolder)
    ? readdirSync(deckFolder)
        .filter((name) => name.endsWith(".md") && !name.endsWith(UKRAINIAN_SUFFIX))
        .sort()
        .map((name) => `${DECK_FOLDER}/${name}`)
    : [];
  return [...pages, ...deck];
}

function ukrainianNameOf(english: string): string {
  return english.replace(/\.md$/, UKRAINIAN_SUFFIX);
}

function englishNameOf(ukrainian: string): string {
  return ukrainian.slice(0, -UKRAINIAN_SUFFIX.length) + ".md";
}

function isDeckSection(path: string): boolean {
  return dirname(path) === DECK_FOLDER;
}

// Checks every pair under `root`, and reports the required English files that have no twin.
export function checkTranslations(root: string = ROOT, required: string[] = requiredFiles(root)): TranslationReport {
  const ukrainianFiles = findUkrainianFiles(root, root);
  const problems: string[] = [];
  const pairs: string[] = [];
  for (const ukrainian of ukrainianFiles) {
    const english = englishNameOf(ukrainian);
    if (!existsSync(join(root, english))) {
      problems.push(`${ukrainian} has no English file ${english} beside it: rename or remove it`);
      continue;
    }
    pairs.push(`${english} ↔ ${ukrainian}`);
    problems.push(...checkPair(root, english));
  }
  for (const english of required.filter((name) => !isDeckSection(name) && existsSync(join(root, name)))) {
    problems.push(...checkEnglishLanguageLine(english, readFileSync(join(root, english), "utf8")));
  }
  const missing = required.filter((name) => !existsSync(join(root, ukrainianNameOf(name))));
  return { pairs, problems, missing };
}

function findUkrainianFiles(root: string, folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) {
      found.push(...findUkrainianFiles(root, path));
    } else if (entry.isFile() && entry.name.endsWith(UKRAINIAN_SUFFIX)) {
      found.push(relative(root, path).split("\\").join("/"));
    }
  }
  return found.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// The stamp

const STAMP_PATTERN = /^<!-- translated from (\S+): sha256 ([0-9a-f]{64}); sections: ([0-9a-f: ]*) -->$/;

export interface Stamp {
  english: string;
  sha256: string;
  // One entry per English section, in order: a short hash of its heading and one of its whole text.
  sections: { heading: string; text: string }[];
}

// The stamp line for a translation of `englishText`, which is the file `englishPath` (from the root).
function stampLine(englishPath: string, englishText: string): string {
  const sections = sectionsForStamp(englishPath, englishText)
    .map(
      (section) => `${shortHash(section.title, HEADING_HASH_LENGTH)}:${shortHash(section.text, SECTION_HASH_LENGTH)}`,
    )
    .join(" ");
  return `<!-- translated from ${basename(englishPath)}: sha256 ${sha256(englishText)}; sections: ${sections} -->`;
}

// Writes the stamp line at the top of the Ukrainian file `ukrainianPath` (from `root`), replacing an older one.
export function writeStamp(root: string, ukrainianPath: string): void {
  const english = englishNameOf(ukrainianPath);
  const englishText = readFileSync(join(root, english), "utf8");
  const { body } = splitStamp(readFileSync(join(root, ukrainianPath), "utf8"));
  writeFileSync(join(root, ukrainianPath), `${stampLine(english, englishText)}\n${body}`);
}

// The stamp of a Ukrainian file's text, if it has one, and the text after it.
export function splitStamp(text: string): { stamp: Stamp | undefined; body: string } {
  const newline = text.indexOf("\n");
  const firstLine = newline < 0 ? text : text.slice(0, newline);
  const match = STAMP_PATTERN.exec(firstLine);
  if (match === null) {
    return { stamp: undefined, body: text };
  }
  const sections = (match[3] as string)
    .split(" ")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [heading = "", sectionText = ""] = entry.split(":");
      return { heading, text: sectionText };
    });
  return {
    stamp: { english: match[1] as string, sha256: match[2] as string, sections },
    body: newline < 0 ? "" : text.slice(newline + 1),
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function shortHash(text: string, length: number): string {
  return sha256(text).slice(0, length);
}

// A page's sections are its headings with their text; a deck section's are its slides.
function sectionsForStamp(path: string, text: string): Part[] {
  return isDeckSection(path) ? splitSlides(text).slides.map((slide) => slide.whole) : splitSections(text);
}

// Compares the stamp with the English file as it is now, and names what changed since.
function checkStamp(ukrainian: string, english: string, englishText: string, stamp: Stamp | undefined): string[] {
  if (stamp === undefined) {
    return [`${ukrainian} has no stamp on its first line: when it is translated, run ${restampCommand(ukrainian)}`];
  }
  if (stamp.english !== basename(english)) {
    return [`${ukrainian}: its stamp names ${stamp.english}, but its English file is ${basename(english)}`];
  }
  if (stamp.sha256 === sha256(englishText)) {
    return [];
  }
  const changes = sectionChanges(stamp, sectionsForStamp(english, englishText));
  const what = changes.length > 0 ? changes.join("; ") : "its sections are the same, so only the file's end changed";
  return [
    `${ukrainian} is out of date: ${english} changed since it was translated. ${what}. To re-sync: translate the change, then run ${restampCommand(ukrainian)}`,
  ];
}

function restampCommand(ukrainian: string): string {
  return `npm run translations -- --stamp ${ukrainian}`;
}

// The sections that were changed, added, removed or renamed, named by their English heading now. The sections are
// matched by their heading hashes (the longest common sequence), so an added section does not shift the others.
function sectionChanges(stamp: Stamp, now: Part[]): string[] {
  const before = stamp.sections;
  const nowHeadings = now.map((part) => shortHash(part.title, HEADING_HASH_LENGTH));
  const matches = longestCommonSequence(
    before.map((section) => section.heading),
    nowHeadings,
  );
  const changes: string[] = [];
  let previousBefore = 0;
  let previousNow = 0;
  for (const [beforeIndex, nowIndex] of [...matches, [before.length, now.length] as const]) {
    const removed = beforeIndex - previousBefore;
    const added = now.slice(previousNow, nowIndex);
    added.forEach((part, index) => {
      changes.push(index < removed ? `heading changed: now ${quote(part.title)}` : `new section ${quote(part.title)}`);
    });
    for (let index = added.length; index < removed; index += 1) {
      changes.push(`section ${previousBefore + index + 1} of the translated version was removed`);
    }
    const part = now[nowIndex];
    if (part !== undefined && before[beforeIndex]?.text !== shortHash(part.text, SECTION_HASH_LENGTH)) {
      changes.push(`text changed under ${quote(part.title)}`);
    }
    previousBefore = beforeIndex + 1;
    previousNow = nowIndex + 1;
  }
  return changes;
}

// The pairs of indexes (in a, in b) of a longest common sequence of a and b, in order.
function longestCommonSequence(a: string[], b: string[]): (readonly [number, number])[] {
  const lengths = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      const row = lengths[i] as number[];
      const below = lengths[i + 1] as number[];
      row[j] = a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const pairs: (readonly [number, number])[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i += 1;
      j += 1;
    } else if ((lengths[i + 1]?.[j] ?? 0) >= (lengths[i]?.[j + 1] ?? 0)) {
      i += 1;
    } else {
      j += 1;
    }
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------------------------
// The language lines at the top of each file

function englishLanguageLine(english: string): string {
  return `**English** · [Українська](${basename(ukrainianNameOf(english))})`;
}

function ukrainianLanguageLine(english: string): string {
  return `[English](${basename(english)}) · **Українська**`;
}

function checkEnglishLanguageLine(english: string, text: string): string[] {
  const expected = englishLanguageLine(english);
  return firstLine(text) === expected ? [] : [`${english} must start with the language line: ${expected}`];
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

// ---------------------------------------------------------------------------------------------------------------
// One pair

// Every problem of the Ukrainian twin of `english` (a path from `root`).
function checkPair(root: string, english: string): string[] {
  const ukrainian = ukrainianNameOf(english);
  const englishText = readFileSync(join(root, english), "utf8");
  const { stamp, body } = splitStamp(readFileSync(join(root, ukrainian), "utf8"));
  const problems = checkStamp(ukrainian, english, englishText, stamp);
  if (isDeckSection(english)) {
    problems.push(...compareSlides(ukrainian, englishText, body));
  } else {
    problems.push(...comparePages(root, ukrainian, english, englishText, body));
  }
  return problems;
}

function comparePages(root: string, ukrainian: string, english: string, englishText: string, body: string): string[] {
  const problems: string[] = [];
  if (firstLine(body) !== ukrainianLanguageLine(english)) {
    problems.push(
      `${ukrainian} must start (after the stamp) with the language line: ${ukrainianLanguageLine(english)}`,
    );
  }
  const englishSections = splitSections(withoutLine(englishText, englishLanguageLine(english)));
  const ukrainianSections = splitSections(withoutLine(body, ukrainianLanguageLine(english)));
  const headingProblem = compareHeadings(englishSections, ukrainianSections);
  if (headingProblem !== undefined) {
    problems.push(`${ukrainian}: ${headingProblem}; the sections are not compared until the headings match`);
  } else {
    englishSections.forEach((section, index) => {
      const where = `${ukrainian} › ${quote(section.title)}`;
      problems.push(...compareParts(where, facts(section.text), facts((ukrainianSections[index] as Part).text)));
    });
  }
  problems.push(...checkCyrillic(ukrainian, ukrainianSections));
  problems.push(...checkAnchors(root, ukrainian, body));
  return problems;
}

function compareSlides(ukrainian: string, englishText: string, body: string): string[] {
  const englishDeck = splitSlides(englishText);
  const ukrainianDeck = splitSlides(body);
  const problems: string[] = [];
  if (englishDeck.separators.join(" ") !== ukrainianDeck.separators.join(" ")) {
    const count = `English has ${englishDeck.slides.length} slides, Ukrainian ${ukrainianDeck.slides.length}`;
    return [
      `${ukrainian}: the slides differ (${count}, or their separators -- and --- differ); compare slide by slide`,
    ];
  }
  const headingProblem = compareHeadings(
    englishDeck.slides.map((slide) => slide.whole),
    ukrainianDeck.slides.map((slide) => slide.whole),
  );
  if (headingProblem !== undefined) {
    problems.push(`${ukrainian}: ${headingProblem}`);
  }
  englishDeck.slides.forEach((slide, index) => {
    const twin = ukrainianDeck.slides[index] as Slide;
    const where = `${ukrainian} › slide ${index + 1} ${quote(slide.whole.title)}`;
    problems.push(...compareParts(where, facts(slide.content), facts(twin.content)));
    if (slide.notes === undefined && twin.notes === undefined) {
      return;
    }
    if (slide.notes === undefined || twin.notes === undefined) {
      const has = slide.notes === undefined ? "the Ukrainian slide has" : "the English slide has";
      problems.push(`${where}: ${has} speaker notes (Note:) and the other has none`);
      return;
    }
    problems.push(...compareParts(`${where} notes`, facts(slide.notes), facts(twin.notes)));
  });
  const parts = ukrainianDeck.slides.flatMap((slide, index) => [
    { title: `slide ${index + 1} ${quote(slide.whole.title)}`, text: slide.content },
    { title: `slide ${index + 1} ${quote(slide.whole.title)} notes`, text: slide.notes ?? "" },
  ]);
  problems.push(...checkCyrillic(ukrainian, parts));
  return problems;
}

function withoutLine(text: string, line: string): string {
  return firstLine(text) === line ? text.slice(line.length) : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Splitting a file into sections or slides

interface Part {
  // The heading line ("## Quick start"), or for a slide its first heading or first line.
  title: string;
  text: string;
}

const TOP_OF_FILE = "(top of the file, before the first heading)";

// A page's sections: the text before the first heading, then each heading with its text up to the next heading.
function splitSections(text: string): Part[] {
  const sections: Part[] = [{ title: TOP_OF_FILE, text: "" }];
  for (const { line, inCode } of classifyLines(text)) {
    const current = sections[sections.length - 1] as Part;
    if (!inCode && HEADING.test(line)) {
      sections.push({ title: line.trim(), text: `${line}\n` });
    } else {
      current.text += `${line}\n`;
    }
  }
  return sections;
}

interface Slide {
  whole: Part;
  content: string;
  // The speaker notes, after the line "Note:", if the slide has them.
  notes: string | undefined;
}

// The deck's separators (slides/client/deck.ts): "---" between horizontal slides, "--" between vertical ones, and a
// line starting with "Note:" begins the slide's speaker notes.
const SLIDE_SEPARATOR = /^(---|--)$/;
const NOTES_START = /^Note:/;

function splitSlides(text: string): { slides: Slide[]; separators: string[] } {
  const separators: string[] = [];
  const slideTexts: string[] = [""];
  for (const { line, inCode } of classifyLines(text)) {
    if (!inCode && SLIDE_SEPARATOR.test(line)) {
      separators.push(line);
      slideTexts.push("");
    } else {
      slideTexts[slideTexts.length - 1] += `${line}\n`;
    }
  }
  return { slides: slideTexts.map(toSlide), separators };
}

function toSlide(text: string, index: number): Slide {
  const lines = classifyLines(text);
  const notesAt = lines.findIndex(({ line, inCode }) => !inCode && NOTES_START.test(line));
  const content = notesAt < 0 ? lines : lines.slice(0, notesAt);
  const heading = content.find(({ line, inCode }) => !inCode && HEADING.test(line));
  const firstText = content.find(({ line }) => line.trim() !== "" && !line.startsWith("<!--"));
  const title = heading?.line.trim() ?? firstText?.line.trim() ?? `slide ${index + 1}`;
  return {
    whole: { title, text },
    content: joinLines(content),
    notes: notesAt < 0 ? undefined : joinLines(lines.slice(notesAt)).replace(NOTES_START, ""),
  };
}

function joinLines(lines: ClassifiedLine[]): string {
  return lines.map(({ line }) => `${line}\n`).join("");
}

const HEADING = /^(#{1,6})\s+\S/;
const FENCE = /^(\s*)(`{3,}|~{3,})/;

interface ClassifiedLine {
  line: string;
  // True for a fenced code block's lines, its fences included.
  inCode: boolean;
  // The indentation of the block's opening fence, taken off each of its lines when blocks are compared.
  indent: string;
  // "open" and "close" mark a block's fences.
  fence: "open" | "close" | undefined;
}

function classifyLines(text: string): ClassifiedLine[] {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  let open: { marker: string; indent: string } | undefined;
  return lines.map((line): ClassifiedLine => {
    const match = FENCE.exec(line);
    if (open === undefined) {
      if (match === null) {
        return { line, inCode: false, indent: "", fence: undefined };
      }
      open = { marker: match[2] as string, indent: match[1] as string };
      return { line, inCode: true, indent: open.indent, fence: "open" };
    }
    const indent = open.indent;
    const closes = match !== null && (match[2] as string).startsWith(open.marker) && line.trim() === match[2];
    if (closes) {
      open = undefined;
    }
    return { line, inCode: true, indent, fence: closes ? "close" : undefined };
  });
}

function compareHeadings(english: Part[], ukrainian: Part[]): string | undefined {
  const englishHeadings = headingsOf(english);
  const ukrainianHeadings = headingsOf(ukrainian);
  const length = Math.max(englishHeadings.length, ukrainianHeadings.length);
  for (let index = 0; index < length; index += 1) {
    const a = englishHeadings[index];
    const b = ukrainianHeadings[index];
    if (a?.level !== b?.level) {
      const count = `English has ${englishHeadings.length} headings, Ukrainian ${ukrainianHeadings.length}`;
      const englishSide = a === undefined ? "no heading" : `${quote(a.line)} (level ${a.level})`;
      const ukrainianSide = b === undefined ? "no heading" : `${quote(b.line)} (level ${b.level})`;
      return `the headings differ (${count}): heading ${index + 1} is ${englishSide} in English, ${ukrainianSide} in Ukrainian`;
    }
  }
  return undefined;
}

function headingsOf(parts: Part[]): { line: string; level: number }[] {
  return parts.flatMap((part) =>
    classifyLines(part.text)
      .filter(({ line, inCode }) => !inCode && HEADING.test(line))
      .map(({ line }) => ({ line: line.trim(), level: (HEADING.exec(line)?.[1] as string).length })),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// What a section or slide holds

interface Facts {
  codeBlocks: string[];
  inlineCode: string[];
  // Link targets in order, each without its anchor, a link to X.uk.md counted as one to X.md.
  links: string[];
  images: string[];
  html: string[];
  tables: { rows: number; columns: number; figures: string[][] }[];
  // Numbers in the prose outside tables, with their unit symbol when they have one ("273 ms", "1,174 B", "6").
  figures: string[];
  // The prose itself, outside code, link targets and HTML.
  prose: string;
}

const INLINE_CODE = /(`+)([\s\S]*?[^`])\1(?!`)/g;
const IMAGE = /!\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const LINK = /\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
const AUTOLINK = /<(https?:\/\/[^>\s]+)>|(?<![(<"])\bhttps?:\/\/[^\s)>\]]+/g;
const HTML = /<!--[\s\S]*?-->|<\/?[a-zA-Z][^<>]*>/g;
// A number not glued to a word ("h2", "es2024" are names), with its unit symbol if one follows.
const FIGURE =
  /(?<![\p{L}\p{N}_])\d+(?:[,.]\d+)*(?:\s?(?:KiB|MiB|GiB|KB|kB|MB|GB|B|ms|µs|μs|ns|s|min|h|%|×|x))?(?![\p{L}\p{N}_])/gu;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const HEADING_LINE = /^#{1,6}\s/;
const TABLE_DELIMITER = /^\s*\|(\s*:?-+:?\s*\|)+\s*$/;

function facts(text: string): Facts {
  const result: Facts = {
    codeBlocks: [],
    inlineCode: [],
    links: [],
    images: [],
    html: [],
    tables: [],
    figures: [],
    prose: "",
  };
  const lines = classifyLines(text);
  let block: string[] | undefined;
  let table: string[] = [];
  // Prose is read a paragraph at a time, because an inline code span or a link may wrap onto the next line.
  let paragraph: string[] = [];
  const flushTable = (): void => {
    if (table.length > 0) {
      result.tables.push(tableFacts(table, result));
      table = [];
    }
  };
  const flushParagraph = (): void => {
    if (paragraph.length > 0) {
      const prose = proseOf(paragraph.join("\n"), result);
      result.figures.push(...figuresOf(prose));
      result.prose += `${prose}\n`;
      paragraph = [];
    }
  };
  for (const { line, inCode, indent, fence } of lines) {
    if (inCode) {
      flushParagraph();
      flushTable();
      const unindented = line.startsWith(indent) ? line.slice(indent.length) : line;
      if (fence === "open" || block === undefined) {
        block = [];
      }
      block.push(unindented);
      if (fence === "close") {
        result.codeBlocks.push(block.join("\n"));
        block = undefined;
      }
      continue;
    }
    if (TABLE_ROW.test(line)) {
      flushParagraph();
      table.push(line);
      continue;
    }
    flushTable();
    if (line.trim() === "" || HEADING_LINE.test(line)) {
      flushParagraph();
    }
    paragraph.push(line);
  }
  flushParagraph();
  flushTable();
  if (block !== undefined) {
    result.codeBlocks.push(block.join("\n"));
  }
  return result;
}

// The prose of a line: inline code, images, link targets and HTML are taken out and recorded in `into`.
function proseOf(line: string, into: Facts): string {
  return line
    .replace(INLINE_CODE, (_match, _ticks: string, code: string) => {
      into.inlineCode.push(code);
      return " ";
    })
    .replace(IMAGE, (_match, alt: string, source: string) => {
      into.images.push(source);
      return alt;
    })
    .replace(LINK, (_match, text: string, target: string) => {
      into.links.push(linkTarget(target));
      return text;
    })
    .replace(AUTOLINK, (match: string, bracketed: string | undefined) => {
      into.links.push(bracketed ?? match);
      return " ";
    })
    .replace(HTML, (match) => {
      into.html.push(match);
      return " ";
    });
}

function linkTarget(target: string): string {
  const withoutAnchor = target.split("#")[0] as string;
  if (withoutAnchor === "") {
    return "#";
  }
  return withoutAnchor.endsWith(UKRAINIAN_SUFFIX) ? englishNameOf(withoutAnchor) : withoutAnchor;
}

// A picture drawn in Ukrainian sits beside its English one (slides/diagrams/NAME.uk.svg beside NAME.svg,
// bench/results/NAME.uk.svg beside NAME.svg): where the English file shows or links the English picture, the Ukrainian
// file may show or link the Ukrainian one. Only the Ukrainian side is read so: an English file that shows a Ukrainian
// picture differs from its twin.
function englishPicture(source: string): string {
  return source.replace(/\.uk\.svg$/, ".svg");
}

function figuresOf(prose: string): string[] {
  return [...prose.matchAll(FIGURE)].map((match) => match[0].replace(/\s+/g, " "));
}

function tableFacts(rows: string[], into: Facts): Facts["tables"][number] {
  const bodyRows = rows.filter((row) => !TABLE_DELIMITER.test(row));
  const cells = bodyRows.map((row) =>
    row
      .trim()
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((cell) => proseOf(cell, into)),
  );
  into.prose += `${cells.flat().join(" ")}\n`;
  return {
    rows: cells.length,
    columns: Math.max(...cells.map((row) => row.length)),
    figures: cells.map((row) => row.map((cell) => figuresOf(cell).join(" "))),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing what two sections hold

function compareParts(where: string, english: Facts, ukrainian: Facts): string[] {
  const problems: string[] = [];
  problems.push(...compareCodeBlocks(where, english.codeBlocks, ukrainian.codeBlocks));
  problems.push(...compareInlineCode(where, english.inlineCode, ukrainian.inlineCode));
  problems.push(...compareSequence(where, "link targets", english.links, ukrainian.links, englishPicture));
  problems.push(...compareSequence(where, "images", english.images, ukrainian.images, englishPicture));
  problems.push(...compareSequence(where, "HTML tags and comments", english.html, ukrainian.html));
  problems.push(...compareTables(where, english.tables, ukrainian.tables));
  const missing = missingItems(english.figures, ukrainian.figures);
  if (missing.length > 0) {
    problems.push(`${where}: figures of the English text missing in Ukrainian: ${missing.join(", ")}`);
  }
  return problems;
}

function compareCodeBlocks(where: string, english: string[], ukrainian: string[]): string[] {
  if (english.length !== ukrainian.length) {
    return [`${where}: English has ${english.length} code blocks, Ukrainian ${ukrainian.length}`];
  }
  const problems: string[] = [];
  english.forEach((block, index) => {
    const twin = ukrainian[index] as string;
    if (block === twin) {
      return;
    }
    const englishLines = block.split("\n");
    const ukrainianLines = twin.split("\n");
    const line = englishLines.findIndex((text, at) => text !== ukrainianLines[at]);
    const at = line < 0 ? englishLines.length : line;
    const shown = `English ${quote(englishLines[at] ?? "(end)")}, Ukrainian ${quote(ukrainianLines[at] ?? "(end)")}`;
    problems.push(`${where}: code block ${index + 1} differs from English at its line ${at + 1}: ${shown}`);
  });
  return problems;
}

// The rule for inline code: the section holds the same inline code spans in both languages (each span as many
// times or more in Ukrainian, and no span the English section lacks). Their order may change with the sentence.
function compareInlineCode(where: string, english: string[], ukrainian: string[]): string[] {
  const problems: string[] = [];
  const missing = missingItems(english, ukrainian);
  if (missing.length > 0) {
    problems.push(`${where}: inline code missing in Ukrainian: ${missing.map(code).join(", ")}`);
  }
  const extra = [...new Set(ukrainian.filter((span) => !english.includes(span)))];
  if (extra.length > 0) {
    problems.push(`${where}: inline code not in the English text: ${extra.map(code).join(", ")}`);
  }
  return problems;
}

// `asEnglish` reads a Ukrainian item as the English one it stands for; the items are shown as they are written.
function compareSequence(
  where: string,
  what: string,
  english: string[],
  ukrainian: string[],
  asEnglish = (item: string): string => item,
): string[] {
  const read = ukrainian.map(asEnglish);
  if (english.join("\n") === read.join("\n")) {
    return [];
  }
  const at = english.findIndex((item, index) => item !== read[index]);
  const index = at < 0 ? english.length : at;
  const shown = `English ${quote(english[index] ?? "(none)")}, Ukrainian ${quote(ukrainian[index] ?? "(none)")}`;
  return [
    `${where}: the ${what} differ (English ${english.length}, Ukrainian ${ukrainian.length}); ${index + 1}: ${shown}`,
  ];
}

function compareTables(where: string, english: Facts["tables"], ukrainian: Facts["tables"]): string[] {
  if (english.length !== ukrainian.length) {
    return [`${where}: English has ${english.length} tables, Ukrainian ${ukrainian.length}`];
  }
  const problems: string[] = [];
  english.forEach((table, index) => {
    const twin = ukrainian[index] as Facts["tables"][number];
    const name = `table ${index + 1}`;
    if (table.rows !== twin.rows || table.columns !== twin.columns) {
      const sizes = `English ${table.rows} rows × ${table.columns} columns, Ukrainian ${twin.rows} × ${twin.columns}`;
      problems.push(`${where}: ${name} differs in size: ${sizes}`);
      return;
    }
    table.figures.forEach((row, rowIndex) => {
      row.forEach((cell, column) => {
        const twinCell = twin.figures[rowIndex]?.[column] ?? "";
        if (cell !== twinCell) {
          const cellName = `row ${rowIndex + 1}, column ${column + 1}`;
          problems.push(`${where}: ${name}, ${cellName}: English figures ${quote(cell)}, Ukrainian ${quote(twinCell)}`);
        }
      });
    });
  });
  return problems;
}

// The items of `english` that `ukrainian` lacks, counting repeats.
function missingItems(english: string[], ukrainian: string[]): string[] {
  const left = [...ukrainian];
  const missing: string[] = [];
  for (const item of english) {
    const at = left.indexOf(item);
    if (at < 0) {
      missing.push(item);
    } else {
      left.splice(at, 1);
    }
  }
  return missing;
}

// ---------------------------------------------------------------------------------------------------------------
// Cyrillic prose, anchors

function checkCyrillic(ukrainian: string, parts: Part[]): string[] {
  const problems: string[] = [];
  let letters = 0;
  let cyrillic = 0;
  for (const part of parts) {
    const counts = letterCounts(facts(part.text).prose);
    letters += counts.letters;
    cyrillic += counts.cyrillic;
    if (counts.letters >= MIN_LETTERS_TO_JUDGE && counts.cyrillic / counts.letters < MIN_CYRILLIC_SHARE) {
      problems.push(`${ukrainian} › ${quote(part.title)}: ${cyrillicShare(counts)}: is it translated?`);
    }
  }
  if (letters > 0 && cyrillic / letters < MIN_CYRILLIC_SHARE) {
    problems.push(`${ukrainian}, the whole file: ${cyrillicShare({ letters, cyrillic })}`);
  }
  return problems;
}

function letterCounts(prose: string): { letters: number; cyrillic: number } {
  return {
    letters: (prose.match(/\p{L}/gu) ?? []).length,
    cyrillic: (prose.match(/\p{Script=Cyrillic}/gu) ?? []).length,
  };
}

function cyrillicShare(counts: { letters: number; cyrillic: number }): string {
  const share = Math.round((100 * counts.cyrillic) / counts.letters);
  return `only ${share}% of the prose letters are Cyrillic (at least ${MIN_CYRILLIC_SHARE * 100}% expected)`;
}

// A link with an anchor into a Ukrainian file (the file itself or another .uk.md) must name one of its headings.
function checkAnchors(root: string, ukrainian: string, body: string): string[] {
  const problems: string[] = [];
  const links: string[] = [];
  for (const { line, inCode } of classifyLines(body)) {
    if (!inCode) {
      for (const match of line.replace(INLINE_CODE, " ").matchAll(LINK)) {
        links.push(match[2] as string);
      }
    }
  }
  for (const link of links) {
    const [file = "", anchor] = link.split("#");
    if (anchor === undefined || (file !== "" && !file.endsWith(UKRAINIAN_SUFFIX))) {
      continue;
    }
    const target = file === "" ? ukrainian : join(dirname(ukrainian), file).split("\\").join("/");
    if (!existsSync(join(root, target))) {
      continue;
    }
    if (!headingAnchors(readFileSync(join(root, target), "utf8")).includes(anchor)) {
      problems.push(`${ukrainian}: the link ${quote(link)} points to no heading of ${target}`);
    }
  }
  return problems;
}

// The anchors GitHub gives a file's headings: lowercase, punctuation dropped, spaces made "-", repeats numbered.
function headingAnchors(text: string): string[] {
  const seen = new Map<string, number>();
  const anchors: string[] = [];
  for (const { line, inCode } of classifyLines(text)) {
    if (inCode || !HEADING.test(line)) {
      continue;
    }
    const slug = line
      .replace(/^#+\s+/, "")
      .replace(LINK, "$1")
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.push(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function quote(text: string): string {
  return `«${text}»`;
}

function code(text: string): string {
  return `\`${text}\``;
}

// Run from the command line: last, so that every constant above is set before main() uses it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
