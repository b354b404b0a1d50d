/**
 * @file The query parser's last rule ([Note: Query filters] in ./query-parser.ts): place names. With a
 * resolver (the search service passes one over the gazetteer and the library), "in Lisbon", "photos from
 * Lisboa", "beach in Algarve", "Paris, Texas" and a bare "Portugal" become place filters, as
 * [Note: Place names in queries] (./place-resolver.ts) decides; what names no place stays words.
 * Without one, "in <Capitalised words>" is a place the library cannot answer (an unsupported chip).
 *
 * Runs in main (and tests). Pure: the resolver is the only thing it asks.
 */
import type { PlaceResolver, Work } from './query-parser';

/** Words before a place name. ("of" is not one: "pictures of Nice people".) */
const PREPOSITION = /^(?:in|from|near|around|at)$/iu;
/** Longest name tried, in words ("Sobral de Monte Agraço", "Rio de Janeiro, Brazil"). */
const MAX_PLACE_WORDS = 5;

/** Adds the place filters; `notPlaces` are words never taken for a place (month and day names). */
export function placeFilters(w: Work, resolver: PlaceResolver | undefined, notPlaces: readonly string[]) {
  if (resolver) resolvedPlaces(w, resolver);
  else capitalisedAfterIn(w, new Set([...notPlaces, 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']));
}

/** "in Lisbon", "in New York", "in Rio de Janeiro", "in Paris, Texas": capitalised words after "in". */
function capitalisedAfterIn(w: Work, notPlaces: ReadonlySet<string>) {
  const word = "\\p{Lu}[\\p{L}\\p{M}'’.-]*";
  const join = '(?:\\s+(?:(?:de|da|do|dos|das|del|della|di|la|le|van|von|der|den|am|sur)\\s+)?|,\\s*)';
  w.each(new RegExp(`(?<![\\p{L}\\p{N}])in\\s+(${word}(?:${join}${word})*)`, 'giu'), (m) => {
    const name = (m[1] ?? '').replace(/[.,]+$/u, '');
    if (name.length < 2 || !/^\p{Lu}/u.test(name) || notPlaces.has(name.toLowerCase())) return null;
    return { type: 'place', name, place: null, label: name };
  });
}

interface Token {
  start: number;
  end: number;
  text: string;
}

/** The words of the view; `joins[i]` is how token i joins the next: ' ', ',' or null (a break). */
function tokens(w: Work): { toks: Token[]; joins: (' ' | ',' | null)[] } {
  const view = w.view();
  const toks: Token[] = [];
  for (const m of view.matchAll(/[\p{L}\p{N}][\p{L}\p{M}\p{N}'’.-]*/gu)) {
    // A trailing full stop ends a sentence, not the name ("in Lisbon.").
    const text = m[0].replace(/[.'’-]+$/u, '');
    toks.push({ start: m.index, end: m.index + text.length, text });
  }
  const joins = toks.map((t, i) => {
    const next = toks[i + 1];
    if (!next) return null;
    const gap = view.slice(t.end, next.start);
    if (w.used.slice(t.end, next.start).some(Boolean)) return null;
    return /^\s+$/u.test(gap) ? ' ' : /^\s*,\s*$/u.test(gap) ? ',' : null;
  });
  return { toks, joins };
}

function resolvedPlaces(w: Work, resolver: PlaceResolver) {
  const { toks, joins } = tokens(w);
  const taken = new Array<boolean>(toks.length).fill(false);
  const at = (k: number): Token => toks[k] ?? { start: 0, end: 0, text: '' };
  /** The longest name starting at token i that names a place (tokens i..j), or null. */
  const longest = (i: number, bare: boolean) => {
    let end = i;
    while (end + 1 < toks.length && end + 1 - i < MAX_PLACE_WORDS && joins[end] !== null && !taken[end + 1]) end++;
    const first = at(i).text;
    const lowercase = /^\p{Ll}/u.test(first);
    for (let j = end; j >= i; j--) {
      const name = w.text.slice(at(i).start, at(j).end);
      if (/^[\p{N}\s,]+$/u.test(name)) continue;
      const place = resolver.resolve(name, { bare, lowercase });
      if (place) return { j, name, place };
    }
    return null;
  };
  const take = (from: number, hit: NonNullable<ReturnType<typeof longest>>) => {
    for (let k = from; k <= hit.j; k++) taken[k] = true;
    w.add({ type: 'place', name: hit.name, place: hit.place, label: hit.place.label }, at(from).start, at(hit.j).end);
  };
  // "in/from/near/around/at <name>" first, so that the preposition goes with its name.
  for (let i = 0; i + 1 < toks.length; i++) {
    if (taken[i] || !PREPOSITION.test(at(i).text) || joins[i] !== ' ') continue;
    const hit = longest(i + 1, false);
    if (hit) take(i, hit);
  }
  // Then bare names.
  for (let i = 0; i < toks.length; i++) {
    if (taken[i] || PREPOSITION.test(at(i).text)) continue;
    const hit = longest(i, true);
    if (hit) {
      take(i, hit);
      i = hit.j;
    }
  }
}
