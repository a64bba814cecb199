// A translated section starts with a stamp comment written by `npm run translations -- --stamp FILE`: which English
// text it was translated from. The deck serves sections without it, so the stamp never reaches a slide.
const STAMP_LINE = /^<!--\s*(?!\.slide:|\.element:)[^\n]*-->[ \t]*\r?\n/;

export function withoutStamp(markdown: string): string {
  return markdown.replace(STAMP_LINE, "");
}
