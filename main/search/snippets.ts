/**
 * @file Why a photo matched, as the user reads it: the stretch of its caption, tags, text in the image,
 * file name, folder, camera or place that holds the query's words, with the words marked by [start, end)
 * offsets. Computed in JS from the stored text, because the FTS index is contentless and has no
 * `highlight()` ([Note: Search index] in main/db/migrations/0005-search-fts.ts).
 *
 * Runs in main (and tests). Pure.
 *
 * [Note: Highlights follow the index's tokenizer] A word is marked where FTS5 would have matched it:
 * text is folded as `unicode61 remove_diacritics 2` folds it (lower case, then canonical decomposition
 * with the combining marks dropped: "São" reads "sao"), split into tokens of letters, digits and
 * private-use characters (a run of CJK is one token, as in FTS5), and each query word, split the same way
 * (`queryWords` of main/db/search.repo.ts), must match its tokens in a row, the last token of the last
 * word as a prefix. In the text in the image a word of 3 characters or more also matches inside words,
 * as the trigram table does. Offsets are UTF-16 code units of the stored text, as JS strings count.
 */
import type { MatchSnippet } from '../../preload/contract';
import { queryWords } from '../db/search.repo';

/** A query word as tokens to match. */
export interface TermWord {
  tokens: string[];
  /** The last token may be the beginning of a token (the user is still typing). */
  prefix: boolean;
  /** The folded word without edge punctuation, for inside-word matches; null under 3 characters. */
  core: string | null;
}

/** Longest snippet, in characters, before it is cut around the first match. */
export const SNIPPET_CHARS = 160;
/** Characters kept before the first match when a snippet is cut. */
const LEAD_CHARS = 40;
const ELLIPSIS = '…';
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;

/** `text` folded as the tokenizer folds it, with the original [start, end) of every folded code unit. */
function fold(text: string): { folded: string; from: Int32Array; to: Int32Array } {
  let folded = '';
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    // ASCII folds to itself, lower-cased; the rest through decomposition.
    const f =
      cp < 0x80
        ? cp >= 65 && cp <= 90
          ? String.fromCharCode(cp + 32)
          : text[i]!
        : String.fromCodePoint(cp).toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    // A mark that folds away belongs to the letter before it ("e" + U+0301 is one "é").
    if (f === '' && to.length > 0 && to[to.length - 1] === i) to[to.length - 1] = i + len;
    for (let k = 0; k < f.length; k++) {
      from.push(i);
      to.push(i + len);
    }
    folded += f;
    i += len;
  }
  return { folded, from: Int32Array.from(from), to: Int32Array.from(to) };
}

const foldPlain = (s: string) => fold(s).folded;

/** The query's words, folded and tokenised as the index would. */
export function queryTerms(query: string): TermWord[] {
  const words = queryWords(query);
  return words.flatMap((w, i) => {
    const tokens = foldPlain(w).match(TOKEN) ?? [];
    if (tokens.length === 0) return [];
    const core = foldPlain(w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''));
    return [{ tokens, prefix: i === words.length - 1, core: [...core].length >= 3 ? core : null }];
  });
}

/** Merges overlapping or touching ranges, in order. */
function merge(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Where the query's words occur in `text` ([Note: Highlights follow the index's tokenizer]). */
export function highlight(text: string, terms: readonly TermWord[], opts: { insideWords?: boolean } = {}): [number, number][] {
  if (!text || terms.length === 0) return [];
  const { folded, from, to } = fold(text);
  const tokens = [...folded.matchAll(TOKEN)].map((m) => ({ text: m[0], a: m.index, b: m.index + m[0].length }));
  const found: [number, number][] = [];
  for (const w of terms) {
    const n = w.tokens.length;
    for (let i = 0; i + n <= tokens.length; i++) {
      let ok = true;
      for (let j = 0; j < n && ok; j++) {
        const t = tokens[i + j]!.text;
        const q = w.tokens[j]!;
        ok = w.prefix && j === n - 1 ? t.startsWith(q) : t === q;
      }
      if (ok) found.push([from[tokens[i]!.a]!, to[tokens[i + n - 1]!.b - 1]!]);
    }
    if (opts.insideWords && w.core) {
      for (let at = folded.indexOf(w.core); at >= 0; at = folded.indexOf(w.core, at + 1))
        found.push([from[at]!, to[at + w.core.length - 1]!]);
    }
  }
  return merge(found);
}

/** `text` with its highlights, cut to SNIPPET_CHARS around the first one when longer. */
export function snippet(text: string, highlights: readonly [number, number][]): MatchSnippet {
  if (text.length <= SNIPPET_CHARS) return { text, highlights: highlights.map(([a, b]) => [a, b]) };
  const first = highlights[0]?.[0] ?? 0;
  let start = Math.max(0, first - LEAD_CHARS);
  if (start > 0) {
    // Begin at a word when one starts shortly after the cut.
    const space = text.slice(start, first).search(/\s\S/u);
    if (space >= 0) start += space + 1;
  }
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length) {
    const space = text.slice(first, end).search(/\s\S*$/u);
    if (space > 0) end = first + space;
  }
  const lead = start > 0 ? ELLIPSIS : '';
  const shift = lead.length - start;
  return {
    text: lead + text.slice(start, end) + (end < text.length ? ELLIPSIS : ''),
    highlights: highlights.flatMap(([a, b]) => (b <= start || a >= end ? [] : [[Math.max(a, start) + shift, Math.min(b, end) + shift]])),
  };
}

/**
 * A snippet of a list (tags, file names, folders): the items holding a word (up to `max`), or the first
 * items when none does, joined with ', '.
 */
export function listSnippet(items: readonly string[], terms: readonly TermWord[], max = 3): MatchSnippet {
  const marked = items.map((item) => ({ item, marks: highlight(item, terms) }));
  const hits = marked.filter((m) => m.marks.length > 0);
  const shown = (hits.length ? hits : marked).slice(0, max);
  let text = '';
  const highlights: [number, number][] = [];
  for (const { item, marks } of shown) {
    if (text) text += ', ';
    for (const [a, b] of marks) highlights.push([text.length + a, text.length + b]);
    text += item;
  }
  return snippet(text, highlights);
}
