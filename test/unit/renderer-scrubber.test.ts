/**
 * @file Unit tests of the date scrubber's keyboard (renderer/src/features/library/date-scrubber.tsx): arrows
 * move a month, Page Up / Page Down a year (to the nearest month there is), Home / End to the ends.
 */
import { describe, expect, it } from 'vitest';
import { scrubberKeyTarget } from '../../renderer/src/features/library/date-scrubber';

/** Newest first, with gaps: no photos in 2023-03 … 2023-05, nor in 2022 before October. */
const keys = ['2024-06', '2024-05', '2024-02', '2023-12', '2023-07', '2023-06', '2023-02', '2022-12', '2022-10'];
const months = keys.map((key, i) => ({ key, top: i * 1000 }));
const at = (from: string, key: string) => {
  const to = scrubberKeyTarget(months, keys.indexOf(from), key);
  return to === null ? null : keys[to];
};

describe('date scrubber keys', () => {
  it('moves a month with the arrows, clamped at the ends', () => {
    expect(at('2024-06', 'ArrowDown')).toBe('2024-05');
    expect(at('2024-05', 'ArrowRight')).toBe('2024-02');
    expect(at('2024-05', 'ArrowUp')).toBe('2024-06');
    expect(at('2024-06', 'ArrowLeft')).toBe('2024-06');
    expect(at('2022-10', 'ArrowDown')).toBe('2022-10');
  });

  it('moves a year with Page Up / Page Down, to the nearest month with photos', () => {
    expect(at('2024-06', 'PageDown')).toBe('2023-06');
    expect(at('2024-05', 'PageDown')).toBe('2023-02'); // nothing in 2023-05: the next older month
    expect(at('2023-06', 'PageDown')).toBe('2022-10');
    expect(at('2022-12', 'PageDown')).toBe('2022-10'); // nothing a year older: the oldest
    expect(at('2023-06', 'PageUp')).toBe('2024-06');
    expect(at('2023-07', 'PageUp')).toBe('2024-06'); // nothing in 2024-07 or later… the newest
    expect(at('2022-10', 'PageUp')).toBe('2023-12'); // the oldest month at least a year newer
  });

  it('goes to the ends with Home and End, and leaves other keys', () => {
    expect(at('2023-07', 'Home')).toBe('2024-06');
    expect(at('2023-07', 'End')).toBe('2022-10');
    expect(at('2023-07', 'Enter')).toBeNull();
  });
});
