/**
 * @file The justified grid's geometry: rows that keep each photo's aspect ratio (as Flickr, Google Photos
 * and Immich lay them out), a header per month, a header per day, and short days side by side in one row.
 * Built from `photos:layout` alone ([Note: Grid layout data] in preload/contract/layout.ts), so every row
 * of a 100k library is placed before any page loads. Produces the same `GridLayout` as the square grid
 * (./grid-layout.ts), plus each photo's box. Runs in the renderer; pure, so it is unit-tested directly.
 *
 * [Note: Justified rows] A day's photos fill rows greedily: photos join a row while the row, scaled to
 * the full width, would be taller than the target height by more than the tolerance; the photo that makes
 * it too short joins only if that lands nearer the target (Flickr's justified-layout rule). A day whose
 * photos fit in one row at the target height is a short day: it is not stretched, and short days share
 * a row side by side, each under its own header, as do the first days after a long day's last, partial
 * row. Our own loop over typed arrays rather than a library: `justified-layout` 4.1.0 took ~240 ms for
 * 100k photos laid out per day (21 s as one list: it copies each row for every photo it adds), too slow
 * to re-lay on every window resize, and `@immich/justified-layout-wasm` (1.5 ms) is AGPL-3.0, which an
 * MIT app cannot ship; this loop takes a few milliseconds at 100k (test/unit/renderer-justified.test.ts).
 */
import type { TimelineGroup } from '../../../../preload/contract';
import { decodeAspect } from '../../../../preload/contract/aspect-code';
import type { DayLabel, GridLayout, GridRow } from './grid-layout';

export interface JustifyOptions {
  /** Width of a row (CSS px). */
  width: number;
  /** Target photo height of a row (CSS px). */
  rowHeight: number;
  /** Space between photos. */
  gap: number;
  /** Space between two days in one row. */
  dayGap: number;
  /** How far a full row's height may stray from the target (0.25: ±25 %). */
  tolerance?: number;
}

/** Aspect ratios (width / height) of every photo, from the layout's base64 codes. */
export function decodeAspects(base64: string): Float32Array {
  const bytes = atob(base64);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = decodeAspect(bytes.charCodeAt(i));
  return out;
}

/** Month groups (the timeline) of a layout's days, for headers, the toolbar and the scrubber. */
export function monthsOf(days: readonly string[], counts: readonly number[]): TimelineGroup[] {
  const months: TimelineGroup[] = [];
  let index = 0;
  days.forEach((day, d) => {
    const key = day.slice(0, 7);
    const count = counts[d] ?? 0;
    const last = months[months.length - 1];
    if (last?.key === key) last.count += count;
    else months.push({ key, count, firstIndex: index });
    index += count;
  });
  return months.filter((m) => m.count > 0);
}

