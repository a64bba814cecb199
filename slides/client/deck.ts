// The deck in the browser: reveal.js with slides written in Markdown (../sections), highlighted code and
// a speaker view. index.html maps the "reveal.js" imports to the files the deck server serves from node_modules.
import Reveal from "reveal.js";
import Highlight from "reveal.js/plugin/highlight";
import Markdown from "reveal.js/plugin/markdown";
import Notes from "reveal.js/plugin/notes";

// The size every slide is designed for. reveal.js scales it to the screen; the deck test checks that
// no slide's content overflows it.
const SLIDE_WIDTH = 1280;
const SLIDE_HEIGHT = 720;

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

interface CodeToken {
  text: string;
  lang?: string;
}

// A fence such as ```ts 03-http-longpolling/server.ts is an excerpt of that file: its name is shown above
// the code, and slides/tests/excerpts.test.ts checks that the code is still a run of lines of that file.
// A fence with a language alone (```ts) is a sketch that is not taken from the course's code.
function renderCode({ text, lang = "" }: CodeToken): string {
  const [language = "", source] = lang.trim().split(/\s+/);
  const caption = source ? `<figcaption class="source">${escapeHtml(source)}</figcaption>` : "";
  const code = `<pre><code class="language-${escapeHtml(language)}">${escapeHtml(text)}</code></pre>`;
  return `<figure class="code">${caption}${code}</figure>`;
}

Reveal.initialize({
  width: SLIDE_WIDTH,
  height: SLIDE_HEIGHT,
  hash: true,
  slideNumber: "c/t",
  transition: "fade",
  transitionSpeed: "fast",
  // One PDF page per slide, even where list items appear one by one in the lecture.
  pdfSeparateFragments: false,
  markdown: {
    // In a section file, a line "--" separates two slides (reveal.js stacks them vertically, so the
    // overview shows one column per section) and a line "Note:" starts the slide's speaker notes.
    separator: "^---$",
    verticalSeparator: "^--$",
    notesSeparator: "^Note:",
    renderer: { code: renderCode },
  },
  plugins: [Markdown, Highlight, Notes],
});

// reveal.js centres a slide by the height of its content when it shows it. A picture that arrives later (the slide
// was opened by its address, or the network is slow) makes the content taller: lay the slide out again then.
// A picture's load event does not bubble, so it is heard on its way down (capture).
document.addEventListener("load", layoutAgainForPicture, true);

function layoutAgainForPicture(event: Event): void {
  if (event.target instanceof HTMLImageElement) {
    Reveal.layout();
  }
}
