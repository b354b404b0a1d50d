/**
 * @file The query parser's working copy of the text ([Note: Query filters] in ./query-parser.ts): what
 * the rules have used is blanked and what is fenced off is masked, one UTF-16 unit for one, so an index
 * into the view is an index into the text. Every filter records the span it came from.
 *
 * Runs in main (and tests). Pure.
 *
 * [Note: Chip spans] A filter's `span` is [start, end) in UTF-16 units of the text the user typed
 * ([Note: Search contract] in preload/contract/search.ts: the UI cuts a chip out of the query by it).
 * The rules read an NFC copy of the text (a decomposed "São" must match like a composed one), so
 * `normalizeWithOffsets` keeps, for each unit of the copy, where it came from; a span is mapped back to
 * the whole original characters it covers. Spans exclude the white space around the phrase.
 */

export const MASK = '\uE000';

/** The NFC form of `text` and, for each of its units, the [start, end) of the original it came from. */
export function normalizeWithOffsets(text: string): { text: string; from: Int32Array; to: Int32Array } {
  const nfc = text.normalize('NFC');
  const from = new Int32Array(nfc.length + 1);
  const to = new Int32Array(nfc.length + 1);
  if (nfc === text) {
    for (let i = 0; i <= nfc.length; i++) [from[i], to[i]] = [i, i + 1];
    to[nfc.length] = text.length;
    return { text, from, to };
  }
  // Normalise segment by segment: a segment is a character and the marks (and Hangul jamo) after it,
  // the units NFC composes; each output unit maps to its whole segment.
  let out = '';
  for (const m of text.matchAll(/[^\p{M}\u1160-\u11FF][\p{M}\u1160-\u11FF]*|[\p{M}\u1160-\u11FF]+/gsu)) {
    const seg = m[0].normalize('NFC');
    for (let k = 0; k < seg.length; k++) [from[out.length + k], to[out.length + k]] = [m.index, m.index + m[0].length];
    out += seg;
  }
  from[out.length] = text.length;
  to[out.length] = text.length;
  if (out === nfc) return { text: out, from, to };
  // Segment-wise NFC differs from whole-text NFC only for exotic sequences: spans there are approximate
  // (clamped positions), never out of the text.
  for (let i = 0; i <= nfc.length; i++) [from[i], to[i]] = [Math.min(i, text.length), Math.min(i + 1, text.length)];
  return { text: nfc, from, to };
}

/** What a rule makes: a filter without its phrase and span (the Work adds them). */
export type Made<F> = F extends unknown ? Omit<F, 'phrase' | 'span'> : never;

/** The working copy: what is used is blanked, what is fenced off is masked, indexes never move. */
export class Work<F extends { phrase: string; span: [number, number] }> {
  readonly used: boolean[];
  readonly fenced: boolean[];
  readonly filters: F[] = [];
  constructor(readonly text: string) {
    this.used = new Array<boolean>(text.length).fill(false);
    this.fenced = new Array<boolean>(text.length).fill(false);
  }
  view(): string {
    let out = '';
    for (let i = 0; i < this.text.length; i++) out += this.fenced[i] ? MASK : this.used[i] ? ' ' : this.text[i];
    return out;
  }
  mark(arr: boolean[], from: number, to: number) {
    for (let i = from; i < to; i++) arr[i] = true;
  }
  /** Adds a filter made from text[from, to) (trimmed of white space) and marks that stretch used. */
  add(f: Made<F>, from: number, to: number) {
    while (from < to && /\s/u.test(this.text[from] ?? '')) from++;
    while (to > from && /\s/u.test(this.text[to - 1] ?? '')) to--;
    this.filters.push({ ...f, phrase: this.text.slice(from, to), span: [from, to] } as unknown as F);
    this.mark(this.used, from, to);
  }
  /** Runs `re` (global) over the view; `make` returns a filter (or null to skip), and the match is used. */
  each(re: RegExp, make: (m: RegExpExecArray) => Made<F> | null) {
    const view = this.view();
    for (const m of view.matchAll(re)) {
      const f = make(m);
      if (f) this.add(f, m.index, m.index + m[0].length);
    }
  }
}
