// The deck's languages. English is written in sections/NAME.md; each translation is a twin beside it,
// sections/NAME.uk.md, with its diagrams in diagrams/NAME.uk.txt. `npm run slides -- --lang uk` (or SLIDES_LANG=uk)
// serves the Ukrainian deck; every section in public/index.html must have its twin, or the deck does not start.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { option } from "../tools/report.ts";
import { SECTIONS_DIR } from "./excerpts.ts";
import { SLIDES_DIR } from "./paths.ts";

export const DECK_LANGUAGES = ["en", "uk"] as const;
export type DeckLanguage = (typeof DECK_LANGUAGES)[number];

export const INDEX_FILE = join(SLIDES_DIR, "public", "index.html");

// What the page's <title> says in each language (the English one is written in index.html).
const PAGE_TITLES: Record<DeckLanguage, string> = {
  en: "Real-time web communication, step by step",
  uk: "Вебкомунікація в реальному часі, крок за кроком",
};

function isDeckLanguage(code: string): code is DeckLanguage {
  return (DECK_LANGUAGES as readonly string[]).includes(code);
}

// The language asked for with `--lang CODE`, or else SLIDES_LANG, or else English.
function chosenLanguage(): DeckLanguage {
  if (process.argv.slice(2).at(-1) === "--lang") {
    throw new Error(`--lang needs a language after it: ${DECK_LANGUAGES.join(" or ")} (--lang uk).`);
  }
  const code = option("lang") ?? process.env.SLIDES_LANG ?? "en";
  if (!isDeckLanguage(code)) {
    throw new Error(`The deck has no language "${code}". Choose one of: ${DECK_LANGUAGES.join(", ")} (--lang uk).`);
  }
  return code;
}

// For `npm run slides` and `npm run slides:pdf`: the chosen language, every section of it translated, or one clear
// line that says what is wrong, and exit.
export function deckLanguageOrExit(): DeckLanguage {
  try {
    const language = chosenLanguage();
    checkTranslated(language);
    return language;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

// "intro.md" in English is "intro.uk.md" in Ukrainian.
export function sectionFileIn(language: DeckLanguage, englishFile: string): string {
  return language === "en" ? englishFile : englishFile.replace(/\.md$/, `.${language}.md`);
}

// A diagram's drawing in this language: "04-websockets.svg" in English is "04-websockets.uk.svg" in Ukrainian.
export function diagramFileIn(language: DeckLanguage, englishFile: string): string {
  return language === "en" ? englishFile : englishFile.replace(/\.(svg|txt)$/, `.${language}.$1`);
}

// The language a section file is written in: NAME.uk.md is Ukrainian, NAME.md English.
export function languageOfSection(file: string): DeckLanguage {
  const code = /\.([a-z]{2})\.md$/.exec(file)?.[1];
  return code !== undefined && isDeckLanguage(code) ? code : "en";
}

// The English section files, in the order public/index.html presents them.
export function sectionsInDeck(): string[] {
  const index = readFileSync(INDEX_FILE, "utf8");
  return [...index.matchAll(/data-markdown="\/sections\/([^"]+)"/g)].map((match) => match[1] ?? "");
}

// The sections of the deck that have no twin in this language yet.
function missingSections(language: DeckLanguage, sectionsDir = SECTIONS_DIR): string[] {
  return sectionsInDeck()
    .map((file) => sectionFileIn(language, file))
    .filter((file) => !existsSync(join(sectionsDir, file)));
}

// Fails with the list of missing files, so a half-translated deck is never shown as finished.
export function checkTranslated(language: DeckLanguage, sectionsDir = SECTIONS_DIR): void {
  const missing = missingSections(language, sectionsDir);
  if (missing.length > 0) {
    throw new Error(
      `The ${language} deck is missing ${missing.length} section(s): ${missing.map((file) => `slides/sections/${file}`).join(", ")}. ` +
        "Translate them from their English files (see slides/README.md, Translate).",
    );
  }
}

// public/index.html for this language: its lang attribute, its title and the section files it loads.
export function indexPage(language: DeckLanguage): string {
  const english = readFileSync(INDEX_FILE, "utf8");
  if (language === "en") {
    return english;
  }
  return english
    .replace('<html lang="en">', `<html lang="${language}">`)
    .replace(`<title>${PAGE_TITLES.en}</title>`, `<title>${PAGE_TITLES[language]}</title>`)
    .replace(/data-markdown="\/sections\/([^"]+)"/g, (_match, file: string) => {
      return `data-markdown="/sections/${sectionFileIn(language, file)}"`;
    });
}
