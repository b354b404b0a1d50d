/**
 * @file The justified layout's own cost, for `npm run bench:grid`: the renderer's layout loop
 * (renderer/src/features/library/justified-layout.ts) over N photos spread across ten years of days
 * (1–60 a day), in Node. Pure computation, so it runs in a second and needs no fixture; a figure still
 * counts only from a quiet machine (the bench prints the load average). This was a timed unit test once,
 * which failed at load 11: speed lives in benchmarks here.
 */
import { performance } from 'node:perf_hooks';
import { buildJustifiedLayout } from '../../renderer/src/features/library/justified-layout';

/** Milliseconds to lay out `n` photos at 1248 px: the median and the slowest of `runs` after a warm-up. */
export function layoutFigures(n: number, runs = 7): { layout_ms_median: number; layout_ms_max: number } {
  const days: string[] = [];
  const counts: number[] = [];
  for (let d = 0, placed = 0; placed < n; d++) {
    const c = Math.min(n - placed, 1 + ((d * 31) % 60));
    days.push(new Date(Date.UTC(2024, 0, 1) - d * 86_400_000).toISOString().slice(0, 10));
    counts.push(c);
    placed += c;
  }
  const choices = [1.5, 0.667, 1.333, 1, 0.75, 1.78, 3.2];
  const aspects = Float32Array.from({ length: n }, (_, i) => choices[(i * 7919) % choices.length]!);
  const opts = { width: 1248, rowHeight: 168, gap: 4, dayGap: 16 };
  buildJustifiedLayout({ days, counts }, aspects, { ...opts, width: 1000 }); // warm-up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    buildJustifiedLayout({ days, counts }, aspects, opts);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return { layout_ms_median: round1(times[Math.floor(runs / 2)]!), layout_ms_max: round1(times[runs - 1]!) };
}
