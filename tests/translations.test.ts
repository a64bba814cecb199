// The Ukrainian edition stays in step with the English one (tools/translations.ts). The first tests check the
// repository's own pairs; the others build small English/Ukrainian pairs in a temporary folder and show the check
// passing on a good translation and failing, with a message that names the file and the section, on each kind of
// drift.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, test } from "@playwright/test";
import { ROOT } from "../tools/steps.ts";
import { checkTranslations, requiredFiles, writeStamp } from "../tools/translations.ts";

test("every Ukrainian file matches its English file as it is now", () => {
  const report = checkTranslations();
  expect(report.problems).toEqual([]);
});

test("every English file of the course has its Ukrainian twin", () => {
  expect(checkTranslations().missing).toEqual([]);
});

function runTool(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  return spawnSync(process.execPath, ["--import", "tsx", "tools/translations.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, INIT_CWD: ROOT },
    encoding: "utf8",
  });
}

test("npm run translations prints the report, and --stamp refuses what it cannot stamp", () => {
  const report = runTool();
  expect(report.stdout).toMatch(/^\d+ pairs, 0 problems, \d+ twins missing/m);
  expect(report.status).toBe(0);
  const usage = runTool("--stamp");
  expect(usage.stderr).toContain("Name the Ukrainian file to stamp: npm run translations -- --stamp README.uk.md");
  expect(usage.status).toBe(1);
  const english = runTool("--stamp", "README.md");
  expect(english.stderr).toContain("README.md is not a Ukrainian file: its name must end with .uk.md");
  expect(english.status).toBe(1);
});

test("the required files are the READMEs of the root, the steps, the benchmark and the deck, and every slide section", () => {
  const required = requiredFiles();
  expect(required).toEqual(
    expect.arrayContaining([
      "README.md",
      "01-http-refresh/README.md",
      "06-shared-worker/README.md",
      "bench/README.md",
      "slides/README.md",
      "slides/sections/intro.md",
    ]),
  );
  expect(required.filter((path) => path.endsWith(".uk.md"))).toEqual([]);
});

// ---------------------------------------------------------------------------------------------------------------
// Small pairs, to show the check can fail

const ENGLISH_PAGE = `**English** · [Українська](README.uk.md)

# Chat

Open [step 04](04-websockets/README.md#run) in two tabs and send a message from one to the other.

## Quick start

\`\`\`bash
npm run example4
\`\`\`

A message arrives in 273 ms and costs 1,174 B. Run \`npm run bench\` to measure it again.

![Bars, one per step](bench/results/glance.svg)

| step | latency |
| ---- | ------- |
| 04   | 273 ms  |

## Tests

Run the tests with \`npm test\`.
`;

const UKRAINIAN_PAGE = `[English](README.md) · **Українська**

# Чат

Відкрийте [крок 04](04-websockets/README.uk.md#запуск) у двох вкладках і надішліть повідомлення з однієї в іншу.

## Швидкий старт

\`\`\`bash
npm run example4
\`\`\`

Повідомлення приходить за 273 ms і займає 1,174 B. Запустіть \`npm run bench\`, щоб виміряти це знову.

![Стовпчики, по одному на крок](bench/results/glance.svg)

| крок | затримка |
| ---- | -------- |
| 04   | 273 ms   |

## Тести

Запустіть тести командою \`npm test\`.
`;

const ENGLISH_SLIDES = `<!-- .slide: class="title" -->
# Real-time web

One chat, six techniques

Note:
Welcome. The deck is served by \`npm run slides\` in 2 s.

--

## Why real time?

HTTP is request and response.
`;

const UKRAINIAN_SLIDES = `<!-- .slide: class="title" -->
# Вебзв'язок у реальному часі

Один чат, шість технік

Note:
Вітаю. Слайди показує \`npm run slides\` за 2 s.

--

## Навіщо реальний час?

HTTP — це запит і відповідь.
`;

const PAGE = "README.md";
const SLIDES = "slides/sections/intro.md";
const LATIN_PARAGRAPH =
  "This paragraph was left in English by mistake, so the reader of the Ukrainian edition meets a long " +
  "stretch of Latin letters where a translation should be. The check counts the letters of the prose and " +
  "fails the section when fewer than three in five are Cyrillic.";

