/**
 * @file The grid's claim on the keyboard ([Note: The wheel wins over the focus ring] in ./photo-grid.tsx):
 * focus that lands outside the grid, or a press anywhere outside it (focusable or not), ends the claim and
 * any keyboard scroll still pending. Runs in the renderer.
 */
import { useEffect, type RefObject } from 'react';

/** Clears `hasFocus` and `focusPending` when focus or a press goes outside `scrollRef`'s element. */
export function useFocusClaim(
  scrollRef: RefObject<HTMLElement | null>,
  hasFocus: RefObject<boolean>,
  focusPending: RefObject<boolean>,
): void {
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
  }, [scrollRef, hasFocus, focusPending]);
}
