/**
 * @file parseQuery: a table of phrases with a fixed `now` (Mon 30 Nov 2026, 12:00 local), asserting the
 * filters and the semantic remainder ([Note: Query filters] in main/search/query-parser.ts), plus input
 * that must never throw.
 */
import { describe, expect, it } from 'vitest';
import { gazetteer } from '../../main/places/gazetteer';
import { placeNames } from '../../main/places/place-names';
import { createPlaceResolver } from '../../main/search/place-resolver';
import { MAX_PARSED, parseQuery, rangeLabel, type Filter } from '../../main/search/query-parser';

const now = new Date(2026, 10, 30, 12, 0, 0);
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
/** A date filter as [start, end) in 'YYYY-MM-DD', without the phrase. */
const date = (from: string, to: string, label?: string) => {
  const ms = (s: string) => {
    const [y, m, d] = s.split('-').map(Number);
    return day(y ?? 0, m ?? 1, d ?? 1);
  };
  return { type: 'date', start: ms(from), end: ms(to), ...(label === undefined ? {} : { label }) };
};

/** [query, semantic, filters (matched as subsets, in order)]. */
const table: [string, string, Record<string, unknown>[]][] = [
  ['beach 2019', 'beach', [date('2019-01-01', '2020-01-01', '2019')]],
  ['dogs in 2019', 'dogs', [{ ...date('2019-01-01', '2020-01-01'), phrase: 'in 2019' }]],
  ['last summer', '', [date('2026-06-01', '2026-09-01', 'Jun – Aug 2026')]],
  ['this summer', '', [date('2026-06-01', '2026-09-01')]],
  ['dogs in December', 'dogs', [{ ...date('2025-12-01', '2026-01-01', 'Dec 2025'), phrase: 'in December' }]],
  ['last weekend', '', [date('2026-11-28', '2026-11-30', 'Nov 28 – 29, 2026')]],
  ['Christmas 2021', '', [{ ...date('2021-12-24', '2021-12-27'), phrase: 'Christmas 2021' }]],
  ['at Christmas', '', [date('2025-12-24', '2025-12-27')]],
  ['christmas tree', 'christmas tree', []],
  ['between March and May 2020', '', [date('2020-03-01', '2020-06-01', 'Mar – May 2020')]],
  ['from November to February', '', [date('2025-11-01', '2026-03-01')]],
  ['between 2018 and 2020', '', [date('2018-01-01', '2021-01-01', '2018 – 2020')]],
  ['since 2019', '', [date('2019-01-01', '2026-12-01', 'Since 2019')]],
  ['in the summer of 2019', '', [date('2019-06-01', '2019-09-01')]],
  ['winter 2019', '', [date('2019-12-01', '2020-03-01', 'Dec 2019 – Feb 2020')]],
  ['summer dress', 'summer dress', []],
  ['March 2020', '', [date('2020-03-01', '2020-04-01', 'Mar 2020')]],
  ['in May', '', [date('2026-05-01', '2026-06-01')]],
  ['may the force', 'may the force', []],
  ['march of the penguins', 'march of the penguins', []],
  ['last week', '', [date('2026-11-23', '2026-11-30')]],
  ['last month', '', [date('2026-10-01', '2026-11-01')]],
  ['last year', '', [date('2025-01-01', '2026-01-01', '2025')]],
  ['yesterday', '', [date('2026-11-29', '2026-11-30', 'Nov 29, 2026')]],
  ['last Friday at the park', 'the park', [date('2026-11-27', '2026-11-28')]],
  ['photos from Dec 25 2021', '', [{ ...date('2021-12-25', '2021-12-26', 'Dec 25, 2021'), phrase: 'from Dec 25 2021' }]],
  ['25 December 2021', '', [date('2021-12-25', '2021-12-26')]],
  ['Dec 25', '', [date('2025-12-25', '2025-12-26')]],
  ['from Dec 24 to Dec 26 2021', '', [date('2021-12-24', '2021-12-27', 'Dec 24 – 26, 2021')]],
  ['on 2021-03-14', '', [date('2021-03-14', '2021-03-15')]],
  ['Feb 29 2024', '', [date('2024-02-29', '2024-03-01')]],
  ['February 30', 'February 30', []],
  ['February 30 2020', 'February 30 2020', []],
  ['Feb 29 2023', 'Feb 29 2023', []],
  ['31 April', '31 April', []],
  ['sunset in Lisbon', 'sunset', [{ type: 'place', name: 'Lisbon', phrase: 'in Lisbon' }]],
  ['in New York', '', [{ type: 'place', name: 'New York' }]],
  ['carnival in Rio de Janeiro', 'carnival', [{ type: 'place', name: 'Rio de Janeiro' }]],
  ['beach in lisbon', 'beach in lisbon', []],
  ['iPhone photos', '', [{ type: 'camera', make: 'Apple', model: 'iPhone', label: 'iPhone' }]],
  [
    'iPhone 12 Pro in New York',
    '',
    [
      { type: 'camera', model: 'iPhone 12 Pro' },
      { type: 'place', name: 'New York' },
    ],
  ],
  ['taken with my Canon', '', [{ type: 'camera', make: 'Canon', model: null, phrase: 'taken with my Canon' }]],
  ['shot on Pixel', '', [{ type: 'camera', make: 'Google', model: 'Pixel' }]],
  ['pixel art', 'pixel art', []],
  ['nikon', '', [{ type: 'camera', make: 'Nikon' }]],
  ['videos of the kids', 'the kids', [{ type: 'kind', kind: 'video' }]],
  ['only photos of cats', 'cats', [{ type: 'kind', kind: 'image' }]],
  ['screenshots', '', [{ type: 'tag', tag: 'screenshot' }]],
  ['documents from last week', '', [{ type: 'tag', tag: 'document' }, date('2026-11-23', '2026-11-30')]],
  ['receipts with text', 'receipts', [{ type: 'hasText' }]],
  ['in folder Holidays', '', [{ type: 'folder', name: 'Holidays' }]],
  ['beach in the Trips folder', 'beach', [{ type: 'folder', name: 'Trips' }]],
  ['folder:"Summer trip" beach', 'beach', [{ type: 'folder', name: 'Summer trip' }]],
  [
    'beach in Lisbon last summer with my Canon',
    'beach',
    [{ type: 'camera', make: 'Canon' }, date('2026-06-01', '2026-09-01'), { type: 'place', name: 'Lisbon' }],
  ],
  ['dog videos in December 2023 on iPhone', 'dog', [{ type: 'kind' }, { type: 'camera' }, date('2023-12-01', '2024-01-01')]],
  ['🐶 dog on beach 2019 🌅', 'dog on beach', [date('2019-01-01', '2020-01-01')]],
  ['كلب على الشاطئ 2019', 'كلب على الشاطئ', [date('2019-01-01', '2020-01-01')]],
  ['海の写真', '海の写真', []],
  ["'; DROP TABLE photos; --", 'DROP TABLE photos;', []],
  ['', '', []],
  ['   \t\n ', '', []],
];

