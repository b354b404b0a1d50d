/**
 * @file The library grid's geometry: month header rows and fixed-size photo rows computed from the
 * timeline alone (no photo needs to be loaded to know where every row is), and keyboard movement of
 * the focus ring through those rows (square rows, and the justified rows of ./justified-layout.ts, which
 * builds the same `GridLayout`). Runs in the renderer; pure, so it is unit-tested directly.
 *
 * [Note: Grid rows from the timeline] `photos:timeline` gives photo counts per month, newest first,
 * in the same order as `photos:page`. Each month becomes one header row plus ceil(count / columns)
 * photo rows, so a library of 100k photos is a few thousand rows whose offsets are known up front and
 * the virtualizer renders only those on screen. Days inside a month flow on in the same rows; the
 * first photo of each day carries a day label (day counts are not in the timeline, and a layout that
 * waited for every page to know them would not be virtual any more). This is the square grid; the
 * justified grid knows days and aspect ratios up front instead ([Note: Grid layout data] in
 * preload/contract/layout.ts).
 */
import type { TimelineGroup } from '../../../../preload/contract';

/** A day's header over the first of its photos in a justified row: its x offset (CSS px) and the day. */
export interface DayLabel {
  x: number;
  day: string;
  /** The day's first photo. */
  index: number;
}

export type GridRow =
  | { kind: 'month'; key: string; count: number; group: number }
  /**
   * Photos with global indexes start (inclusive) to end (exclusive). A justified row has its photos'
   * `height` (CSS px) and, when days start in it, their headers above the photos.
   */
  | { kind: 'photos'; group: number; start: number; end: number; height?: number; labels?: readonly DayLabel[] };

export interface GridLayout {
  /** Columns of the square grid; 0 for a justified one (see `boxes`). */
  columns: number;
  rows: GridRow[];
  /** The months (the timeline's groups) that `group` in a row refers to. */
  groups: readonly TimelineGroup[];
  /** A justified grid's photo boxes: each photo's left edge and width inside its row (CSS px). */
  boxes?: { left: Float32Array; width: Float32Array };
  /** Row index of each photo row's first photo, ascending, for index → row lookup. */
  photoRowStarts: number[];
  /** Row index in `rows` of each entry in photoRowStarts. */
  photoRowIndex: number[];
  total: number;
}

/**
 * Lays out the timeline's months in rows of `columns` photos. Without `headers` there are no month rows
 * (each group still starts a new row): a list in another order than by date (search results by
 * relevance) is one group laid out this way.
 */
export function buildLayout(groups: readonly TimelineGroup[], columns: number, headers = true): GridLayout {
  const cols = Math.max(1, Math.floor(columns));
  const rows: GridRow[] = [];
  const photoRowStarts: number[] = [];
  const photoRowIndex: number[] = [];
  let index = 0;
  groups.forEach((g, group) => {
    if (g.count <= 0) return;
    if (headers) rows.push({ kind: 'month', key: g.key, count: g.count, group });
    const end = index + g.count;
    for (let start = index; start < end; start += cols) {
      photoRowStarts.push(start);
      photoRowIndex.push(rows.length);
      rows.push({ kind: 'photos', group, start, end: Math.min(end, start + cols) });
    }
    index = end;
  });
  return { columns: cols, rows, groups, photoRowStarts, photoRowIndex, total: index };
}

/** Position of a photo in the list of photo rows (not counting month headers); -1 when out of range. */
export function photoRowOf(layout: GridLayout, index: number): number {
  if (index < 0 || index >= layout.total) return -1;
  const starts = layout.photoRowStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Row index (in `layout.rows`) that holds the photo at `index`; -1 when out of range. */
export function rowForIndex(layout: GridLayout, index: number): number {
  const r = photoRowOf(layout, index);
  return r < 0 ? -1 : (layout.photoRowIndex[r] ?? -1);
}

export type FocusMove = 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';

/** The photo of rows [start, end) whose centre is nearest to `x` (justified rows). */
function nearestInRow(boxes: NonNullable<GridLayout['boxes']>, start: number, end: number, x: number): number {
  let best = start;
  let bestDistance = Infinity;
  for (let i = start; i < end; i++) {
    const d = Math.abs((boxes.left[i] ?? 0) + (boxes.width[i] ?? 0) / 2 - x);
    if (d < bestDistance) [best, bestDistance] = [i, d];
  }
  return best;
}

/**
 * Where the focus ring goes from `index` for one key press. Up and down keep the column when the
 * next row has it and otherwise land on that row's last photo (a justified grid: the photo nearest
 * below or above the middle of this one); they cross month headers.
 */
export function moveFocus(layout: GridLayout, index: number, move: FocusMove, pageRows = 5): number {
  const total = layout.total;
  if (total === 0) return -1;
  const from = Math.min(Math.max(index, 0), total - 1);
  const vertical = (rowsDelta: number): number => {
    const r = photoRowOf(layout, from);
    const rowStart = layout.photoRowStarts[r] ?? 0;
    const col = from - rowStart;
    const target = Math.min(Math.max(r + rowsDelta, 0), layout.photoRowStarts.length - 1);
    if (target === r) return from;
    const start = layout.photoRowStarts[target] ?? 0;
    const row = layout.rows[layout.photoRowIndex[target] ?? 0];
    const end = row && row.kind === 'photos' ? row.end : start + 1;
    const boxes = layout.boxes;
    if (boxes) return nearestInRow(boxes, start, end, (boxes.left[from] ?? 0) + (boxes.width[from] ?? 0) / 2);
    return Math.min(start + col, end - 1);
  };
  switch (move) {
    case 'left':
      return Math.max(0, from - 1);
    case 'right':
      return Math.min(total - 1, from + 1);
    case 'up':
      return vertical(-1);
    case 'down':
      return vertical(1);
    case 'pageUp':
      return vertical(-Math.max(1, pageRows));
    case 'pageDown':
      return vertical(Math.max(1, pageRows));
    case 'home':
      return 0;
    case 'end':
      return total - 1;
  }
}

/** Columns that fit `width` pixels with cells of at least `minCell` pixels. */
export function columnsFor(width: number, minCell: number): number {
  return Math.max(1, Math.floor(width / Math.max(1, minCell)));
}
