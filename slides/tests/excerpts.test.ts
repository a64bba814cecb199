// Every code excerpt on a slide must still be in the file it names, line for line, so the deck cannot
// drift from the code. Each step that exists must show its own server and page code, in every language of the deck;
// a translated section shows the same excerpts as its English file, byte for byte.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { STEPS, availableSteps } from "../../tools/steps.ts";
import { SECTIONS_DIR, allExcerpts, checkExcerpt, findExcerpts, sectionFiles, type Excerpt } from "../excerpts.ts";
import { DECK_LANGUAGES, diagramFileIn, languageOfSection, sectionFileIn } from "../language.ts";
import { SLIDES_DIR } from "../paths.ts";

const excerpts = allExcerpts();
const englishSections = sectionFiles().filter((file) => languageOfSection(file) === "en");
const translatedSections = sectionFiles().filter((file) => languageOfSection(file) !== "en");

test("every code excerpt on the slides is a run of lines of the file it names", () => {
  expect(excerpts.length).toBeGreaterThan(0);
  const problems = excerpts.map((excerpt) => checkExcerpt(excerpt)).filter((problem) => problem !== undefined);
  expect(problems, problems.join("\n\n")).toEqual([]);
});

for (const language of DECK_LANGUAGES) {
  for (const step of availableSteps()) {
    test(`the ${language} slides of ${step.folder} show excerpts of its server and its browser code`, () => {
      const ownExcerpts = excerpts
        .filter((excerpt) => excerpt.section === sectionFileIn(language, `${step.folder}.md`))
        .map((excerpt) => excerpt.source);
      expect(ownExcerpts).toContain(`${step.folder}/server.ts`);
      expect(ownExcerpts.some((source) => /^[^/]+\/(client|worker)\//.test(source))).toBe(true);
    });
  }

  for (const step of STEPS) {
    test(`the ${language} slides of ${step.folder} show the command that runs it and a diagram of its traffic`, () => {
      const file = join(SECTIONS_DIR, sectionFileIn(language, `${step.folder}.md`));
      expect(existsSync(file), `translate slides/sections/${step.folder}.md`).toBe(true);
      const section = readFileSync(file, "utf8");
      expect(section).toContain(`npm run example${step.number}`);
      expect(section).toContain(`](/diagrams/${diagramFileIn(language, `${step.folder}.svg`)})`);
      expect(section).toContain("Note:");
    });
  }
}

test("every step has a section file of its own, and every section file is in the deck", () => {
  const index = readFileSync(join(SLIDES_DIR, "public", "index.html"), "utf8");
  expect(englishSections).toEqual(expect.arrayContaining(STEPS.map((step) => `${step.folder}.md`)));
  const missing = englishSections.filter((file) => !index.includes(`data-markdown="/sections/${file}"`));
  expect(missing, `not listed in slides/public/index.html: ${missing.join(", ")}`).toEqual([]);
});

test("every translated section is the twin of an English one, with the same excerpts byte for byte", () => {
  expect(translatedSections.length).toBeGreaterThan(0);
  for (const translation of translatedSections) {
    const english = englishSections.find((file) => sectionFileIn(languageOfSection(translation), file) === translation);
    expect(english, `${translation} has no English section beside it`).toBeDefined();
    const code = (file: string): Omit<Excerpt, "section" | "line">[] =>
      findExcerpts(file, readFileSync(join(SECTIONS_DIR, file), "utf8")).map(({ source, code }) => ({ source, code }));
    expect(code(translation), `copy the code excerpts of ${english} into ${translation} as they are`).toEqual(
      code(english ?? ""),
    );
  }
});

// The check itself must be able to fail: an excerpt with one changed character, with a line left out,
// or naming a file that does not exist is reported.
test("the excerpt check reports an excerpt that no longer matches its file", () => {
  const source = ["function answer(): number {", "  const value = 42;", "", "  return value;", "}"].join("\n");
  const read = (): string => source;
  const excerpt = (code: string[]): Excerpt => ({
    section: "example.md",
    line: 7,
    source: "01-example/server.ts",
    code,
  });

  expect(checkExcerpt(excerpt(["const value = 42;", "", "return value;"]), read)).toBeUndefined();
  expect(checkExcerpt(excerpt(["  const value = 42;"]), read)).toBeUndefined();
  expect(checkExcerpt(excerpt(["const value = 43;"]), read)).toContain("example.md:7");
  expect(checkExcerpt(excerpt(["const value = 42;", "return value;"]), read)).toContain("no longer a run of lines");
  expect(checkExcerpt(excerpt(["function answer(): number {", "const value = 42;"]), read)).toContain(
    "no longer a run of lines",
  );
  expect(checkExcerpt(excerpt(["   "]), read)).toContain("is empty");
  expect(checkExcerpt(excerpt(["x"]), () => undefined)).toContain("does not exist");
});

test("fences with a language alone are sketches, not excerpts", () => {
  const markdown = ["```ts", "sketch();", "```", "", "```ts 01-http-refresh/server.ts", "code();", "```"].join("\n");
  expect(findExcerpts("example.md", markdown)).toEqual([
    { section: "example.md", line: 5, source: "01-http-refresh/server.ts", code: ["code();"] },
  ]);
});
