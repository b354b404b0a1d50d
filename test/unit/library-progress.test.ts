/**
 * @file Progress: per-step rate over the last minute and the ETA it implies.
 */
import { describe, expect, it } from 'vitest';
import { createProgressTracker } from '../../main/library/progress';

describe('progress tracker', () => {
  it('computes rate and ETA from recent completions', () => {
    const t0 = 1_000_000;
    const p = createProgressTracker(t0);
    for (let i = 0; i < 20; i++) p.record('thumbnail', t0 + i * 100); // 10/s for 2 s
    const s = p.progress('thumbnail', { pending: 50, running: 0, done: 20, failed: 0 }, t0 + 2000);
    expect(s.rate).toBeGreaterThan(8);
    expect(s.rate).toBeLessThan(12);
    expect(s.etaSeconds).toBeGreaterThanOrEqual(4);
    expect(s.etaSeconds).toBeLessThanOrEqual(7);
  });
  it('says unknown (null) when nothing moved, and 0 when done', () => {
    const p = createProgressTracker(0);
    expect(p.progress('x', { pending: 3, running: 0, done: 0, failed: 0 }, 10_000).etaSeconds).toBeNull();
    expect(p.progress('x', { pending: 0, running: 0, done: 3, failed: 0 }, 10_000).etaSeconds).toBe(0);
  });
  it('forgets completions older than a minute', () => {
    const p = createProgressTracker(0);
    p.record('x', 1000);
    expect(p.rate('x', 2000)).toBeGreaterThan(0);
    expect(p.rate('x', 120_000)).toBe(0);
  });
});