// A temporary repository holding the page and the deck section with their Ukrainian twins, both stamped.
function repositoryWithPairs(): string {
  const root = mkdtempSync(join(tmpdir(), "course-translations-"));
  const files = {
    [PAGE]: ENGLISH_PAGE,
    "README.uk.md": UKRAINIAN_PAGE,
    [SLIDES]: ENGLISH_SLIDES,
    "slides/sections/intro.uk.md": UKRAINIAN_SLIDES,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  writeStamp(root, "README.uk.md");
  writeStamp(root, "slides/sections/intro.uk.md");
  return root;
}

function edit(root: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(root, path), "utf8");
  expect(text, `${path} holds the text the test changes`).toContain(from);
  writeFileSync(join(root, path), text.replace(from, to));
}

function problemsOf(root: string): string[] {
  return checkTranslations(root, [PAGE, SLIDES]).problems;
}

test.describe("on small pairs", () => {
  let root = "";
  test.beforeEach(() => {
    root = repositoryWithPairs();
  });
  test.afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test("a good translation passes, and its stamp records the English file and its sections", () => {
    expect(problemsOf(root)).toEqual([]);
    const stamp = readFileSync(join(root, "README.uk.md"), "utf8").split("\n", 1)[0];
    expect(stamp).toMatch(
      /^<!-- translated from README\.md: sha256 [0-9a-f]{64}; sections: ([0-9a-f]{4}:[0-9a-f]{8} ?){4} -->$/,
    );
  });

  test("a changed English heading makes the translation out of date, naming the new heading", () => {
    edit(root, PAGE, "## Quick start", "## Quick run");
    expect(problemsOf(root)).toEqual([expect.stringMatching(/^README\.uk\.md is out of date: README\.md changed/)]);
    expect(problemsOf(root)[0]).toContain("heading changed: now «## Quick run»");
  });

  test("a changed English code block names its section, and the code blocks no longer match", () => {
    edit(root, PAGE, "npm run example4\n", "npm run example5\n");
    const problems = problemsOf(root);
    expect(problems[0]).toContain("text changed under «## Quick start»");
    expect(problems).toContain(
      "README.uk.md › «## Quick start»: code block 1 differs from English at its line 2: " +
        "English «npm run example5», Ukrainian «npm run example4»",
    );
  });

  test("an added English section is named as new", () => {
    edit(root, PAGE, "## Tests", "## Layout\n\nThe files.\n\n## Tests");
    expect(problemsOf(root)[0]).toContain("new section «## Layout»");
  });

  test("a figure changed in the translation is named, in the prose and in the table", () => {
    edit(root, "README.uk.md", "за 273 ms", "за 237 ms");
    edit(root, "README.uk.md", "| 04   | 273 ms   |", "| 04   | 237 ms   |");
    expect(problemsOf(root)).toEqual([
      "README.uk.md › «## Quick start»: table 1, row 2, column 2: English figures «273 ms», Ukrainian «237 ms»",
      "README.uk.md › «## Quick start»: figures of the English text missing in Ukrainian: 273 ms",
    ]);
  });

  test("a section missing in the translation fails on the headings", () => {
    edit(root, "README.uk.md", "## Тести\n\nЗапустіть тести командою `npm test`.\n", "");
    expect(problemsOf(root)).toEqual([
      "README.uk.md: the headings differ (English has 3 headings, Ukrainian 2): heading 3 is «## Tests» (level 2) " +
        "in English, no heading in Ukrainian; the sections are not compared until the headings match",
    ]);
  });

  test("a changed inline command and a changed link target are named", () => {
    edit(root, "README.uk.md", "`npm run bench`", "`npm run benchmark`");
    edit(root, "README.uk.md", "(04-websockets/README.uk.md#запуск)", "(05-sse/README.uk.md)");
    expect(problemsOf(root)).toEqual([
      "README.uk.md › «# Chat»: the link targets differ (English 1, Ukrainian 1); " +
        "1: English «04-websockets/README.md», Ukrainian «05-sse/README.md»",
      "README.uk.md › «## Quick start»: inline code missing in Ukrainian: `npm run bench`",
      "README.uk.md › «## Quick start»: inline code not in the English text: `npm run benchmark`",
    ]);
  });

  test("an inline command that wraps onto the next line is read as one span, in both languages", () => {
    edit(root, PAGE, "Run `npm run bench` to", "Run `npm run\nbench` to");
    writeStamp(root, "README.uk.md");
    expect(problemsOf(root)).toEqual([
      "README.uk.md › «## Quick start»: inline code missing in Ukrainian: `npm run\nbench`",
      "README.uk.md › «## Quick start»: inline code not in the English text: `npm run bench`",
    ]);
    edit(root, "README.uk.md", "`npm run bench`", "`npm run\nbench`");
    expect(problemsOf(root)).toEqual([]);
  });

  test("prose left in Latin letters fails as untranslated", () => {
    edit(root, "README.uk.md", "Запустіть тести командою `npm test`.", `${LATIN_PARAGRAPH} Run \`npm test\`.`);
    expect(problemsOf(root)).toContainEqual(
      expect.stringMatching(/^README\.uk\.md › «## Тести»: only \d+% of the prose letters are Cyrillic/),
    );
  });

  test("a slide's speaker notes missing in the translation are named with the slide", () => {
    edit(root, "slides/sections/intro.uk.md", "Note:\nВітаю. Слайди показує `npm run slides` за 2 s.\n", "");
    expect(problemsOf(root)).toEqual([
      "slides/sections/intro.uk.md › slide 1 «# Real-time web»: the English slide has speaker notes (Note:) and the other has none",
    ]);
  });

  test("a slide may show the Ukrainian drawing of its diagram, but not another picture", () => {
    edit(
      root,
      SLIDES,
      "HTTP is request and response.",
      "HTTP is request and response.\n\n![Diagram](/diagrams/01.svg)",
    );
    edit(
      root,
      "slides/sections/intro.uk.md",
      "HTTP — це запит і відповідь.",
      "HTTP — це запит і відповідь.\n\n![Діаграма](/diagrams/01.uk.svg)",
    );
    writeStamp(root, "slides/sections/intro.uk.md");
    expect(problemsOf(root)).toEqual([]);
    edit(root, "slides/sections/intro.uk.md", "/diagrams/01.uk.svg", "/diagrams/02.uk.svg");
    expect(problemsOf(root)).toEqual([expect.stringContaining("the images differ")]);
  });

  test("a page may show and link the Ukrainian twin of a benchmark picture, but not another picture", () => {
    edit(
      root,
      PAGE,
      "| step | latency |",
      "The [timeline](bench/results/timeline.svg) has more.\n\n| step | latency |",
    );
    edit(
      root,
      "README.uk.md",
      "| крок | затримка |",
      "Більше на [часовій шкалі](bench/results/timeline.uk.svg).\n\n| крок | затримка |",
    );
    edit(root, "README.uk.md", "(bench/results/glance.svg)", "(bench/results/glance.uk.svg)");
    writeStamp(root, "README.uk.md");
    expect(problemsOf(root)).toEqual([]);

    edit(root, "README.uk.md", "(bench/results/glance.uk.svg)", "(bench/results/load-growth.uk.svg)");
    edit(root, "README.uk.md", "(bench/results/timeline.uk.svg)", "(bench/results/timeline-04.uk.svg)");
    expect(problemsOf(root)).toEqual([
      "README.uk.md › «## Quick start»: the link targets differ (English 1, Ukrainian 1); " +
        "1: English «bench/results/timeline.svg», Ukrainian «bench/results/timeline-04.uk.svg»",
      "README.uk.md › «## Quick start»: the images differ (English 1, Ukrainian 1); " +
        "1: English «bench/results/glance.svg», Ukrainian «bench/results/load-growth.uk.svg»",
    ]);
  });

  test("an English page that shows a Ukrainian picture differs from its twin", () => {
    edit(root, PAGE, "(bench/results/glance.svg)", "(bench/results/glance.uk.svg)");
    writeStamp(root, "README.uk.md");
    expect(problemsOf(root)).toEqual([
      "README.uk.md › «## Quick start»: the images differ (English 1, Ukrainian 1); " +
        "1: English «bench/results/glance.uk.svg», Ukrainian «bench/results/glance.svg»",
    ]);
  });

  test("a changed English slide makes the deck section out of date, naming the slide", () => {
    edit(root, SLIDES, "HTTP is request and response.", "HTTP is a request and a response.");
    expect(problemsOf(root)).toEqual([expect.stringContaining("text changed under «## Why real time?»")]);
  });

  test("a missing twin is reported, and a Ukrainian file without an English one is a problem", () => {
    rmSync(join(root, "README.uk.md"));
    writeFileSync(join(root, "notes.uk.md"), "Нотатки\n");
    const report = checkTranslations(root, [PAGE, SLIDES]);
    expect(report.missing).toEqual([PAGE]);
    expect(report.problems).toEqual(["notes.uk.md has no English file notes.md beside it: rename or remove it"]);
  });
});
