/**
 * @file Capture-time parsing: EXIF wall-clock text stays wall-clock (never shifted by a zone), offsets
 * are normalised, file times become local wall-clock text. See [Note: Wall-clock capture times].
 */
import { describe, expect, it } from 'vitest';
import { exifOffset, exifWallClock, localWallClock, sortSeconds } from '../../main/library/time';

describe('exifWallClock', () => {
  it('keeps the literal EXIF time, with sub-seconds when present', () => {
    expect(exifWallClock('2021:03:14 09:26:53')).toBe('2021-03-14T09:26:53');
    expect(exifWallClock('2021:03:14 09:26:53', '07')).toBe('2021-03-14T09:26:53.070');
    expect(exifWallClock('2021:03:14 09:26:53.5')).toBe('2021-03-14T09:26:53.500');
    expect(exifWallClock('2021-03-14T09:26')).toBe('2021-03-14T09:26:00');
  });
  it('rejects empty, zeroed and impossible dates', () => {
    for (const bad of [undefined, 42, '', '    ', '0000:00:00 00:00:00', '2021:13:01 00:00:00', '2021:01:01 25:00:00', 'yesterday']) {
      expect(exifWallClock(bad)).toBeNull();
    }
  });
});

describe('exifOffset', () => {
  it('normalises offsets and rejects junk', () => {
    expect(exifOffset('+02:00')).toBe('+02:00');
    expect(exifOffset('-0330')).toBe('-03:30');
    expect(exifOffset('+25:00')).toBeNull();
    expect(exifOffset('   :  ')).toBeNull();
  });
});

describe('localWallClock / sortSeconds', () => {
  it('formats a time in the local zone and orders wall-clock strings monotonically', () => {
    const ms = new Date(2020, 5, 7, 8, 9, 10, 11).getTime(); // local time
    expect(localWallClock(ms)).toBe('2020-06-07T08:09:10.011');
    expect(sortSeconds('2020-06-07T08:09:10.011')).toBeLessThan(sortSeconds('2020-06-07T08:09:11'));
    expect(sortSeconds('garbage')).toBe(0);
  });
});
