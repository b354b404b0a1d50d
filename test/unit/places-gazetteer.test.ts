/**
 * @file The bundled gazetteer (main/places/gazetteer.ts, [Note: Places dataset]): reverse geocoding of
 * known coordinates to city, region and country in English and their local names; no place at sea, at
 * the poles or for a bad fix; the antimeridian; and the name index the query parser resolves against.
 */
import { describe, expect, it } from 'vitest';
import { gazetteer, validFix } from '../../main/places/gazetteer';
import { foldPlaceName, placeNames } from '../../main/places/place-names';

const at = (lat: number, lon: number) => gazetteer().reverse(lat, lon);

describe('reverse geocoding', () => {
  it.each([
    [
      'Lisbon (Rossio)',
      38.7139,
      -9.1394,
      { city: 'Lisbon', region: 'Lisbon', country: 'Portugal', countryCode: 'PT', regionCode: 'PT.14' },
    ],
    ['Porto (Ribeira)', 41.1406, -8.6128, { city: 'Porto', region: 'Porto', country: 'Portugal' }],
    ['Tokyo (station)', 35.6812, 139.7671, { city: 'Tokyo', region: 'Tokyo', country: 'Japan', countryLocal: '日本' }],
    ['New York (Brooklyn)', 40.6782, -73.9442, { city: 'Brooklyn', region: 'New York', country: 'United States', countryCode: 'US' }],
    ['Munich (Marienplatz)', 48.1374, 11.5755, { city: 'Munich', region: 'Bavaria', country: 'Germany', countryLocal: 'Deutschland' }],
    ['Sintra', 38.7975, -9.3904, { city: 'Sintra', region: 'Lisbon', country: 'Portugal' }],
    ['Kennedy Space Center', 28.5729, -80.649, { country: 'United States', region: 'Florida' }],
    // East of the antimeridian (179.95 °W): the nearest town is Labasa, Fiji, on the other side (179.37 °E).
    ['Vanua Levu, across 180°', -16.45, -179.95, { city: 'Labasa', countryCode: 'FJ' }],
  ])('%s', (_name, lat, lon, expected) => {
    expect(at(lat, lon)).toMatchObject(expected);
  });

  it('keeps local names and same-word exonyms of a place (for the search index)', () => {
    expect(at(38.7139, -9.1394)?.cityOther).toEqual(expect.arrayContaining(['Lisboa', 'Lissabon']));
    expect(at(35.6812, 139.7671)?.cityOther).toContain('東京');
    expect(at(48.1374, 11.5755)?.cityOther.map(foldPlaceName)).toContain('munchen');
    expect(at(55.7558, 37.6173)?.cityOther).toContain('Москва');
  });

  it('finds no place at sea, at the poles or far from any town, and none for a bad fix', () => {
    expect(at(30, -40)).toBeNull(); // mid-Atlantic
    expect(at(90, 0)).toBeNull();
    expect(at(-90, 0)).toBeNull();
    expect(at(-90, 180)).toBeNull();
    for (const [lat, lon] of [
      [0, 0],
      [Number.NaN, 10],
      [10, Number.POSITIVE_INFINITY],
      [91, 0],
      [0, 181],
      [-90.5, 0],
    ] as const) {
      expect(validFix(lat, lon)).toBe(false);
      expect(at(lat, lon)).toBeNull();
    }
    expect(validFix(null, 1)).toBe(false);
    expect(validFix(38.7, -9.1)).toBe(true);
  });
});

describe('place names', () => {
  const lookup = (name: string) => placeNames().lookup(foldPlaceName(name));

  it('resolves English, local and other names, folded', () => {
    expect(lookup('Lisboa')).toEqual([expect.objectContaining({ level: 'city', name: 'Lisbon', countryCode: 'PT' })]);
    expect(lookup('MÜNCHEN')).toEqual([expect.objectContaining({ level: 'city', name: 'Munich' })]);
    expect(lookup('munchen')).toEqual(lookup('München'));
    expect(lookup('東京')).toEqual([expect.objectContaining({ name: 'Tokyo', countryCode: 'JP' })]);
    expect(lookup('Deutschland')).toEqual([expect.objectContaining({ level: 'country', code: 'DE', name: 'Germany' })]);
    expect(lookup('Japon')).toEqual([expect.objectContaining({ level: 'country', code: 'JP' })]);
    expect(lookup('Algarve')).toEqual([expect.objectContaining({ level: 'region', code: 'PT.09', matched: 'Algarve' })]);
    expect(lookup('são paulo').some((c) => c.countryCode === 'BR' && c.level === 'city')).toBe(true);
  });

  it('lists every place of an ambiguous name with its population', () => {
    const lisbon = lookup('Lisbon');
    expect(lisbon.map((c) => `${c.level}:${c.countryCode}`)).toEqual(expect.arrayContaining(['region:PT', 'city:PT', 'city:US']));
    const pt = lisbon.find((c) => c.level === 'city' && c.countryCode === 'PT');
    expect(pt?.population).toBeGreaterThan(100 * (lisbon.find((c) => c.countryCode === 'US')?.population ?? 0));
    expect(lookup('Xyzzy')).toEqual([]);
  });
});
