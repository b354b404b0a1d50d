/**
 * @file The grid's geometry for its width and zoom: justified rows from `photos:layout` (a dated grid given
 * the layout, unless the user chose squares: ./grid-mode.tsx) or square columns from the timeline, the
 * size of each row for the virtualizer, and the scroll anchor kept across re-layouts. Runs in the
 * renderer; used by ./photo-grid.tsx.
 *
 * [Note: Scroll anchoring] Rows move when the layout changes under the view: photos arrive or leave during
 * a scan, and in a justified grid rows re-pack when a photo's dimensions arrive (its shape is a square
 * until the metadata step has read them). The scroll offset alone would then show other photos (a view
 * at the last photo drifted months back while a scan ran). So after each render the grid notes the photo
 * the view is on (the focused one when it is on screen, else the first of the top row), and after a new
 * layout it scrolls by however far that photo's row moved.
 */
import { useMemo } from 'react';
import type { TimelineGroup } from '../../../../preload/contract';
import type { JustifiedRow } from './grid-cells';
import { buildLayout, columnsFor, rowForIndex, type GridLayout, type GridRow } from './grid-layout';
import { useGridMode } from './grid-mode';
import { buildJustifiedLayout } from './justified-layout';
import type { LayoutData } from './use-layout-data';

export const HEADER_HEIGHT = 56;
export const GAP = 4;
export const PAD = 16;
/** Space above the first row. */
export const PAD_TOP = 4;
/** Height of the day headers over a justified row in which days start. */
const DAY_HEADER_HEIGHT = 28;
/** Space between two days side by side in a justified row. */
const DAY_GAP = 16;
/** Width kept at the right edge of a dated grid for the date scrubber (which stands in for the scrollbar). */
export const SCRUBBER_WIDTH = 44;

export interface GridGeometry {
  layout: GridLayout;
  /** Whether the rows are justified (else square). */
  justified: boolean;
  /** Width of a row (CSS px). */
  inner: number;
  /** Square grid: its columns and cell edge. */
  columns: number;
  cell: number;
  /** Justified grid: the rows' target height. */
  rowHeight: number;
}

/**
 * A justified row's target height for the zoom's cell edge: a 3:2 photo then covers about the area of a
 * square cell (edge / √1.5), so a zoom level shows about as many photos in either grid.
 */
export const justifiedRowHeight = (minCell: number): number => Math.round(minCell / Math.sqrt(1.5));

/** The geometry of a grid `width` px wide (its scroller's) at zoom `minCell`. */
export function useGridGeometry(
  width: number,
  minCell: number,
  groups: readonly TimelineGroup[],
  dated: boolean,
  layoutData: LayoutData | null | undefined,
): GridGeometry {
  const data = useGridMode() === 'justified' && dated ? layoutData : null;
  const inner = Math.max(0, width - 2 * PAD - (dated ? SCRUBBER_WIDTH : 0));
  const columns = columnsFor(inner + GAP, minCell + GAP);
  const cell = Math.max(1, Math.floor((inner + GAP) / columns) - GAP);
  const rowHeight = justifiedRowHeight(minCell);
  const layout = useMemo(
    () =>
      data
        ? buildJustifiedLayout(data, data.aspects, { width: inner, rowHeight, gap: GAP, dayGap: DAY_GAP })
        : buildLayout(groups, columns, dated),
    [data, inner, rowHeight, groups, columns, dated],
  );
  return { layout, justified: layout.boxes !== undefined, inner, columns, cell, rowHeight };
}

/** A row's height in the scrolled content, its gap below included. */
export function rowSize(row: GridRow | undefined, cell: number): number {
  if (row?.kind === 'month') return HEADER_HEIGHT;
  if (row?.height === undefined) return cell + GAP;
  return (row.labels ? DAY_HEADER_HEIGHT : 0) + Math.round(row.height) + GAP;
}

/** The photo the view is on, with the layout it was on it in ([Note: Scroll anchoring]). */
export interface ScrollAnchor {
  index: number;
  layout: GridLayout;
  cell: number;
}

/** Where a photo's row starts in the scrolled content, or null when the layout has no such photo. */
function rowTop(layout: GridLayout, cell: number, index: number): number | null {
  const row = rowForIndex(layout, index);
  if (row < 0) return null;
  let top = PAD_TOP;
  for (let r = 0; r < row; r++) top += rowSize(layout.rows[r], cell);
  return top;
}

/**
 * The photo to keep in place: the focused one while its row is on screen, else the first photo of the
 * first photo row showing at the top (`items` are the rendered rows: index, start, end).
 */
export function pickAnchor(
  layout: GridLayout,
  cell: number,
  items: readonly { index: number; start: number; end: number }[],
  top: number,
  height: number,
  focusIndex: number,
): ScrollAnchor | null {
  let index = -1;
  for (const item of items) {
    const row = layout.rows[item.index];
    if (row?.kind !== 'photos' || item.end <= top || item.start >= top + height) continue;
    if (focusIndex >= row.start && focusIndex < row.end) {
      index = focusIndex;
      break;
    }
    if (index < 0) index = row.start;
  }
  return index < 0 ? null : { index, layout, cell };
}

/** How far the anchored photo's row moved between its layout and `layout` (CSS px). */
export function anchorShift(anchor: ScrollAnchor, layout: GridLayout, cell: number): number {
  if (anchor.layout === layout && anchor.cell === cell) return 0;
  const before = rowTop(anchor.layout, anchor.cell, anchor.index);
  const after = rowTop(layout, cell, anchor.index);
  return before === null || after === null ? 0 : after - before;
}

/** What a justified photo row needs to place its cells and day headers; undefined for a square one. */
export function justifiedRow({ layout, inner }: GridGeometry, row: GridRow): JustifiedRow | undefined {
  if (!layout.boxes || row.kind !== 'photos' || row.height === undefined) return undefined;
  return {
    boxes: layout.boxes,
    photoHeight: row.height,
    labels: row.labels,
    labelHeight: row.labels ? DAY_HEADER_HEIGHT : 0,
    width: inner,
  };
}
