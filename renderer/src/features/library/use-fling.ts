/**
 * @file Whether a scroller is being flung: scrolled faster than a person could look at the photos going
 * by. Runs in the renderer; used by the grid to paint placeholders only while flung (see
 * [Note: Grid renders per scroll] in ./grid-cells.tsx). The detector is plain code (unit-tested); the
 * hook feeds it scroll events.
 */
import { useEffect, useState, type RefObject } from 'react';

/** Faster than this (CSS px per second) is a fling; a steady wheel or PageDown stays well under it. */
const FLING_ON = 6000;
/** Slower than this ends it (a gap between the two keeps it from flickering). */
const FLING_OFF = 3000;
/** A pause this long (ms) without scroll events ends it too. */
export const STILL_MS = 150;
/**
 * One scroll event that moves further than this (CSS px) is a jump (End, Home, a click in the scrollbar's
 * track), not a fling: the place it lands on gets its thumbnails at once. So is the first event after a
 * pause (its speed would be measured over the pause).
 */
const JUMP_PX = 4000;

export interface FlingDetector {
  /** A scroll event: the scroller's offset and the time (ms). Returns whether it is a fling now. */
  scrolled(top: number, t: number): boolean;
}

/** Tracks the scroll speed, smoothed over the last few events. */
export function createFlingDetector(top0: number, t0: number): FlingDetector {
  let lastTop = top0;
  let lastT = t0;
  let speed = 0;
  let on = false;
  return {
    scrolled(top, t) {
      const dy = Math.abs(top - lastTop);
      const dt = t - lastT;
      lastTop = top;
      lastT = t;
      if (dy > JUMP_PX || dt > STILL_MS) {
        speed = 0;
        on = false;
      } else {
        speed = (speed + (dy / Math.max(1, dt)) * 1000) / 2;
        if (speed > FLING_ON) on = true;
        else if (speed < FLING_OFF) on = false;
      }
      return on;
    },
  };
}

/** True while the element is flung, until it slows down or stops for STILL_MS. */
export function useFling(ref: RefObject<HTMLElement | null>): boolean {
  const [fling, setFling] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    let detector = createFlingDetector(el.scrollTop, performance.now());
    let timer = 0;
    const onScroll = () => {
      setFling(detector.scrolled(el.scrollTop, performance.now()));
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        detector = createFlingDetector(el.scrollTop, performance.now());
        setFling(false);
      }, STILL_MS);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      el.removeEventListener('scroll', onScroll);
      window.clearTimeout(timer);
    };
  }, [ref]);
  return fling;
}
