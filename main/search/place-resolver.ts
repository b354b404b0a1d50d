/**
 * @file What a place name in a query means: resolves "Lisbon", "Lisboa", "Portugal", "Algarve",
 * "Paris, Texas" against the gazetteer's names (main/places/place-names.ts), preferring the places the
 * library has photos in. The query parser (./query-parser.ts) asks it; the filter it makes becomes SQL
 * in main/db/photo-filter.ts.
 *
 * Runs in main (and tests). Reads the database only to ask whether the library has photos in a place.
 *
 * [Note: Place names in queries] A name means a place only when it clearly does:
 * - Ambiguity: the places the library has photos in win; among those (or, with none, among all) a
 *   country wins, then the most people. A city and the region named after it (Lisbon, Tokyo, Porto)
 *   mean the region, so photos in its suburbs count too.
 * - "in/from/near/around/at Name": any place in the library, a country or a region, or a city of
 *   100,000+ (a smaller one the library has no photos in would be a filter that finds nothing, and
 *   "from Anna" is more likely a person than Anna, Texas: as words it can still match a caption).
 * - A bare name ("Portugal beach", "Lisboa"): a country, or a place the library has photos in.
 * - A name with its region or country ("Paris, Texas", "Lisbon, Portugal"): the place so qualified.
 * - Never a place, written in lower case or without a preposition: names that are also common words
 *   ("Nice pictures", "Bath towel", "China plate", "in reading", "turkey dinner"). Capitalised after a
 *   preposition they are places ("in Nice", "in Bath").
 * A name that means no place stays words: the lexical index still finds it in captions, file and
 * folder names ("in Alfama"), which an "unsupported" chip restricting nothing would only obscure.
 */
import type { Db } from '../db/open';
import { createPlacesRepo, type PlaceKey } from '../db/places.repo';
import { gazetteer } from '../places/gazetteer';
import { foldPlaceName, placeNames, type PlaceCandidate, type PlaceNames } from '../places/place-names';
import type { PlaceResolver, ResolvedPlace } from './query-parser';

/** Cities this big resolve after a preposition even when the library has no photos there. */
const KNOWN_CITY = 100_000;

/**
 * Place names that are also common words (English, and a few brands and first names people search
 * for): never a place in lower case or bare. Folded.
 */
export const COMMON_WORD_PLACES = new Set(
  [
    'nice bath china turkey reading mobile split orange paradise surprise enterprise independence liberty unity',
    'concord harmony hope faith victory jordan chad guinea man male normal young temple bay spring springs plains',
    'rock rocks beach park garden lake river mountain hill hills island village city town sale rugby derby sandwich',
    'jersey panama lima chile java cologne phoenix aurora mesa mercedes columbia fort gay sexy opportunity cork',
  ]
    .join(' ')
    .split(' '),
);

export interface PlaceResolverDeps {
  names: PlaceNames;
  /** How many photos the library has in a place. */
  count(key: PlaceKey): number;
  /** English country names by code. */
  countryName(code: string): string;
}

const keyOf = (c: PlaceCandidate): PlaceKey =>
  c.level === 'city' ? { level: 'city', id: Number(c.code) } : { level: c.level, code: c.code };

/** Builds a resolver; each instance caches library counts, so make one per query. */
export function createPlaceResolver(deps: PlaceResolverDeps): PlaceResolver {
  const counts = new Map<string, number>();
  const inLibrary = (c: PlaceCandidate) => {
    const k = `${c.level}:${c.code}`;
    let n = counts.get(k);
    if (n === undefined) counts.set(k, (n = deps.count(keyOf(c))));
    return n > 0;
  };

  const candidatesFor = (name: string): readonly PlaceCandidate[] => {
    const comma = name.lastIndexOf(',');
    if (comma < 0) return deps.names.lookup(foldPlaceName(name));
    // "Paris, Texas", "Lisbon, Portugal": the places of the first part inside one the second names.
    const within = deps.names.lookup(foldPlaceName(name.slice(comma + 1))).filter((q) => q.level !== 'city');
    return deps.names
      .lookup(foldPlaceName(name.slice(0, comma)))
      .filter((c) => within.some((q) => (q.level === 'country' ? c.countryCode === q.code : c.regionCode === q.code)));
  };

  const label = (c: PlaceCandidate) =>
    c.level === 'country' ? c.name : `${c.level === 'region' ? c.matched : c.name}, ${deps.countryName(c.countryCode)}`;

  return {
    resolve(name, opts) {
      const folded = foldPlaceName(name);
      if ([...folded].length < 2) return null;
      if ((opts.bare || opts.lowercase) && COMMON_WORD_PLACES.has(folded)) return null;
      const all = candidatesFor(name);
      if (all.length === 0) return null;
      const known = all.filter(inLibrary);
      // "Paris, Texas" says which place it means, however small.
      const qualified = name.includes(',');
      const pool =
        known.length > 0 || qualified
          ? known.length > 0
            ? known
            : all
          : all.filter((c) => c.level === 'country' || (!opts.bare && (c.level === 'region' || c.population >= KNOWN_CITY)));
      if (pool.length === 0) return null;
      let best = pool.reduce((a, b) => {
        if ((a.level === 'country') !== (b.level === 'country')) return a.level === 'country' ? a : b;
        return b.population > a.population ? b : a;
      });
      // A city and the region named after it (by its English name: "Lisboa" means Lisbon, in Lisbon): the region.
      const region =
        best.level === 'city'
          ? deps.names.lookup(foldPlaceName(best.name)).find((c) => c.level === 'region' && c.code === best.regionCode)
          : undefined;
      if (region) best = region;
      const place: ResolvedPlace = { level: best.level, code: best.code, label: label(best) };
      return place;
    },
  };
}

/**
 * The resolver a search uses: the bundled gazetteer's names, and the library's places in `db`. Make one
 * per query (`parseQuery(text, now, { places: libraryPlaceResolver(db) })`); the name index is built once
 * per process.
 */
export function libraryPlaceResolver(db: Db): PlaceResolver {
  const repo = createPlacesRepo(db);
  const g = gazetteer();
  return createPlaceResolver({
    names: placeNames(),
    count: (key) => repo.count(key),
    countryName: (code) => g.countries.get(code)?.name ?? code,
  });
}