describe('parseQuery', () => {
  it.each(table)('%j', (query, semantic, filters) => {
    const out = parseQuery(query, now);
    expect(out.semantic).toBe(semantic);
    expect(out.filters).toHaveLength(filters.length);
    filters.forEach((f, i) => expect(out.filters[i]).toMatchObject(f));
  });

  it.each(table)("%j: each chip's span is the phrase it came from", (query) => {
    for (const f of parseQuery(query, now).filters) {
      expect(query.slice(...f.span)).toBe(f.phrase);
      expect(f.phrase).toBe(f.phrase.trim());
      expect(f.phrase.length).toBeGreaterThan(0);
    }
  });

  it('keeps spans in the text as typed when it is not in NFC form, and past chrono-node and a leading space', () => {
    const nfd = 'Cafe\u0301 in Sa\u0303o Paulo from Dec 25 2021'.normalize('NFD');
    const out = parseQuery(`  ${nfd}`, now).filters;
    expect(out.map((f) => `  ${nfd}`.slice(...f.span))).toEqual(['from Dec 25 2021', 'in Sa\u0303o Paulo'.normalize('NFD')]);
    const emoji = '🐶🐶 in Lisbon 2019';
    expect(parseQuery(emoji, now).filters.map((f) => emoji.slice(...f.span))).toEqual(['2019', 'in Lisbon']);
  });

  it('gives every filter its phrase from the query and a label', () => {
    const q = 'Christmas 2021 screenshots with text on iPhone in Lisbon in folder Trips';
    const { filters, semantic } = parseQuery(q, now);
    expect(semantic).toBe('');
    expect(filters.map((f) => f.type).sort()).toEqual(['camera', 'date', 'folder', 'hasText', 'place', 'tag']);
    for (const f of filters) {
      expect(q).toContain(f.phrase);
      expect(f.label.length).toBeGreaterThan(0);
    }
    expect(filters.find((f) => f.type === 'date')?.label).toBe('Christmas 2021 (Dec 24 – 26, 2021)');
  });

  it('means the most recent past one when no year is given, relative to now', () => {
    const inDecember = (n: Date) => parseQuery('in December', n).filters[0] as Filter & { start: number };
    expect(inDecember(new Date(2026, 11, 15, 9)).start).toBe(day(2026, 12, 1));
    expect(inDecember(new Date(2027, 0, 2, 9)).start).toBe(day(2026, 12, 1));
    const lastSummer = (n: Date) => parseQuery('last summer', n).filters[0] as Filter & { start: number };
    expect(lastSummer(new Date(2026, 6, 10)).start).toBe(day(2025, 6, 1)); // July: this summer is not over
    // Sunday: this weekend is not over, so "last weekend" is the one before.
    expect(parseQuery('last weekend', new Date(2026, 10, 29, 18)).filters[0]).toMatchObject(date('2026-11-21', '2026-11-23'));
  });

  it('never throws, and keeps what it does not parse', () => {
    const long = 'dogs '.repeat(2000);
    const t0 = performance.now();
    const out = parseQuery(long, now);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(out.semantic).toBe(long.trim());
    expect(out.filters).toEqual([]);
    // Past MAX_PARSED the text is kept as typed.
    const tail = ' in December 2019';
    expect(parseQuery('x'.repeat(MAX_PARSED) + tail, now).semantic).toBe(`${'x'.repeat(MAX_PARSED)}${tail}`);
    for (const q of ['\u0000', '\uE000in 2019', '((((((', '%_\\', 'in ' + 'A'.repeat(5000), 'in Ab, '.repeat(2000), '\u202Eevil\u202C']) {
      expect(() => parseQuery(q, now)).not.toThrow();
    }
    expect(() => parseQuery('in December', new Date(Number.NaN))).not.toThrow();
  });

  it('labels ranges as a person would', () => {
    expect(rangeLabel(day(2019, 1, 1), day(2020, 1, 1))).toBe('2019');
    expect(rangeLabel(day(2020, 3, 1), day(2020, 6, 1))).toBe('Mar – May 2020');
    expect(rangeLabel(day(2026, 11, 28), day(2026, 12, 3))).toBe('Nov 28 – Dec 2, 2026');
    expect(rangeLabel(day(2025, 12, 30), day(2026, 1, 3))).toBe('Dec 30, 2025 – Jan 2, 2026');
  });
});

