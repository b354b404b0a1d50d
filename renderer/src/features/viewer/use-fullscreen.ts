/**
 * @file Full screen for the photo viewer through the Fullscreen API (F, F11; Esc leaves). Runs in the
 * renderer, in Chromium and in Electron (whose window allows the 'fullscreen' permission: main/window.ts).
 *
 * The element made full screen is a <div> inside the viewer's modal <dialog>, not the dialog itself: the
 * Fullscreen API refuses dialog elements, and a child of the modal dialog stays outside the inert rest of
 * the page, so focus and keys keep working.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

export interface Fullscreen {
  active: boolean;
  /** Why the last request failed (the browser refused), else null. */
  error: string | null;
  toggle: () => void;
  exit: () => void;
  /**
   * Whether full screen ended a moment ago: Chromium leaves full screen on Esc itself and may still
   * deliver that Esc to the page, which must not then close the viewer as well.
   */
  justLeft: () => boolean;
}

/** How long after leaving full screen an Esc is taken as the one that left it. */
const ESC_GRACE_MS = 400;

export function useFullscreen(target: RefObject<HTMLElement | null>): Fullscreen {
  const [active, setActive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const leftAt = useRef(-Infinity);

  useEffect(() => {
    const onChange = () => {
      const now = document.fullscreenElement !== null && document.fullscreenElement === target.current;
      if (!now) leftAt.current = performance.now();
      setActive(now);
    };
    document.addEventListener('fullscreenchange', onChange);
    return () => {
      document.removeEventListener('fullscreenchange', onChange);
      // Closing the viewer leaves full screen too.
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    };
  }, [target]);

  const exit = useCallback(() => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  }, []);
  const toggle = useCallback(() => {
    if (document.fullscreenElement) {
      exit();
      return;
    }
    const el = target.current;
    if (!el?.requestFullscreen) {
      setError('Full screen is not available here.');
      return;
    }
    setError(null);
    el.requestFullscreen().catch((err: unknown) => {
      setError(`Full screen is not available here${err instanceof Error && err.message ? ` (${err.message})` : ''}.`);
    });
  }, [target, exit]);
  const justLeft = useCallback(() => performance.now() - leftAt.current < ESC_GRACE_MS, []);
  return { active, error, toggle, exit, justLeft };
}
