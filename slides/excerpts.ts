// Code excerpts on the slides. A fence whose info string names a file after the language, such as
//   ```ts 03-http-longpolling/server.ts
// is an excerpt of that file (the path is from the repository's root). It must be a run of consecutive
// lines of the file, character for character; only an indentation common to all its lines may be left out.
// slides/tests/excerpts.test.ts runs this check, so a slide cannot drift from the code it shows.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY_DIR, SLIDES_DIR } from "./paths.ts";

export const SECTIONS_DIR = join(SLIDES_DIR, "sections");

export interface Excerpt {
  // Where the excerpt is written: the section file and the line of its opening fence (from 1).
  section: string;
  line: number;
  // The file it claims to show, relative to the repository's root.
  source: string;
  code: string[];
}

const FENCE = /^(`{3,}|~{3,})\s*(\S*)\s*(\S*)\s*$/;

export function sectionFiles(): string[] {
  return readdirSync(SECTIONS_DIR)
    .filter((name) => name.endsWith(".md"))
    .sort();
}

// Every fenced block of a Markdown text that names a source file.
export function findExcerpts(section: string, markdown: string): Excerpt[] {
  const lines = markdown.split(/\r?\n/);
  const excerpts: Excerpt[] = [];
  let index = 0;
  while (index < lines.length) {
    const opening = FENCE.exec(lines[index] ?? "");
    if (!opening) {
      index += 1;
      continue;
    }
    const marker = opening[1] ?? "```";
    const source = opening[3] ?? "";
    const closing = lines.findIndex((line, at) => at > index && line.trim() === marker);
    const end = closing === -1 ? lines.length : closing;
    if (source !== "") {
      excerpts.push({ section, line: index + 1, source, code: lines.slice(index + 1, end) });
    }
    index = end + 1;
  }
  return excerpts;
}

// The text of every slide, for checks that look for something on any slide.
export function allSectionsText(): string {
  return sectionFiles()
    .map((section) => readFileSync(join(SECTIONS_DIR, section), "utf8"))
    .join("\n");
}

export function allExcerpts(): Excerpt[] {
  return sectionFiles().flatMap((section) => findExcerpts(section, readFileSync(join(SECTIONS_DIR, section), "utf8")));
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

// The indentation that every non-empty line of the excerpt shares.
function commonIndent(code: string[]): number {
  const indents = code.filter((line) => line.trim() !== "").map(leadingSpaces);
  return indents.length === 0 ? 0 : Math.min(...indents);
}

// Does the file, from line `start` on, hold the excerpt with `indent` more spaces in front of every line?
function matchesAt(fileLines: string[], start: number, code: string[], indent: string): boolean {
  return code.every((line, offset) => {
    const fileLine = fileLines[start + offset];
    if (line.trim() === "") {
      return fileLine !== undefined && fileLine.trim() === "";
    }
    return fileLine === indent + line;
  });
}

// Why the excerpt is not in its source file, or undefined when it is.
export function checkExcerpt(excerpt: Excerpt, readSource = readRepositoryFile): string | undefined {
  const where = `${excerpt.section}:${excerpt.line}`;
  if (excerpt.code.every((line) => line.trim() === "")) {
    return `${where}: the excerpt of ${excerpt.source} is empty.`;
  }
  const text = readSource(excerpt.source);
  if (text === undefined) {
    return `${where}: ${excerpt.source} does not exist.`;
  }
  const fileLines = text.split(/\r?\n/);
  const code = excerpt.code.map((line) => line.slice(commonIndent(excerpt.code)));
  // The first line with text tells how far the file indents this part.
  const firstText = code.findIndex((line) => line.trim() !== "");
  for (let start = 0; start + code.length <= fileLines.length; start += 1) {
    const fileLine = fileLines[start + firstText] ?? "";
    const indent = " ".repeat(Math.max(0, leadingSpaces(fileLine) - leadingSpaces(code[firstText] ?? "")));
    if (matchesAt(fileLines, start, code, indent)) {
      return undefined;
    }
  }
  return `${where}: this excerpt is no longer a run of lines of ${excerpt.source}. Copy the current lines from the file.\n${excerpt.code.join("\n")}`;
}

function readRepositoryFile(path: string): string | undefined {
  const absolute = join(REPOSITORY_DIR, path);
  return existsSync(absolute) ? readFileSync(absolute, "utf8") : undefined;
}