/**
 * Places against the real gazetteer, for a library with photos in Lisbon (city and district) and in
 * Nice only ([Note: Place names in queries] in main/search/place-resolver.ts).
 */
describe('parseQuery with places', () => {
  const inLibrary = new Set(['city:2267057', 'region:PT.14', 'country:PT', 'city:2990440', 'region:FR.93', 'country:FR']);
  const places = createPlaceResolver({
    names: placeNames(),
    count: (k) => (inLibrary.has(k.level === 'city' ? `city:${k.id}` : `${k.level}:${k.code}`) ? 2 : 0),
    countryName: (code) => gazetteer().countries.get(code)?.name ?? code,
  });
  const place = (phrase: string, level: string, code: string, label?: string) => ({
    type: 'place',
    phrase,
    place: { level, code, ...(label ? { label } : {}) },
  });
  const placeTable: [string, string, Record<string, unknown>[]][] = [
    ['in Lisbon', '', [place('in Lisbon', 'region', 'PT.14', 'Lisbon, Portugal')]],
    ['Portugal', '', [place('Portugal', 'country', 'PT', 'Portugal')]],
    ['photos from Lisboa', '', [place('from Lisboa', 'region', 'PT.14')]],
    ['in New York last summer', '', [date('2026-06-01', '2026-09-01'), place('in New York', 'region', 'US.NY', 'New York, United States')]],
    ['beach in Algarve', 'beach', [place('in Algarve', 'region', 'PT.09', 'Algarve, Portugal')]],
    ['dogs in December', 'dogs', [date('2025-12-01', '2026-01-01')]],
    ['Nice pictures', 'Nice', []],
    ['Bath towel', 'Bath towel', []],
    ['China plate', 'China plate', []],
    ['turkey dinner in december', 'turkey dinner', [date('2025-12-01', '2026-01-01')]],
    ['sunset in Nice', 'sunset', [place('in Nice', 'city', '2990440', 'Nice, France')]],
    ['in reading', 'reading', []],
    ['lisbon tram', 'tram', [place('lisbon', 'region', 'PT.14')]],
    ['Tokyo tower', 'Tokyo tower', []], // bare, and no photos in Tokyo: words
    ['temples in Tokyo', 'temples', [place('in Tokyo', 'region', 'JP.40', 'Tokyo, Japan')]],
    ['Katzen in Deutschland', 'Katzen', [place('in Deutschland', 'country', 'DE', 'Germany')]],
    ['東京', '東京', []],
    ['in 東京', '', [place('in 東京', 'region', 'JP.40')]],
    ['in Paris, Texas', '', [place('in Paris, Texas', 'city', '4717560')]],
    ['in Paris', '', [place('in Paris', 'city', '2988507', 'Paris, France')]],
    ['photos from Anna', 'Anna', []], // a person more likely than Anna, Texas
    ['in Xyzzy', 'Xyzzy', []],
    ['dogs in the park', 'dogs in the park', []],
    ['iPhone in Lisbon, Portugal', '', [{ type: 'camera' }, place('in Lisbon, Portugal', 'region', 'PT.14')]],
    [
      'Lisbon 2019 Portugal',
      '',
      [date('2019-01-01', '2020-01-01'), place('Lisbon', 'region', 'PT.14'), place('Portugal', 'country', 'PT')],
    ],
  ];

  it.each(placeTable)('%j', (query, semantic, filters) => {
    const out = parseQuery(query, now, { places });
    expect(out.semantic).toBe(semantic);
    expect(out.filters).toHaveLength(filters.length);
    filters.forEach((f, i) => expect(out.filters[i]).toMatchObject(f));
    for (const f of out.filters) expect(query.slice(...f.span)).toBe(f.phrase);
  });

  it('prefers the place the library has photos in over a bigger namesake', () => {
    const inOhio = createPlaceResolver({
      names: placeNames(),
      count: (k) => (k.level === 'city' && k.id === 5160951 ? 1 : 0), // Lisbon, Ohio
      countryName: (code) => gazetteer().countries.get(code)?.name ?? code,
    });
    expect(parseQuery('in Lisbon', now, { places: inOhio }).filters[0]).toMatchObject({ place: { level: 'city', code: '5160951' } });
    expect(parseQuery('Lisbon', now, { places: inOhio }).filters[0]).toMatchObject({ place: { code: '5160951' } });
  });
});
