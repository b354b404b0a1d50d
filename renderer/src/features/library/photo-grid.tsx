/**
 * @file The virtualized photo grid: month header rows and justified rows with day headers (or square
 * cells), only the rows on screen in the DOM, pages fetched as rows come into view, a keyboard-driven
 * focus ring (arrows, Page Up/Down, Home/End, Enter opens), multi-selection (checks, Shift ranges, Space,
 * Ctrl/Cmd+A, Esc) and the date scrubber. Runs in the renderer.
 *
 * See [Note: Grid rows from the timeline] in ./grid-layout.ts, [Note: Justified rows] in
 * ./justified-layout.ts and [Note: Selection as index intervals] in ./selection.ts. The same grid shows
 * search results (renderer/src/features/search/): square cells, no month headers, day labels, selection
 * or scrubber there, and a decoration per cell (relevance and why it matched).
 *
 * [Note: The wheel wins over the focus ring] The focus ring (a roving tabindex on the cells) survives
 * scrolling, but never pulls the view: the wheel, the scrollbar and touch always move the grid. When the
 * focused cell scrolls out of the rendered rows the browser drops its focus; the grid then focuses its
 * own scroll container (tabindex -1, without scrolling) so the next arrow key still reaches it and moves
 * on from the focused photo, scrolling back to it. Only keyboard moves and `focusIndex` (the viewer
 * closing) scroll to a cell. A press anywhere outside the grid, focusable or not, ends its claim on the
 * keyboard. (Issue 14: a blur without a `relatedTarget` used to keep the claim and the layout effect kept
 * scrolling back to the focused row, so 2 s of wheeling moved 0–1,000 px instead of 3,300–4,000.)
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  forwardRef,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ComponentType,
  type KeyboardEvent,
} from 'react';
import type { TimelineGroup } from '../../../../preload/contract';
import { DateScrubber, useScrubber } from './date-scrubber';
import { MonthRow, PhotoRow, type CellClick, type CellDecorationProps } from './grid-cells';
import { moveFocus, rowForIndex, type FocusMove } from './grid-layout';
import type { PhotoStore } from './photo-store';
import { clickSelects, extendOnMove, keySelects } from './grid-selection';
import type { SelectionStore } from './selection';
import { usePagesAhead } from './thumb-prefetch';
import { useFling } from './use-fling';
import { useEndHold } from './use-end-hold';
import { useFocusClaim } from './use-focus-claim';
import {
  anchorShift,
  GAP,
  justifiedRow,
  PAD,
  PAD_TOP,
  pickAnchor,
  rowSize,
  SCRUBBER_WIDTH,
  useGridGeometry,
  type ScrollAnchor,
} from './use-grid-geometry';
import type { LayoutData } from './use-layout-data';
import './grid.css';

export type { CellDecorationProps } from './grid-cells';

/** Smallest, default and largest cell sizes the zoom control offers (CSS pixels). */
export const CELL_SIZES = { min: 96, default: 168, max: 320 } as const;
const noSubscribe = () => () => {};
const noVersion = () => 0;

const KEY_MOVES: Record<string, FocusMove> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  Home: 'home',
  End: 'end',
};

export interface PhotoGridHandle {
  /** Moves the focus ring to a photo, scrolls it into view and focuses its cell. */
  focusIndex(index: number): void;
}

export interface PhotoGridProps {
  groups: readonly TimelineGroup[];
  store: PhotoStore;
  mediaBase: string;
  onOpen: (index: number) => void;
  /** The month at the top of the viewport, for the toolbar. */
  onTopMonth?: (key: string | null) => void;
  /** Smallest cell edge; columns are as many as fit, cells grow to fill the width. */
  minCell?: number;
  /** Asks for bigger (+1) or smaller (-1) cells (the + and - keys). */
  onZoom?: (direction: 1 | -1) => void;
  /** Month header rows and day labels (the library, newest first); off for a list in another order. */
  dated?: boolean;
  /** The grid's accessible name. */
  label?: string;
  /**
   * Drawn over each loaded cell, e.g. a search result's score and why it matched; a stable component.
   * Its root takes `id`, which describes the cell to assistive technology.
   */
  decoration?: ComponentType<CellDecorationProps>;
  /** The multi-selection the grid's checks, clicks and keys change; none: cells only open. */
  selection?: SelectionStore | undefined;
  /**
   * The days and shapes of the grid's photos (./use-layout-data.ts, asked with the same view, folder and
   * map area as the pages): a dated grid with them is justified unless the user chose squares.
   */
  layout?: LayoutData | null | undefined;
}

