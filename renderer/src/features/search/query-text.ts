/**
 * @file Editing the search text through its chips: cut a chip's span out of the query and tidy what is
 * left, and find a chip's span again in text the user has typed on since the answer came. Runs in the
 * renderer; pure, so it is unit-tested directly.
 *
 * See [Note: Search contract] in preload/contract/search.ts: the query text is the one source of truth,
 * and a chip is only a span of it.
 */

/** A [start, end) range of UTF-16 offsets in a query text. */
export type Span = readonly [number, number];

/** Collapses runs of whitespace, drops spaces before punctuation and stray separators at either end. */
export function tidyQuery(text: string): string {
  return text
    .replace(/\s+/gu, ' ')
    .replace(/ ([,;.!?])/gu, '$1')
    .replace(/([,;])(?:\s*[,;])+/gu, '$1')
    .replace(/^[\s,;]+|[\s,;]+$/gu, '');
}

/** The query without the text of `span` (clamped to the text), tidied. */
export function cutSpan(text: string, span: Span): string {
  const start = Math.max(0, Math.min(text.length, Math.floor(span[0])));
  const end = Math.max(start, Math.min(text.length, Math.floor(span[1])));
  // A space where the words were, so the words either side never run together.
  return tidyQuery(end > start ? `${text.slice(0, start)} ${text.slice(end)}` : text);
}

/**
 * Where a chip's span of `answered` (the text its search ran on) is in `current` (the field now): the
 * same offsets when that stretch is unchanged there, else the one place the phrase occurs, else null
 * (the user has edited the phrase itself, so the chip no longer points anywhere).
 */
export function locateSpan(current: string, answered: string, span: Span): Span | null {
  const [start, end] = span;
  if (start < 0 || end > answered.length || end <= start) return null;
  const phrase = answered.slice(start, end);
  if (current === answered || current.slice(start, end) === phrase) return [start, end];
  const at = current.indexOf(phrase);
  if (at < 0 || current.indexOf(phrase, at + 1) >= 0) return null;
  return [at, at + phrase.length];
}
