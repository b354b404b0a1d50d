/**
 * @file Place names for the query parser: every name of the gazetteer (./gazetteer.ts) — countries in
 * English, their own language and the query languages, regions, cities with their local names and
 * exonyms — folded (case, diacritics, punctuation), and the places each names.
 *
 * Runs in main (and tests). Built once, on the first query that names a place (~50 ms).
 */
import { gazetteer, type Gazetteer } from './gazetteer';

/** A place a name can mean. */
export interface PlaceCandidate {
  level: 'city' | 'region' | 'country';
  /** City: its GeoNames id as text; region: 'PT.14'; country: 'PT'. */
  code: string;
  /** The English name ("Lisbon", "Faro", "Portugal"). */
  name: string;
  /** The name as the table writes the one that matched ("Lisboa", "Algarve"). */
  matched: string;
  countryCode: string;
  /** The region of a city (or the region itself); null for a country or a city without one. */
  regionCode: string | null;
  /** People: of the city, or of the table's places in the region or country. */
  population: number;
}

export interface PlaceNames {
  /** The places a folded name means (see `foldPlaceName`), or []. */
  lookup(folded: string): readonly PlaceCandidate[];
}

/** Case, diacritics and punctuation folded, words single-spaced: "São Paulo" → "sao paulo". */
export function foldPlaceName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The index maps a folded name to the places it names, as numbers (a city's index; then the regions';
 * then the countries'), one number or a list: ~80,000 names, and a PlaceCandidate is made only for
 * what a lookup returns.
 */
function build(g: Gazetteer): PlaceNames {
  const index = new Map<string, number | number[]>();
  const regions = [...g.regions.values()];
  const countries = [...g.countries.values()];
  const regionBase = g.cityCount;
  const countryBase = regionBase + regions.length;
  const add = (name: string, ref: number) => {
    const key = foldPlaceName(name);
    if (!key) return;
    const had = index.get(key);
    if (had === undefined) index.set(key, ref);
    else if (typeof had === 'number') {
      if (had !== ref) index.set(key, [had, ref]);
    } else if (!had.includes(ref)) had.push(ref);
  };
  countries.forEach((c, i) => {
    for (const n of [c.name, c.local, ...c.names]) add(n, countryBase + i);
  });
  regions.forEach((r, i) => {
    for (const n of [r.name, ...r.names]) add(n, regionBase + i);
  });
  for (let i = 0; i < g.cityCount; i++) {
    add(g.cityName[i] ?? '', i);
    for (const n of g.cityOther[i] ?? []) add(n, i);
  }

  const candidate = (ref: number, key: string): PlaceCandidate => {
    if (ref >= countryBase) {
      const c = countries[ref - countryBase];
      const code = c?.code ?? '';
      return {
        level: 'country',
        code,
        name: c?.name ?? code,
        matched: c?.name ?? code,
        countryCode: code,
        regionCode: null,
        population: c?.population ?? 0,
      };
    }
    if (ref >= regionBase) {
      const r = regions[ref - regionBase];
      const code = r?.code ?? '';
      const matched = [r?.name ?? code, ...(r?.names ?? [])].find((n) => foldPlaceName(n) === key) ?? r?.name ?? code;
      return {
        level: 'region',
        code,
        name: r?.name ?? code,
        matched,
        countryCode: code.slice(0, 2),
        regionCode: code,
        population: r?.population ?? 0,
      };
    }
    const group = g.cityGroup[ref] ?? '';
    const name = g.cityName[ref] ?? '';
    const matched = [name, ...(g.cityOther[ref] ?? [])].find((n) => foldPlaceName(n) === key) ?? name;
    return {
      level: 'city',
      code: String(g.cityId[ref] ?? 0),
      name,
      matched,
      countryCode: group.slice(0, 2),
      regionCode: group.length > 2 ? group : null,
      population: g.cityPopulation[ref] ?? 0,
    };
  };
  return {
    lookup(folded) {
      const hit = index.get(folded);
      if (hit === undefined) return [];
      return (typeof hit === 'number' ? [hit] : hit).map((ref) => candidate(ref, folded));
    },
  };
}

let built: PlaceNames | null = null;

/** The name index of the bundled gazetteer, built on first use. */
export function placeNames(): PlaceNames {
  built ??= build(gazetteer());
  return built;
}
