/**
 * @file Unit tests of the justified grid's geometry (renderer/src/features/library/justified-layout.ts)
 * and of the aspect codes it is built from (preload/contract/aspect-code.ts): rows keep aspect ratios and
 * fill the width, days get one header each, short days share rows, up/down go to the nearest photo,
 * 100k photos all find a row (their speed is `npm run bench:grid -- --layout-only`'s), and the view
 * keeps its photo when rows re-pack (scroll anchoring, renderer/src/features/library/use-grid-geometry.ts).
 */
import { describe, expect, it } from 'vitest';
import { ASPECT_MAX, ASPECT_MIN, decodeAspect, encodeAspect } from '../../preload/contract/aspect-code';
import { moveFocus, rowForIndex, type GridLayout } from '../../renderer/src/features/library/grid-layout';
import { buildJustifiedLayout, decodeAspects, monthsOf } from '../../renderer/src/features/library/justified-layout';
import { anchorShift, PAD_TOP, pickAnchor, rowSize } from '../../renderer/src/features/library/use-grid-geometry';

const OPTS = { width: 1000, rowHeight: 160, gap: 4, dayGap: 16 };

/** A pseudo-random mix of landscape, portrait, square and panorama photos. */
function mix(n: number): Float32Array {
  const choices = [1.5, 0.667, 1.333, 1, 0.75, 1.78, 3.2];
  return Float32Array.from({ length: n }, (_, i) => choices[(i * 7919) % choices.length]!);
}

function photoRows(l: GridLayout) {
  return l.rows.filter((r): r is Extract<typeof r, { kind: 'photos' }> => r.kind === 'photos');
}

describe('aspect codes', () => {
  it('round-trip within 1.3 % and clamp to 1:5 … 5:1', () => {
    for (const [w, h] of [
      [4000, 3000],
      [3000, 4000],
      [1920, 1080],
      [100, 100],
      [48, 32],
    ] as const) {
      const back = decodeAspect(encodeAspect(w, h));
      expect(Math.abs(back / (w / h) - 1)).toBeLessThan(0.0065);
    }
    expect(decodeAspect(encodeAspect(10_000, 100))).toBeCloseTo(ASPECT_MAX, 3);
    expect(decodeAspect(encodeAspect(100, 10_000))).toBeCloseTo(ASPECT_MIN, 3);
    expect(encodeAspect(null, 30)).toBe(0);
    expect(decodeAspect(0)).toBe(1);
  });

  it('decode a base64 layout string', () => {
    const codes = [encodeAspect(3, 2), encodeAspect(2, 3), 0];
    const a = decodeAspects(btoa(String.fromCharCode(...codes)));
    expect(Array.from(a, (v) => Number(v.toFixed(2)))).toEqual([1.5, 0.67, 1]);
  });
});

