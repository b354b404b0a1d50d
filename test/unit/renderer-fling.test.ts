/**
 * @file Unit tests of the grid's fling detector: a fast run of scroll events is a fling, a steady wheel
 * is not, a jump (End, Home) is not, and slowing down or pausing ends it.
 */
import { describe, expect, it } from 'vitest';
import { createFlingDetector, STILL_MS } from '../../renderer/src/features/library/use-fling';

/** Feeds `n` scroll events of `step` px every `every` ms; returns the last answer and the next time. */
function run(d: ReturnType<typeof createFlingDetector>, from: { top: number; t: number }, step: number, every: number, n: number) {
  let fling = false;
  for (let i = 0; i < n; i++) {
    from.top += step;
    from.t += every;
    fling = d.scrolled(from.top, from.t);
  }
  return fling;
}

describe('fling detector', () => {
  it('a steady wheel (1,800 px/s) is no fling; 15,000 px/s is, until it slows down', () => {
    const at = { top: 0, t: 0 };
    const d = createFlingDetector(0, 0);
    expect(run(d, at, 30, 16, 60)).toBe(false);
    expect(run(d, at, 250, 16, 10)).toBe(true);
    expect(run(d, at, 40, 16, 10)).toBe(false);
  });

  it('a jump is no fling, and a pause ends one', () => {
    const at = { top: 0, t: 0 };
    const d = createFlingDetector(0, 0);
    at.top = 2_500_000;
    at.t = 16;
    expect(d.scrolled(at.top, at.t)).toBe(false); // End
    expect(run(d, at, 250, 16, 10)).toBe(true);
    at.t += STILL_MS + 1;
    expect(d.scrolled(at.top + 250, at.t)).toBe(false);
  });
});
