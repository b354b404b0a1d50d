/**
 * @file The viewer's slideshow: steps to the next photo every 3, 5 or 10 seconds (the interval is kept in
 * this browser's localStorage) until the last photo, or until the user moves, closes or stops it
 * ([Note: Viewer keys] in viewer-keys.ts). Runs in the renderer. Under prefers-reduced-motion the photos
 * change without the cross-fade (viewer.css); the pace is the user's choice either way.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export const SLIDESHOW_SECONDS = [3, 5, 10] as const;
export type SlideshowSeconds = (typeof SLIDESHOW_SECONDS)[number];

const STORAGE_KEY = 'shoebox.viewer.slideshowSeconds';
const DEFAULT_SECONDS: SlideshowSeconds = 5;

function isSeconds(v: number): v is SlideshowSeconds {
  return (SLIDESHOW_SECONDS as readonly number[]).includes(v);
}

function loadSeconds(): SlideshowSeconds {
  try {
    const v = Number(localStorage.getItem(STORAGE_KEY));
    return isSeconds(v) ? v : DEFAULT_SECONDS;
  } catch {
    return DEFAULT_SECONDS; // storage blocked: the default, not an error
  }
}

export interface Slideshow {
  playing: boolean;
  seconds: SlideshowSeconds;
  /** Starts (from the first photo when on the last) or stops. */
  toggle: () => void;
  stop: () => void;
  setSeconds: (s: SlideshowSeconds) => void;
}

export function useSlideshow(index: number, total: number, onIndex: (index: number) => void): Slideshow {
  const [playing, setPlaying] = useState(false);
  const [seconds, setSecondsState] = useState<SlideshowSeconds>(loadSeconds);
  const latest = useRef({ index, total, onIndex });
  useEffect(() => {
    latest.current = { index, total, onIndex };
  });

  // One timer per photo shown: moving (by the slideshow or the user) starts the interval again.
  useEffect(() => {
    if (!playing) return undefined;
    const timer = setTimeout(() => {
      const { index: i, total: n, onIndex: go } = latest.current;
      if (i < n - 1) go(i + 1);
      else setPlaying(false);
    }, seconds * 1000);
    return () => clearTimeout(timer);
  }, [playing, index, seconds]);

  const toggle = useCallback(() => {
    if (playing) {
      setPlaying(false);
      return;
    }
    const { index: i, total: n, onIndex: go } = latest.current;
    if (i >= n - 1 && n > 1) go(0);
    setPlaying(true);
  }, [playing]);
  const stop = useCallback(() => setPlaying(false), []);
  const setSeconds = useCallback((s: SlideshowSeconds) => {
    setSecondsState(s);
    try {
      localStorage.setItem(STORAGE_KEY, String(s));
    } catch {
      // storage blocked: the choice holds for this viewer only
    }
  }, []);
  return { playing, seconds, toggle, stop, setSeconds };
}