/** Lays out `layout`'s photos (aspect ratios `aspects`, one per photo) in justified rows. */
export function buildJustifiedLayout(
  layout: { readonly days: readonly string[]; readonly counts: readonly number[] },
  aspects: Float32Array,
  { width, rowHeight, gap, dayGap, tolerance = 0.25 }: JustifyOptions,
): GridLayout {
  const W = Math.max(1, width);
  const H = Math.max(1, rowHeight);
  const total = layout.counts.reduce((n, c) => n + Math.max(0, c), 0);
  const ar = (i: number) => {
    const a = aspects[i] ?? 1;
    return a > 0 ? a : 1;
  };
  const left = new Float32Array(total);
  const boxWidth = new Float32Array(total);
  const rows: GridRow[] = [];
  const photoRowStarts: number[] = [];
  const photoRowIndex: number[] = [];
  const groups = monthsOf(layout.days, layout.counts);

  const pushRow = (group: number, start: number, end: number, height: number, labels: DayLabel[] | null) => {
    photoRowStarts.push(start);
    photoRowIndex.push(rows.length);
    rows.push({ kind: 'photos', group, start, end, height, ...(labels?.length ? { labels } : {}) });
  };
  /** Places photos [start, end) from `x` at height `h`; returns the x after them. */
  const place = (start: number, end: number, x: number, h: number): number => {
    for (let i = start; i < end; i++) {
      left[i] = x;
      boxWidth[i] = ar(i) * h;
      x += boxWidth[i]! + gap;
    }
    return x - gap;
  };

  /** An open row at the target height (short days, or a long day's last row): where it ends so far. */
  let band: { start: number; end: number; x: number; labels: DayLabel[] } | null = null;
  const flush = (group: number) => {
    if (band && band.end > band.start) pushRow(group, band.start, band.end, H, band.labels);
    band = null;
  };

  let index = 0;
  let day = 0;
  groups.forEach((month, group) => {
    rows.push({ kind: 'month', key: month.key, count: month.count, group });
    const monthEnd = index + month.count;
    while (index < monthEnd && day < layout.days.length) {
      const count = Math.max(0, layout.counts[day] ?? 0);
      const dayKey = layout.days[day] ?? '';
      day++;
      if (count === 0) continue;
      const start = index;
      const end = start + count;
      index = end;
      let natural = (count - 1) * gap;
      for (let i = start; i < end; i++) natural += ar(i) * H;
      if (natural <= W) {
        // A short day: beside the open row's days when it fits, else it opens the next row.
        const current: typeof band = band;
        const x: number = current && current.x + dayGap + natural <= W ? current.x + dayGap : 0;
        if (x === 0) {
          flush(group);
          band = { start, end, x: 0, labels: [] };
        }
        const open = band!;
        open.labels.push({ x, day: dayKey, index: start });
        open.x = place(start, end, x, H);
        open.end = end;
        continue;
      }
      flush(group);
      let first = true;
      justifyDay(ar, start, end, W, H, gap, tolerance, (rowStart, rowEnd, height, full) => {
        const labels = first ? [{ x: 0, day: dayKey, index: start }] : [];
        first = false;
        if (full) {
          place(rowStart, rowEnd, 0, height);
          pushRow(group, rowStart, rowEnd, height, labels);
        } else {
          band = { start: rowStart, end: rowEnd, x: place(rowStart, rowEnd, 0, H), labels };
        }
      });
    }
    flush(group);
    index = monthEnd;
  });
  return { columns: 0, rows, groups, photoRowStarts, photoRowIndex, total, boxes: { left, width: boxWidth } };
}

/**
 * Splits photos [start, end) into rows of width `W` ([Note: Justified rows]); calls `row` with each
 * row's photos, height and whether it is full (the last may be a partial row at the target height).
 */
function justifyDay(
  ar: (i: number) => number,
  start: number,
  end: number,
  W: number,
  H: number,
  gap: number,
  tolerance: number,
  row: (start: number, end: number, height: number, full: boolean) => void,
): void {
  const minRatio = (W / H) * (1 - tolerance);
  const maxRatio = (W / H) * (1 + tolerance);
  let rowStart = start;
  let sum = 0;
  let i = start;
  while (i < end) {
    const n = i - rowStart + 1;
    const withIt = sum + ar(i);
    const space = W - (n - 1) * gap;
    if (withIt < minRatio) {
      sum = withIt; // still too tall: take it and go on
      i++;
      continue;
    }
    if (withIt > maxRatio && n > 1) {
      const spaceBefore = W - (n - 2) * gap;
      if (Math.abs(withIt - space / H) > Math.abs(sum - spaceBefore / H)) {
        row(rowStart, i, spaceBefore / sum, true); // nearer the target without it: it starts the next row
        rowStart = i;
        sum = 0;
        continue;
      }
    }
    row(rowStart, i + 1, space / withIt, true);
    rowStart = i + 1;
    sum = 0;
    i++;
  }
  if (rowStart < end) row(rowStart, end, H, false);
}
