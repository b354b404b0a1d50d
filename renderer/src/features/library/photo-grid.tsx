/**
 * @file The virtualized photo grid: month header rows and fixed-size square cells, only the rows on
 * screen in the DOM, pages fetched as rows come into view, and a keyboard-driven focus ring (arrows,
 * Page Up/Down, Home/End, Enter opens). Runs in the renderer.
 *
 * See [Note: Grid rows from the timeline] in ./grid-layout.ts. The same grid shows search results
 * (renderer/src/features/search/): no month headers or day labels there, and a decoration per cell
 * (relevance and why it matched).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  forwardRef,
  memo,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useId,
  useRef,
  useState,
  useSyncExternalStore,
  type ComponentType,
  type KeyboardEvent,
} from 'react';
import type { PhotoSummary, TimelineGroup } from '../../../../preload/contract';
import { countLabel, dateTimeLabel, dayLabel, monthLabel } from '../../format';
import { thumbUrl } from '../../media';
import { buildLayout, columnsFor, moveFocus, rowForIndex, type FocusMove } from './grid-layout';
import type { PhotoStore } from './photo-store';

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

export interface CellDecorationProps {
  photo: PhotoSummary;
  id: string;
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
  const focusPending = useRef(false);
  /** Whether focus is inside the grid, from focusin / focusout (which removal does not fire). */
  const hasFocus = useRef(false);
  useEffect(() => {
    // Focus that lands anywhere else (even after the focused cell vanished) ends the grid's claim.
    const onFocusIn = (e: FocusEvent) => {
      if (!scrollRef.current?.contains(e.target as Node | null)) {
        hasFocus.current = false;
        focusPending.current = false;
      }
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, []);
  useSyncExternalStore(store.subscribe, store.getVersion);

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
    overscan: 4,
    paddingStart: 4,
    paddingEnd: PAD,
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
  useEffect(() => {
    if (last > first) store.ensureRange(first, last);
  }, [store, first, last]);

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

  // Focus the focused cell once it is rendered (after a key press or the viewer closing). Also when a
  // re-layout (zoom, resize, photos arriving) re-created the focused cell's row: a removed element
  // loses focus, and a layout effect puts it back in the same task, before the next key press lands.
  useLayoutEffect(() => {
    if (hasFocus.current && !scrollRef.current?.contains(document.activeElement)) focusPending.current = true;
    if (!focusPending.current) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${focusIndex}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusPending.current = false;
    } else {
      // Not rendered: the key press scrolled by a layout that a resize has since replaced. Scroll by
      // the current one; the next render focuses it.
      const row = rowForIndex(layout, focusIndex);
      if (row >= 0) virtualizer.scrollToIndex(row, { align: 'auto' });
    }
  });

  const goTo = (index: number) => {
    if (index < 0) return;
    setFocus(index);
    focusPending.current = true;
    const row = rowForIndex(layout, index);
    if (row >= 0) virtualizer.scrollToIndex(row, { align: 'auto' });
  };
  useImperativeHandle(ref, () => ({ focusIndex: goTo }));

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
      onKeyDown={onKeyDown}
      onFocus={() => {
        hasFocus.current = true;
      }}
      onBlur={(e) => {
        // A blur with no new target is the focused cell being removed by a re-layout (Chromium fires
        // one), or a click on nothing: the grid keeps its claim and refocuses the cell on the next render.
        if (e.relatedTarget && !e.currentTarget.contains(e.relatedTarget)) hasFocus.current = false;
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {items.map((item) => {
          const row = layout.rows[item.index];
          if (!row) return null;
          const style = { transform: `translateY(${item.start}px)`, height: item.size, left: PAD, right: PAD } as const;
          if (row.kind === 'month') {
            return (
              <div key={item.key} className="grid-row month-row" role="row" aria-rowindex={item.index + 1} style={style}>
                <div role="rowheader" className="month-header" data-testid="month-header">
                  <h2>{monthLabel(row.key)}</h2>
                  <span className="muted">
                    {countLabel(row.count)} {row.count === 1 ? 'photo' : 'photos'}
                  </span>
                </div>
              </div>
            );
          }
          const monthStart = layout.rows[item.index - 1]?.kind === 'month' ? row.start : -1;
          const cells = [];
          for (let i = row.start; i < row.end; i++) {
            cells.push(
              <PhotoCell
                key={i}
                index={i}
                photo={store.get(i)}
                previousDay={store.get(i - 1)?.day}
                monthStart={i === monthStart}
                dated={dated}
                decoration={decoration}
                focused={i === focusIndex}
                size={cell}
                mediaBase={mediaBase}
                onClick={() => {
                  setFocus(i);
                  onOpen(i);
                }}
              />,
            );
          }
          return (
            <div key={item.key} className="grid-row" role="row" aria-rowindex={item.index + 1} style={{ ...style, gap: GAP }}>
              {cells}
            </div>
          );
        })}
      </div>
    </div>
  );
});

interface PhotoCellProps {
  index: number;
  photo: PhotoSummary | undefined;
  previousDay: string | undefined;
  monthStart: boolean;
  dated: boolean;
  decoration: ComponentType<CellDecorationProps> | undefined;
  focused: boolean;
  size: number;
  mediaBase: string;
  onClick: () => void;
}

const PhotoCell = memo(function PhotoCell({
  index,
  photo,
  previousDay,
  monthStart,
  dated,
  decoration: Decoration,
  focused,
  size,
  mediaBase,
  onClick,
}: PhotoCellProps) {
  const [failed, setFailed] = useState(false);
  const decorationId = useId();
  const decorated = photo !== undefined && Decoration !== undefined;
  const thumb = photo?.thumb ?? null;
  useEffect(() => setFailed(false), [thumb]);
  const newDay = dated && photo !== undefined && (monthStart || previousDay !== photo.day);
  const label = photo
    ? `${photo.name}, ${dateTimeLabel(photo.takenAt)}${photo.status !== 'ok' ? `, ${photo.status}` : ''}`
    : 'Loading photo';
  return (
    <div
      role="gridcell"
      className={`cell${focused ? ' focused' : ''}${photo ? '' : ' loading'}`}
      style={{ width: size, height: size }}
      tabIndex={focused ? 0 : -1}
      data-index={index}
      data-testid="photo-cell"
      data-photo-id={photo?.id}
      aria-label={label}
      aria-describedby={decorated ? decorationId : undefined}
      aria-selected={focused}
      onClick={onClick}
    >
      {photo && thumb && !failed ? (
        <img
          src={thumbUrl(mediaBase, thumb)}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
          onError={() => setFailed(true)}
          data-testid="thumb"
        />
      ) : photo ? (
        <div className="cell-placeholder" aria-hidden="true">
          <span>{failed ? 'No thumbnail' : photo.status === 'ok' ? 'Processing…' : ''}</span>
        </div>
      ) : null}
      {newDay && photo ? <span className="day-chip">{dayLabel(photo.day)}</span> : null}
      {photo && photo.status !== 'ok' ? (
        <span
          className={`badge badge-${photo.status}`}
          data-testid={`badge-${photo.status}`}
          title={photo.status === 'missing' ? 'The file is gone from disk' : 'The file could not be read'}
        >
          {photo.status === 'missing' ? 'Missing' : 'Error'}
        </span>
      ) : photo && photo.kind !== 'image' ? (
        <span className="badge badge-kind">{photo.kind === 'raw' ? 'RAW' : 'Video'}</span>
      ) : null}
      {decorated ? <Decoration photo={photo} id={decorationId} /> : null}
    </div>
  );
});