describe('justified layout', () => {
  it('keeps every photo’s aspect ratio and fills full rows to the width', () => {
    const aspects = mix(200);
    const l = buildJustifiedLayout({ days: ['2024-07-02', '2024-07-01'], counts: [120, 80] }, aspects, OPTS);
    const boxes = l.boxes!;
    let full = 0;
    for (const row of photoRows(l)) {
      for (let i = row.start; i < row.end; i++) expect(boxes.width[i]! / row.height!).toBeCloseTo(aspects[i]!, 3);
      const right = boxes.left[row.end - 1]! + boxes.width[row.end - 1]!;
      if (row.height !== OPTS.rowHeight) {
        full++;
        expect(right).toBeCloseTo(OPTS.width, 1);
        expect(row.height!).toBeGreaterThan(OPTS.rowHeight * 0.75 - 1);
        expect(row.height!).toBeLessThan(OPTS.rowHeight * 1.25 + 1);
      } else {
        expect(right).toBeLessThanOrEqual(OPTS.width + 0.01);
      }
      for (let i = row.start + 1; i < row.end; i++) expect(boxes.left[i]!).toBeGreaterThanOrEqual(boxes.left[i - 1]! + boxes.width[i - 1]!);
    }
    expect(full).toBeGreaterThan(20);
    expect(l.total).toBe(200);
    expect(l.rows[0]).toEqual({ kind: 'month', key: '2024-07', count: 200, group: 0 });
  });

  it('puts short days side by side, each under its own header, and long days on rows of their own', () => {
    // Three one-photo days (3:2, 240 px wide at 160 px), then a long day, then two short ones.
    const days = ['2024-07-09', '2024-07-08', '2024-07-07', '2024-07-06', '2024-07-05', '2024-07-04'];
    const counts = [1, 1, 1, 30, 2, 1];
    const aspects = Float32Array.from({ length: 36 }, () => 1.5);
    const l = buildJustifiedLayout({ days, counts }, aspects, OPTS);
    const rows = photoRows(l);
    expect(rows[0]).toMatchObject({ start: 0, end: 3, height: 160 });
    expect(rows[0]!.labels).toEqual([
      { x: 0, day: '2024-07-09', index: 0 },
      { x: 256, day: '2024-07-08', index: 1 },
      { x: 512, day: '2024-07-07', index: 2 },
    ]);
    expect(rows[1]!.start).toBe(3);
    expect(rows[1]!.labels).toEqual([{ x: 0, day: '2024-07-06', index: 3 }]);
    // One header per day, in order.
    const labelled = rows.flatMap((r) => r.labels ?? []).map((d) => d.day);
    expect(labelled).toEqual(days);
    // The long day's last, partial row takes the next short days beside it.
    const tail = rows.find((r) => r.labels?.some((d) => d.day === '2024-07-05'))!;
    expect(tail.start).toBeLessThan(33);
    expect(tail.labels![0]!.x).toBeGreaterThan(0);
  });

  it('starts a new row and header per month', () => {
    const l = buildJustifiedLayout({ days: ['2024-07-01', '2024-06-30', '2023-12-25'], counts: [2, 3, 1] }, mix(6), OPTS);
    expect(l.rows.map((r) => (r.kind === 'month' ? r.key : `${r.start}-${r.end}`))).toEqual([
      '2024-07',
      '0-2',
      '2024-06',
      '2-5',
      '2023-12',
      '5-6',
    ]);
    expect(l.groups.map((g) => [g.key, g.count, g.firstIndex])).toEqual([
      ['2024-07', 2, 0],
      ['2024-06', 3, 2],
      ['2023-12', 1, 5],
    ]);
    expect(rowForIndex(l, 4)).toBe(3);
  });

  it('moves up and down to the photo nearest the middle of the focused one', () => {
    // Two full rows of one long day: row 1 is [wide, narrow...], row 2 differs; the nearest is picked.
    const aspects = Float32Array.from([3, 1, 1, 1, 1, 1, 1, 1, 1, 0.5, 3, 1, 1, 1, 1, 1]);
    const l = buildJustifiedLayout({ days: ['2024-07-01'], counts: [aspects.length] }, aspects, OPTS);
    const rows = photoRows(l);
    expect(rows.length).toBeGreaterThan(1);
    const b = l.boxes!;
    const centre = (i: number) => b.left[i]! + b.width[i]! / 2;
    for (let i = rows[0]!.start; i < rows[0]!.end; i++) {
      const below = moveFocus(l, i, 'down');
      expect(below).toBeGreaterThanOrEqual(rows[1]!.start);
      expect(below).toBeLessThan(rows[1]!.end);
      for (let j = rows[1]!.start; j < rows[1]!.end; j++)
        expect(Math.abs(centre(below) - centre(i))).toBeLessThanOrEqual(Math.abs(centre(j) - centre(i)));
    }
    expect(moveFocus(l, rows[1]!.start, 'up')).toBe(0);
  });

  it('lays out 100k photos over ten years, every photo on a row', () => {
    const days: string[] = [];
    const counts: number[] = [];
    let n = 0;
    for (let d = 0; n < 100_000; d++) {
      const c = Math.min(100_000 - n, 1 + ((d * 31) % 60));
      days.push(new Date(Date.UTC(2024, 0, 1) - d * 86_400_000).toISOString().slice(0, 10));
      counts.push(c);
      n += c;
    }
    const aspects = mix(100_000);
    const l = buildJustifiedLayout({ days, counts }, aspects, { ...OPTS, width: 1248, rowHeight: 168 });
    expect(l.total).toBe(100_000);
    expect(rowForIndex(l, 99_999)).toBe(l.rows.length - 1);
    expect(monthsOf(days, counts).reduce((s, m) => s + m.count, 0)).toBe(100_000);
    // Its speed (~11 ms on an idle 2-core machine) is a benchmark's: `npm run bench:grid -- --layout-only`.
  });
});

describe('scroll anchoring across re-layouts', () => {
  const days = Array.from({ length: 30 }, (_, d) => `2024-06-${String(30 - d).padStart(2, '0')}`);
  const counts = days.map(() => 3);
  const squares = buildJustifiedLayout(
    { days, counts },
    Float32Array.from({ length: 90 }, () => 1),
    OPTS,
  );
  const shaped = buildJustifiedLayout(
    { days, counts },
    Float32Array.from({ length: 90 }, () => 1.5),
    OPTS,
  );
  /** Rendered rows of a layout as the virtualizer gives them (sizes from rowSize). */
  const itemsOf = (l: GridLayout) => {
    let start = PAD_TOP;
    return l.rows.map((row, index) => {
      const item = { index, start, end: start + rowSize(row, 100) };
      start = item.end;
      return item;
    });
  };

  it('keeps the photo at the top of the view in place when dimensions arrive and rows re-pack', () => {
    const items = itemsOf(squares);
    const top = items[12]!.start + 10; // inside the 12th row
    const anchor = pickAnchor(squares, 100, items, top, 600, -1)!;
    const row = squares.rows[items[12]!.index];
    expect(anchor.index).toBe(row?.kind === 'photos' ? row.start : -1);
    const shift = anchorShift(anchor, shaped, 100);
    // The same photo's row in the new layout starts `shift` further down (3:2 photos: fewer per row).
    const after = itemsOf(shaped)[rowForIndex(shaped, anchor.index)]!.start;
    expect(shift).toBe(after - items[12]!.start);
    expect(shift).toBeGreaterThan(0);
    expect(anchorShift(anchor, squares, 100)).toBe(0);
  });

  it('prefers the focused photo while its row is on screen', () => {
    const items = itemsOf(squares);
    const focused = rowForIndex(squares, 40);
    const top = items[focused]!.start - 300;
    expect(pickAnchor(squares, 100, items, top, 600, 40)?.index).toBe(40);
    expect(pickAnchor(squares, 100, items, top + 2000, 600, 40)?.index).not.toBe(40);
  });
});
