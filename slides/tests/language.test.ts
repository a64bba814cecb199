// The deck's languages: `npm run slides -- --lang uk` serves the Ukrainian twins of the sections, an unknown language
// gets one clear line, and a Ukrainian deck with a section not yet translated does not start but names the file.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { REPOSITORY_DIR } from "../paths.ts";
import { SECTIONS_DIR } from "../excerpts.ts";
import { checkTranslated, indexPage, sectionFileIn, sectionsInDeck } from "../language.ts";

// Runs `npm run slides` with these arguments and environment; every case here fails before the server starts.
function startDeck(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "slides/main.ts", ...args], {
    cwd: REPOSITORY_DIR,
    env: { ...process.env, SLIDES_PORT: "0", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

test("an unknown language, from --lang or SLIDES_LANG, gets one clear line and exit code 1", () => {
  // Three starts of the deck's script, each compiling TypeScript: slow on a busy machine.
  test.setTimeout(120_000);
  const fromOption = startDeck(["--lang", "fr"]);
  expect(fromOption.status).toBe(1);
  expect(fromOption.stderr.trim()).toBe('The deck has no language "fr". Choose one of: en, uk (--lang uk).');

  const fromEnvironment = startDeck([], { SLIDES_LANG: "ua" });
  expect(fromEnvironment.status).toBe(1);
  expect(fromEnvironment.stderr).toContain('The deck has no language "ua".');

  const withoutValue = startDeck(["--lang"]);
  expect(withoutValue.status).toBe(1);
  expect(withoutValue.stderr).toContain("--lang needs a language after it");
});

test("the Ukrainian page says lang=uk, has a Ukrainian title and loads the Ukrainian twin of every section", () => {
  const page = indexPage("uk");
  expect(page).toContain('<html lang="uk">');
  expect(page).toContain("<title>Вебкомунікація в реальному часі, крок за кроком</title>");
  for (const file of sectionsInDeck()) {
    expect(page).toContain(`data-markdown="/sections/${sectionFileIn("uk", file)}"`);
    expect(page).not.toContain(`data-markdown="/sections/${file}"`);
  }
  expect(page).toContain('data-markdown="/comparison.md"');
  expect(indexPage("en")).toContain('<html lang="en">');
});

test("a Ukrainian deck with a section not translated yet does not start, and names the file", () => {
  const folder = mkdtempSync(join(tmpdir(), "deck-sections-"));
  const [untranslated, ...translated] = sectionsInDeck();
  for (const file of translated) {
    copyFileSync(join(SECTIONS_DIR, file), join(folder, sectionFileIn("uk", file)));
  }
  expect(() => checkTranslated("uk", folder)).toThrow(
    `The uk deck is missing 1 section(s): slides/sections/${sectionFileIn("uk", untranslated ?? "")}.`,
  );
  copyFileSync(join(SECTIONS_DIR, untranslated ?? ""), join(folder, sectionFileIn("uk", untranslated ?? "")));
  expect(() => checkTranslated("uk", folder)).not.toThrow();
  expect(() => checkTranslated("en")).not.toThrow();
  rmSync(folder, { recursive: true, force: true });
});
