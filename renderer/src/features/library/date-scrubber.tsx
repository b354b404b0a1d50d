/**
 * @file The date scrubber on the grid's right edge: the years of the library down a track as tall as the
 * grid, a handle where the view is, a month label under the pointer; drag (or click) to jump anywhere in a
 * 100k library, or focus it and move by month (arrows) and year (Page Up / Page Down), Home / End for the
 * newest and oldest. Runs in the renderer; rendered by ./photo-grid.tsx beside its scroller, which it
 * replaces as the scrollbar.
 *
 * The track maps linearly onto the scroll range (as the scrollbar it stands for), so a month's mark sits
 * where its header scrolls to, and the marks of busy months spread out. The handle follows scroll events
 * by setting its own style: scrolling never re-renders the scrubber.
 */
import type { Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { monthLabel } from '../../format';
import type { GridLayout } from './grid-layout';

/** A month of the grid, newest first: its key (`YYYY-MM`) and where its header starts in the scrolled content. */
export interface ScrubberMonth {
  key: string;
  top: number;
}

export interface DateScrubberProps {
  months: readonly ScrubberMonth[];
  scrollRef: RefObject<HTMLElement | null>;
  /** Height of the scrolled content and of the viewport (CSS px). */
  contentHeight: number;
  viewport: number;
  /** Index in `months` of the month at the top of the view. */
  current: number;
  /** Scroll the grid to `top` (a drag or a click on the track). */
  onScrollTo: (top: number) => void;
  /** Scroll the grid to a month's header (the keyboard). */
  onMonth: (index: number) => void;
  /** Scroll the grid to its very end and keep it there (End). */
  onEnd: () => void;
}

/** Years between labels on the track at least this far apart (CSS px). */
const LABEL_SPACING = 18;
/** Months in a year (Page Up / Page Down move by a year). */
const YEAR = 12;

/** `YYYY-MM` moved by `months` (negative: earlier), as a comparable key. */
function shiftMonth(key: string, months: number): string {
  const [y, m] = key.split('-').map(Number);
  if (y === undefined || m === undefined || !Number.isFinite(y) || !Number.isFinite(m)) return key;
  const n = y * 12 + (m - 1) + months;
  return `${String(Math.floor(n / 12)).padStart(4, '0')}-${String((n % 12) + 1).padStart(2, '0')}`;
}

/** The month a key press moves to from `from` (months newest first), or null for a key it does not take. */
export function scrubberKeyTarget(months: readonly ScrubberMonth[], from: number, key: string): number | null {
  const last = months.length - 1;
  const at = months[from]?.key ?? '';
  switch (key) {
    case 'ArrowDown':
    case 'ArrowRight':
      return Math.min(last, from + 1);
    case 'ArrowUp':
    case 'ArrowLeft':
      return Math.max(0, from - 1);
    case 'PageDown': {
      // The newest month at least a year older; the oldest month when there is none.
      const target = shiftMonth(at, -YEAR);
      const i = months.findIndex((m, k) => k > from && m.key <= target);
      return i < 0 ? last : i;
    }
    case 'PageUp': {
      const target = shiftMonth(at, YEAR);
      for (let k = from - 1; k >= 0; k--) if ((months[k]?.key ?? '') >= target) return k;
      return 0;
    }
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}

/** Index of the month shown at scroll offset `top` (the last header at or above it). */
function monthAt(months: readonly ScrubberMonth[], top: number): number {
  let lo = 0;
  let hi = months.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((months[mid]?.top ?? 0) <= top + 1) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What the grid does around the scrubber's jumps. */
export interface ScrubberJumps {
  /** Before each jump (the grid drops a pending keyboard scroll and its hold on the end). */
  onJump: () => void;
  /** After the jump to the very end (the grid holds the view there as the content grows or the view gets shorter). */
  onEnd: () => void;
}

/**
 * The grid's side of the scrubber: its months (where each header row starts, from the virtualizer, whose
 * sizes are known up front), the month at the top of the view, and scrolling to an offset, a month's
 * header or the very end.
 */
export function useScrubber(
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  layout: GridLayout,
  topMonth: string | null,
  jumps: ScrubberJumps,
): {
  months: ScrubberMonth[];
  current: number;
  scrollTo: (top: number) => void;
  toMonth: (index: number) => void;
  toEnd: () => void;
} {
  const totalSize = virtualizer.getTotalSize();
  const months = useMemo((): ScrubberMonth[] => {
    const out: ScrubberMonth[] = [];
    const measured = virtualizer.measurementsCache;
    layout.rows.forEach((row, i) => {
      if (row.kind === 'month') out.push({ key: row.key, top: measured[i]?.start ?? 0 });
    });
    return out;
    // The measurements follow the layout and the row sizes, which `totalSize` stands for.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [virtualizer, layout, totalSize]);
  const jump = useRef(jumps);
  useEffect(() => {
    jump.current = jumps;
  });
  const scrollTo = useCallback(
    (top: number) => {
      jump.current.onJump();
      virtualizer.scrollToOffset(top);
    },
    [virtualizer],
  );
  const toMonth = useCallback(
    (index: number) => {
      let seen = -1;
      const row = layout.rows.findIndex((r) => r.kind === 'month' && ++seen === index);
      jump.current.onJump();
      if (row === 0) virtualizer.scrollToOffset(0);
      else if (row > 0) virtualizer.scrollToIndex(row, { align: 'start' });
    },
    [virtualizer, layout],
  );
  // The end, not an offset clamped to the height of the moment: the view gets shorter just after (the
  // oldest month's name can wrap the toolbar) and rows still re-packing grow the content, even before the
  // browser reports the scroll. The virtualizer re-aims an end target at the moved end for a few frames;
  // the grid holds the view there after ([Note: Holding the end] in ./use-end-hold.ts).
  const toEnd = useCallback(() => {
    jump.current.onJump();
    virtualizer.scrollToEnd();
    jump.current.onEnd();
  }, [virtualizer]);
  const current = Math.max(
    0,
    months.findIndex((m) => m.key === topMonth),
  );
  return { months, current, scrollTo, toMonth, toEnd };
}

export function DateScrubber({ months, scrollRef, contentHeight, viewport, current, onScrollTo, onMonth, onEnd }: DateScrubberProps) {
  const trackRef = useRef<HTMLDivElement>(null);
  const handleRef = useRef<HTMLDivElement>(null);
  const [track, setTrack] = useState(0);
  /** The label under the pointer (or of the month the keyboard moved to): its month and y on the track. */
  const [hover, setHover] = useState<{ index: number; y: number } | null>(null);
  const [focused, setFocused] = useState(false);
  const dragging = useRef(false);
  /** The month the keyboard last jumped to, while the view stays where that put it (the last months cannot
   * all scroll to the top, so the month at the top is not always the one jumped to). */
  const [keyed, setKeyed] = useState<number | null>(null);
  /** Where that jump left the view; null until it settled. */
  const keyedTop = useRef<number | null>(null);
  /** Whether that jump was End, whose view the grid keeps at the end (moving it as the end moves). */
  const keyedEnd = useRef(false);
  const range = Math.max(1, contentHeight - viewport);

  useEffect(() => {
    const el = trackRef.current;
    if (!el) return undefined;
    const update = () => setTrack(el.clientHeight);
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // The handle follows the scroll position without a render.
  useEffect(() => {
    const scroller = scrollRef.current;
    const handle = handleRef.current;
    if (!scroller || !handle) return undefined;
    const place = () => {
      handle.style.transform = `translateY(${(Math.min(1, scroller.scrollTop / range) * track).toFixed(1)}px)`;
      // Moved by something else than the keyboard's last jump: the month at the top counts again. Not the
      // grid keeping End's view at the end ([Note: Holding the end] in ./use-end-hold.ts).
      const moved = keyedTop.current !== null && Math.abs(scroller.scrollTop - keyedTop.current) > 2;
      if (moved && keyedEnd.current && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2) {
        keyedTop.current = scroller.scrollTop;
      } else if (moved) {
        keyedTop.current = null;
        setKeyed(null);
        if (!dragging.current) setHover(null);
      }
    };
    place();
    scroller.addEventListener('scroll', place, { passive: true });
    return () => scroller.removeEventListener('scroll', place);
  }, [scrollRef, range, track]);

  const yOf = (top: number) => Math.min(track, (Math.max(0, top) / range) * track);
  const topAt = (clientY: number) => {
    const box = trackRef.current?.getBoundingClientRect();
    if (!box || box.height <= 0) return 0;
    return (Math.min(1, Math.max(0, (clientY - box.top) / box.height)) * range) | 0;
  };
  const showAt = (clientY: number) => {
    const top = topAt(clientY);
    setHover({ index: monthAt(months, top), y: yOf(top) });
    return top;
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault(); // no text selection; the focus moves to the track below
    trackRef.current?.focus({ preventScroll: true });
    e.currentTarget.setPointerCapture(e.pointerId);
    dragging.current = true;
    keyedTop.current = null;
    setKeyed(null);
    onScrollTo(showAt(e.clientY));
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const top = showAt(e.clientY);
    if (dragging.current) onScrollTo(top);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = false;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };

  const from = keyed ?? current;
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const to = scrubberKeyTarget(months, from, e.key);
    if (to === null) return;
    e.preventDefault();
    e.stopPropagation();
    keyedTop.current = null;
    // End goes to the very end, as the scrollbar's would (the oldest month's header may be far above it).
    keyedEnd.current = e.key === 'End';
    if (e.key === 'End') onEnd();
    else onMonth(to);
    setKeyed(to);
    setHover(null);
    requestAnimationFrame(() => {
      keyedTop.current = scrollRef.current?.scrollTop ?? null;
    });
  };

  // Years down the track where there is room for them (the newest month of each year marks it).
  const years: { year: string; y: number }[] = [];
  let lastY = -Infinity;
  months.forEach((m, i) => {
    const year = m.key.slice(0, 4);
    if (i > 0 && months[i - 1]?.key.slice(0, 4) === year) return;
    const y = yOf(m.top);
    if (y - lastY < LABEL_SPACING || y > track - 8) return;
    years.push({ year, y });
    lastY = y;
  });

  const shown = hover ?? (focused ? { index: from, y: yOf(months[from]?.top ?? 0) } : null);
  const shownKey = months[from]?.key ?? '';
  return (
    <div className="date-scrubber" data-testid="date-scrubber">
      <div
        ref={trackRef}
        className="scrubber-track"
        role="slider"
        tabIndex={0}
        aria-label="Jump to a date"
        aria-orientation="vertical"
        aria-valuemin={0}
        aria-valuemax={Math.max(0, months.length - 1)}
        aria-valuenow={from}
        aria-valuetext={monthLabel(shownKey)}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => {
          if (!dragging.current) setHover(null);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setFocused(true)}
        onBlur={() => {
          setFocused(false);
          setHover(null);
        }}
      >
        {years.map(({ year, y }) => (
          <span key={year} className="scrubber-year" style={{ transform: `translateY(${y.toFixed(1)}px)` }} aria-hidden="true">
            {year}
          </span>
        ))}
        <div ref={handleRef} className="scrubber-handle" aria-hidden="true" />
        {shown ? (
          <span
            className="scrubber-label"
            style={{ transform: `translateY(${shown.y.toFixed(1)}px)` }}
            data-testid="scrubber-label"
            aria-hidden="true"
          >
            {monthLabel(months[shown.index]?.key ?? '')}
          </span>
        ) : null}
      </div>
    </div>
  );
}
