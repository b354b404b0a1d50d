/**
 * @file The virtualized photo grid: month header rows and fixed-size square cells, only the rows on
 * screen in the DOM, pages fetched as rows come into view, and a keyboard-driven focus ring (arrows,
 * Page Up/Down, Home/End, Enter opens). Runs in the renderer.
 *
 * See [Note: Grid rows from the timeline] in ./grid-layout.ts. The same grid shows search results
 * (renderer/src/features/search/): no month headers or day labels there, and a decoration per cell
 * (relevance and why it matched).
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
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ComponentType,
  type KeyboardEvent,
} from 'react';
import type { TimelineGroup } from '../../../../preload/contract';
import { thumbUrl } from '../../media';
import { MonthRow, PhotoRow, type CellDecorationProps } from './grid-cells';
import { buildLayout, columnsFor, moveFocus, rowForIndex, type FocusMove } from './grid-layout';
import type { PhotoStore } from './photo-store';
import { createThumbPrefetcher } from './thumb-prefetch';
import { useFling } from './use-fling';

export type { CellDecorationProps } from './grid-cells';

/** Smallest, default and largest cell sizes the zoom control offers (CSS pixels). */
export const CELL_SIZES = { min: 96, default: 168, max: 320 } as const;
const HEADER_HEIGHT = 56;
const GAP = 4;
const PAD = 16;

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
  useEffect(() => {
    const release = (target: EventTarget | null) => {
      if (!scrollRef.current?.contains(target as Node | null)) {
        hasFocus.current = false;
        focusPending.current = false;
      }
    };
    // Focus that lands anywhere else (even after the focused cell vanished) ends the grid's claim, and so
    // does a press on any other part of the page, focusable or not.
    const onFocusIn = (e: FocusEvent) => release(e.target);
    const onPointerDown = (e: PointerEvent) => {
      focusPending.current = false; // a pointer (a scrollbar drag too) wins over a pending keyboard scroll
      release(e.target);
    };
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('pointerdown', onPointerDown, true);
    };
  }, []);
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

  const inner = Math.max(0, size.width - 2 * PAD);
  const columns = columnsFor(inner + GAP, minCell + GAP);
  const cell = Math.max(1, Math.floor((inner + GAP) / columns) - GAP);
  const layout = useMemo(() => buildLayout(groups, columns, dated), [groups, columns, dated]);
  const total = layout.total;

  const virtualizer = useVirtualizer({
    count: layout.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (layout.rows[i]?.kind === 'month' ? HEADER_HEIGHT : cell + GAP),
    // Rows ahead of a fling, rendered before they show (memoized rows cost only when they come in, and
    // off-screen ones are not painted: [Note: Grid renders per scroll] in grid-cells.tsx).
    overscan: 6,
    paddingStart: 4,
    paddingEnd: PAD,
    // A range change re-renders in React's own task, not inside the scroll event: rendering there made a
    // fling miss 60 % of its frames (bench:grid) where the overscan covers the frame it may lag.
    useFlushSync: false,
  });
  useEffect(() => {
    virtualizer.measure();
  }, [virtualizer, layout, cell]);

  // After a zoom, and after a resize while the grid has focus, keep the focused photo on screen (the
  // pixel offset alone would land elsewhere). Not on every library change: re-centring then would
  // fight a user scrolling during a scan.
  const focusRef = useRef(0);
  const layoutRef = useRef(layout);
  useEffect(() => {
    layoutRef.current = layout;
  });
  const laidOut = useRef({ minCell, columns });
  useEffect(() => {
    const before = laidOut.current;
    laidOut.current = { minCell, columns };
    const zoomed = before.minCell !== minCell;
    const reflowed = before.columns !== columns && hasFocus.current;
    if (!zoomed && !reflowed) return;
    const row = rowForIndex(layoutRef.current, focusRef.current);
    if (row >= 0) virtualizer.scrollToIndex(row, { align: 'center' });
  }, [virtualizer, minCell, columns]);

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
  // Pages and thumbnails for the rows ahead of the scroll direction: about two screens' worth. Not before
  // the first scroll: the first screen's own thumbnails must not queue behind them.
  const prefetcher = useMemo(() => createThumbPrefetcher(), []);
  const lastFirst = useRef(first);
  /** 1 down, -1 up, 0 before the first scroll. */
  const direction = useRef(0);
  const rowsOnScreen = Math.max(1, Math.ceil(size.height / (cell + GAP)));
  useEffect(() => {
    if (last <= first) return;
    if (first !== lastFirst.current) direction.current = first > lastFirst.current ? 1 : -1;
    lastFirst.current = first;
    if (direction.current === 0) {
      store.ensureRange(first, last);
      return;
    }
    const down = direction.current > 0;
    const ahead = 2 * rowsOnScreen * columns;
    const [from, to] = down ? [last, Math.min(total, last + ahead)] : [Math.max(0, first - ahead), first];
    store.ensureRange(Math.min(first, from), Math.max(last, to));
    if (fling) return; // the view outruns any thumbnail prefetch; it starts again as the fling ends
    const urls: string[] = [];
    for (let k = 0; k < to - from; k++) {
      const thumb = store.get(down ? from + k : to - 1 - k)?.thumb;
      if (thumb) urls.push(thumbUrl(mediaBase, thumb));
    }
    prefetcher.prefetch(urls);
  }, [store, version, prefetcher, fling, first, last, total, columns, rowsOnScreen, mediaBase]);

  // The month at the top edge of the viewport (the last header at or above it).
  const topRow = items.find((i) => i.end > (virtualizer.scrollOffset ?? 0) + 1)?.index ?? 0;
  const topGroup = layout.rows[topRow]?.group;
  const topMonth = topGroup === undefined ? null : (groups[topGroup]?.key ?? null);
  useEffect(() => onTopMonth?.(topMonth), [onTopMonth, topMonth]);

  // Keep the focus ring inside the library when it shrinks.
  const focusIndex = total === 0 ? -1 : Math.min(focus, total - 1);
  useEffect(() => {
    focusRef.current = focusIndex;
  });

  /** Scrolls the photo's row into view; up to a month's first row, its header too (Home: the very top). */
  const scrollToPhoto = (index: number) => {
    const row = rowForIndex(layout, index);
    if (row < 0) return;
    const header = layout.rows[row - 1]?.kind === 'month' ? row - 1 : -1;
    const above = (virtualizer.measurementsCache[row]?.start ?? 0) < (virtualizer.scrollOffset ?? 0);
    if (above && header === 0) virtualizer.scrollToOffset(0);
    else if (above && header > 0) virtualizer.scrollToIndex(header, { align: 'start' });
    else virtualizer.scrollToIndex(row, { align: 'auto' });
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
  const onCellClick = useCallback((index: number) => {
    setFocus(index);
    onOpenRef.current(index);
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const move = KEY_MOVES[e.key];
    if (move) {
      e.preventDefault();
      const pageRows = Math.max(1, Math.floor(size.height / (cell + GAP)) - 1);
      goTo(moveFocus(layout, focusIndex, move, pageRows));
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
    <div
      ref={scrollRef}
      className="grid-scroll"
      role="grid"
      aria-label={label}
      aria-rowcount={layout.rows.length}
      aria-colcount={columns}
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
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
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
            />
          );
        })}
      </div>
    </div>
  );
});
