/**
 * @file The grid's hold on the end of its content: a view at the very end (the scrubber's End, or
 * scrolled down to the oldest photo) stays at the end while the content grows under it or the view gets
 * shorter. Runs in the renderer; used by ./photo-grid.tsx, whose scrubber (./date-scrubber.tsx) takes the
 * hold on End.
 *
 * [Note: Holding the end] Rows re-pack below a view at the end while the metadata step reads the photos'
 * shapes, and keeping its top photo in place ([Note: Scroll anchoring] in ./use-grid-geometry.ts) would
 * push the last photo out of view, so the grid holds the end instead. The hold used to be read off scroll
 * events alone (at the end or not, against the heights of that moment) and kept by watching the content's
 * height, which missed two ways of leaving a view short of the end without a scroll event:
 * - the view getting shorter: the scrubber's End names the oldest month in the toolbar, and a longer name
 *   wraps the toolbar onto a second line (57 to 83 px in e2e), so the grid lost 26 px at its bottom just
 *   after End landed; a banner showing above the grid does the same. The view stayed 26 (or 100) px short
 *   until a re-pack grew the content, or for good;
 * - the content growing between a scroll to the end and the browser's report of it a frame later: the
 *   report then reads "above the end" and drops the hold.
 * So a scroll to the end takes the hold at once (`hold`), and only a view that moved up lets it go; one
 * still where it was held goes back to the end when the content grows or the view gets shorter: in the
 * commit that changed the height (before any scroll event can read it), on a resize of either, and on a
 * scroll event that finds it short.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from 'react';

/** Slack for fractional scroll offsets (CSS px): a view this close to the end is at the end. */
const SLACK = 2;

export interface EndHold {
  /** Whether the view is held at the end (a new layout then keeps the end, not the top photo, in view). */
  held: () => boolean;
  /** Takes the hold for a view just scrolled to the end (call after the scroll). */
  hold: () => void;
  /** Lets the hold go (a jump elsewhere). */
  release: () => void;
}

/**
 * Holds `scrollRef`'s view at the end of `contentRef`'s element, `contentHeight` px tall (the virtualizer's
 * total size), while it is there: see [Note: Holding the end].
 */
export function useEndHold(
  scrollRef: RefObject<HTMLElement | null>,
  contentRef: RefObject<HTMLElement | null>,
  contentHeight: number,
): EndHold {
  const held = useRef(false);
  /** Where the view was last seen (or put) at the end: a view above it was moved up, not grown under. */
  const heldTop = useRef(0);

  /** Keeps a held view at the end: notes where it is, lets go when it moved up, else scrolls to the end. */
  const follow = useCallback(() => {
    const el = scrollRef.current;
    if (!el || !held.current) return;
    if (el.scrollTop <= 0) {
      held.current = false; // at the very top (or all of it in view): photos arriving above should show
    } else if (el.scrollTop + el.clientHeight >= el.scrollHeight - SLACK) {
      heldTop.current = el.scrollTop; // still at the end (a shrink clamps the view there)
    } else if (el.scrollTop < heldTop.current - SLACK) {
      held.current = false; // moved up since: the wheel, a key, a jump
    } else {
      el.scrollTop = el.scrollHeight; // grown under a view that did not move
      heldTop.current = el.scrollTop;
    }
  }, [scrollRef]);

  useEffect(() => {
    const el = scrollRef.current;
    const content = contentRef.current;
    if (!el || !content) return;
    const onScroll = () => {
      if (el.scrollTop > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - SLACK) {
        held.current = true; // scrolled to the end (not the top: photos arriving above should show)
        heldTop.current = el.scrollTop;
      } else follow();
    };
    // The content takes its new height in a render after the layout's (the virtualizer re-measures); the
    // view itself gets shorter when a line shows above the grid, which moves neither.
    const resized = new ResizeObserver(follow);
    el.addEventListener('scroll', onScroll, { passive: true });
    resized.observe(content);
    resized.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resized.disconnect();
    };
  }, [scrollRef, contentRef, follow]);

  // In the commit that changed the height, before a scroll event can read the view as short of the end.
  useLayoutEffect(follow, [follow, contentHeight]);

  return useMemo(
    () => ({
      held: () => held.current,
      hold: () => {
        const el = scrollRef.current;
        if (!el) return;
        held.current = true;
        heldTop.current = el.scrollTop;
      },
      release: () => {
        held.current = false;
      },
    }),
    [scrollRef],
  );
}