export const PhotoGrid = forwardRef<PhotoGridHandle, PhotoGridProps>(function PhotoGrid(
  {
    groups,
    store,
    mediaBase,
    onOpen,
    onTopMonth,
    minCell = CELL_SIZES.default,
    onZoom,
    dated = true,
    label = 'Photos, newest first',
    decoration,
    selection,
    layout: layoutData,
  },
  ref,
) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [focus, setFocus] = useState(0);
  /** A keyboard move (or `focusIndex`) waits for its cell to render, scrolling to it until then. */
  const focusPending = useRef(false);
  /** Whether the keyboard belongs to the grid (see [Note: The wheel wins over the focus ring]). */
  const hasFocus = useRef(false);
  useFocusClaim(scrollRef, hasFocus, focusPending);
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  const fling = useFling(scrollRef);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const update = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const selectionVersion = useSyncExternalStore(selection?.subscribe ?? noSubscribe, selection?.getVersion ?? noVersion);
  const geometry = useGridGeometry(size.width, minCell, groups, dated, layoutData);
  const { layout, justified, inner, columns, cell } = geometry;
  const total = layout.total;
  /** Photos in a row (on average: justified rows vary). */
  const perRow = justified ? Math.max(1, Math.round(total / Math.max(1, layout.photoRowStarts.length))) : columns;

  const virtualizer = useVirtualizer({
    count: layout.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => rowSize(layout.rows[i], cell),
    // Rows ahead of a fling, rendered before they show (memoized rows cost only when they come in, and
    // off-screen ones are not painted: [Note: Grid renders per scroll] in grid-cells.tsx). Six square rows'
    // worth of cells: justified rows hold fewer photos (days side by side), so more of them.
    overscan: Math.min(12, Math.max(6, Math.round((6 * columns) / perRow))),
    paddingStart: PAD_TOP,
    paddingEnd: PAD,
    // A range change re-renders in React's own task, not inside the scroll event: rendering there made a
    // fling miss 60 % of its frames (bench:grid) where the overscan covers the frame it may lag.
    useFlushSync: false,
  });
  // A new layout (a scan, dimensions arriving, photos hidden or moved out) keeps the photo the view was on
  // where it was on screen: see [Note: Scroll anchoring] in ./use-grid-geometry.ts. Not at the very top,
  // where new photos arriving above should show.
  // A view at the very end stays at the end instead: see [Note: Holding the end] in ./use-end-hold.ts.
  const anchor = useRef<ScrollAnchor | null>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const totalSize = virtualizer.getTotalSize();
  const end = useEndHold(scrollRef, contentRef, totalSize);
  useEffect(() => {
    virtualizer.measure();
    const el = scrollRef.current;
    if (el && end.held()) return; // kept at the end as the content's height changes
    const shift = anchor.current ? anchorShift(anchor.current, layout, cell) : 0;
    if (el && shift !== 0 && el.scrollTop > 0) el.scrollTop += shift;
  }, [virtualizer, layout, cell, end]);

  // After a zoom, and after a resize while the grid has focus, keep the focused photo on screen (the
  // pixel offset alone would land elsewhere). Not on every library change: re-centring then would
  // fight a user scrolling during a scan.
  const focusRef = useRef(0);
  const layoutRef = useRef(layout);
  useEffect(() => {
    layoutRef.current = layout;
  });
  // A justified grid re-flows with any change of width, a square one when its columns change.
  const flow = justified ? inner : columns;
  const laidOut = useRef({ minCell, flow });
  useEffect(() => {
    const before = laidOut.current;
    laidOut.current = { minCell, flow };
    const zoomed = before.minCell !== minCell;
    const reflowed = before.flow !== flow && hasFocus.current;
    if (!zoomed && !reflowed) return;
    const row = rowForIndex(layoutRef.current, focusRef.current);
    if (row >= 0) virtualizer.scrollToIndex(row, { align: 'center' });
  }, [virtualizer, minCell, flow]);

  const items = virtualizer.getVirtualItems();
  let first = Number.MAX_SAFE_INTEGER;
  let last = -1;
  for (const item of items) {
    const row = layout.rows[item.index];
    if (row?.kind === 'photos') {
      first = Math.min(first, row.start);
      last = Math.max(last, row.end);
    }
  }
  const rowHeight = (justified ? geometry.rowHeight : cell) + GAP;
  const rowsOnScreen = Math.max(1, Math.ceil(size.height / rowHeight));
  usePagesAhead({ store, version, fling, first, last, total, ahead: 2 * rowsOnScreen * perRow, mediaBase });

  // The month at the top edge of the viewport (the last header at or above it).
  const topRow = items.find((i) => i.end > (virtualizer.scrollOffset ?? 0) + 1)?.index ?? 0;
  const topGroup = layout.rows[topRow]?.group;
  const topMonth = topGroup === undefined ? null : (layout.groups[topGroup]?.key ?? null);
  useEffect(() => onTopMonth?.(topMonth), [onTopMonth, topMonth]);

  // The scrubber's months: where each header row starts (the virtualizer's offsets, sizes known up front).
  const scrub = useScrubber(virtualizer, layout, topMonth, {
    onJump: () => {
      focusPending.current = false; // the scrubber wins over a keyboard move still scrolling to its cell
      end.release();
    },
    onEnd: end.hold,
  });
  const scrubber = dated && scrub.months.length > 0 && totalSize > size.height + 1;

  // Keep the focus ring inside the library when it shrinks.
  const focusIndex = total === 0 ? -1 : Math.min(focus, total - 1);
  useEffect(() => {
    focusRef.current = focusIndex;
    const top = scrollRef.current?.scrollTop ?? 0;
    anchor.current = pickAnchor(layout, cell, items, top, size.height, hasFocus.current ? focusIndex : -1);
  });

  /**
   * Scrolls the photo's row into view; up to a month's first row, its header too (Home: the very top); down
   * to the last row, the very end (End: the bottom padding too, held there as the scrubber's End is).
   */
  const scrollToPhoto = (index: number) => {
    const row = rowForIndex(layout, index);
    if (row < 0) return;
    const header = layout.rows[row - 1]?.kind === 'month' ? row - 1 : -1;
    const above = (virtualizer.measurementsCache[row]?.start ?? 0) < (virtualizer.scrollOffset ?? 0);
    if (above && header === 0) virtualizer.scrollToOffset(0);
    else if (above && header > 0) virtualizer.scrollToIndex(header, { align: 'start' });
    else if (row === layout.rows.length - 1) {
      virtualizer.scrollToEnd();
      end.hold();
    } else virtualizer.scrollToIndex(row, { align: 'auto' });
  };

  // Focus the focused cell once it is rendered (after a key press or the viewer closing). Also when a
  // re-layout (zoom, resize, photos arriving) re-created the focused cell's row: a removed element
  // loses focus, and a layout effect puts it back in the same task, before the next key press lands.
  // Only a keyboard move scrolls to the cell: see [Note: The wheel wins over the focus ring].
  useLayoutEffect(() => {
    const scroller = scrollRef.current;
    if (!scroller) return;
    const active = document.activeElement;
    const onCell = active !== scroller && scroller.contains(active);
    if (!focusPending.current && (!hasFocus.current || onCell)) return;
    const el = scroller.querySelector<HTMLElement>(`[data-index="${focusIndex}"]`);
    if (el) {
      if (active !== el) el.focus({ preventScroll: true });
      focusPending.current = false;
    } else if (focusPending.current) {
      // Not rendered yet, or by a layout that a resize has since replaced: scroll by the current one;
      // the next render focuses it.
      scrollToPhoto(focusIndex);
    } else if (active !== scroller) {
      // The focused cell scrolled out of the rendered rows and took the focus with it: the grid itself
      // keeps the keyboard (the next arrow key moves from the focused photo), and the view stays put.
      scroller.focus({ preventScroll: true });
    }
  });

  /** The wheel and touch win over a keyboard move still scrolling to its cell. */
  const cancelPendingScroll = useCallback(() => {
    focusPending.current = false;
  }, []);

  const goTo = (index: number) => {
    if (index < 0) return;
    setFocus(index);
    focusPending.current = true;
    scrollToPhoto(index);
  };
  useImperativeHandle(ref, () => ({ focusIndex: goTo }));

  // One click handler for every cell, the same across renders, so that cells stay memoized.
  const onOpenRef = useRef(onOpen);
  useEffect(() => {
    onOpenRef.current = onOpen;
  });
  // With a selection, a click ticks (the check, Ctrl/Cmd, or while anything is ticked) or extends (Shift).
  const selectionRef = useRef(selection);
  useEffect(() => {
    selectionRef.current = selection;
  });
  const onCellClick = useCallback(
    (index: number, click: CellClick) => {
      setFocus(index);
      if (clickSelects(selectionRef.current, click, index, (i) => store.get(i)?.id)) {
        focusPending.current = true; // a press on the check leaves the focus where it was: the cell takes it
        return;
      }
      onOpenRef.current(index);
    },
    [store],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const idAt = (i: number) => store.get(i)?.id;
    if (keySelects(selection, e, focusIndex, idAt)) {
      e.preventDefault();
      e.stopPropagation(); // Esc clears the selection only, not what an outer Esc would close
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const move = KEY_MOVES[e.key];
    if (move) {
      e.preventDefault();
      const pageRows = Math.max(1, Math.floor(size.height / rowHeight) - 1);
      const next = moveFocus(layout, focusIndex, move, pageRows);
      extendOnMove(selection, e.shiftKey, focusIndex, next, idAt);
      goTo(next);
    } else if ((e.key === '+' || e.key === '=' || e.key === '-') && onZoom) {
      e.preventDefault();
      onZoom(e.key === '-' ? -1 : 1);
      focusPending.current = true;
    } else if ((e.key === 'Enter' || e.key === ' ') && focusIndex >= 0) {
      e.preventDefault();
      onOpen(focusIndex);
    }
  };

  return (
    <div className={`grid-frame${dated ? ' dated' : ''}`}>
      <div
        ref={scrollRef}
        className={`grid-scroll${selection?.active ? ' selecting' : ''}`}
        role="grid"
        aria-label={label}
        aria-rowcount={layout.rows.length}
        aria-colcount={justified ? undefined : columns}
        aria-multiselectable={selection ? true : undefined}
        data-layout={justified ? 'justified' : 'square'}
        data-testid="photo-grid"
        // Focusable by script only: it holds the keyboard while the focused cell is scrolled away.
        tabIndex={-1}
        onKeyDown={onKeyDown}
        onFocus={() => {
          hasFocus.current = true;
        }}
        onBlur={(e) => {
          // A blur with no new target is the focused cell being removed (a re-layout or a scroll; Chromium
          // fires one) or a press on nothing, which the document's pointerdown listener tells apart.
          if (e.relatedTarget && !e.currentTarget.contains(e.relatedTarget)) hasFocus.current = false;
        }}
        onWheel={cancelPendingScroll}
        onTouchStart={cancelPendingScroll}
      >
        <div
          ref={contentRef}
          style={{ height: totalSize, position: 'relative', width: dated ? `calc(100% - ${SCRUBBER_WIDTH}px)` : '100%' }}
        >
          {items.map((item) => {
            const row = layout.rows[item.index];
            const box = { rowIndex: item.index, start: item.start, height: item.size, pad: PAD };
            if (!row) return null;
            if (row.kind === 'month') return <MonthRow key={item.key} {...box} monthKey={row.key} count={row.count} />;
            return (
              <PhotoRow
                key={item.key}
                {...box}
                first={row.start}
                end={row.end}
                store={store}
                version={version}
                monthStart={layout.rows[item.index - 1]?.kind === 'month'}
                dated={dated}
                decoration={decoration}
                focusIndex={focusIndex >= row.start && focusIndex < row.end ? focusIndex : -1}
                gap={GAP}
                cell={cell}
                mediaBase={mediaBase}
                thumbs={!fling}
                onCellClick={onCellClick}
                justified={justifiedRow(geometry, row)}
                selection={selection}
                selectionVersion={selectionVersion}
              />
            );
          })}
        </div>
      </div>
      {scrubber ? (
        <DateScrubber
          months={scrub.months}
          scrollRef={scrollRef}
          contentHeight={totalSize}
          viewport={size.height}
          current={scrub.current}
          onScrollTo={scrub.scrollTo}
          onMonth={scrub.toMonth}
          onEnd={scrub.toEnd}
        />
      ) : null}
    </div>
  );
});
