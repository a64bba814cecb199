// The check that a Ukrainian text holds no English left untranslated: its Latin words, except those on a list of words
// that stay as they are in Ukrainian (names, units, file names). The deck's Ukrainian comparison slides and the
// Ukrainian pictures of the benchmark are checked with it. A token with a digit in it ("p99", "es2024") is a name or a
// figure, not a word, and is passed over.
export function latinWordsNotKept(text: string, kept: Set<string>): string[] {
  const latin = text
    .split(/[\s|]+/)
    .filter((token) => !/\d/.test(token))
    .flatMap((token) => token.match(/[A-Za-z]+/g) ?? []);
  return [...new Set(latin.filter((word) => !kept.has(word)))];
}
