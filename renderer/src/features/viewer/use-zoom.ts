/**
 * @file The viewer's zoom and pan as a React hook: wheel (zoom about the cursor), pinch (two pointers, or
 * a trackpad's ctrl+wheel), drag to pan when zoomed, double-click between fit and 100 %, and the actions
 * the keys call. Runs in the renderer; the arithmetic is zoom-math.ts ([Note: Viewer zoom model]).
 *
 * The view is kept as "fit" (null) until the user zooms, so a resized window or an opened side panel
 * re-fits the photo instead of keeping a stale scale; a zoomed view is re-clamped to the new stage.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import {
  clampView,
  fitView,
  isZoomed,
  KEY_ZOOM_STEP,
  panBy,
  toggleZoom,
  wheelZoomFactor,
  zoomAbout,
  zoomBy,
  type Point,
  type Size,
  type View,
} from './zoom-math';

export interface Zoom {
  /** The view to draw (fit until the user zooms). */
  view: View;
  /** The stage's size (the area the photo fits in), 0×0 until measured. */
  stage: Size;
  zoomed: boolean;
  /** The closest scale this photo has been drawn at, for the switch to the original. */
  peakScale: number;
  zoomIn: () => void;
  zoomOut: () => void;
  fit: () => void;
  /** Fit ↔ 100 % about the stage's centre (what double-click does about the cursor). */
  toggle: () => void;
}

const NO_SIZE: Size = { width: 0, height: 0 };

/**
 * Zoom state for one photo of `photo`'s (turned) full-resolution size, drawn centred in `stageRef`'s
 * element; gestures are read on `areaRef`'s element (which holds the stage and the ‹ › buttons). A new
 * `resetKey` (the rotation) puts the photo back to fit. `onGesture` is told of every user zoom or pan.
 */
export function useZoom(
  areaRef: RefObject<HTMLElement | null>,
  stageRef: RefObject<HTMLElement | null>,
  photo: Size | null,
  resetKey: number,
  onGesture?: () => void,
): Zoom {
  const [stage, setStage] = useState<Size>(NO_SIZE);
  const [manual, setManual] = useState<{ key: number; view: View } | null>(null);
  const [peakScale, setPeakScale] = useState(0);

  useEffect(() => {
    const el = stageRef.current;
    if (!el) return undefined;
    const observer = new ResizeObserver((entries) => {
      const rect = entries[0]?.contentRect;
      if (rect) setStage({ width: rect.width, height: rect.height });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [stageRef]);

  const size = photo ?? NO_SIZE;
  const fitted = fitView(stage, size);
  const view = manual && manual.key === resetKey ? clampView(manual.view, stage, size) : fitted;
  const zoomed = photo !== null && isZoomed(view, stage, size);
  // Not before the stage is measured: an unknown stage "fits" at 100 %, which would fetch the original.
  const shownScale = photo && stage.width > 0 ? view.scale : 0;
  if (shownScale > peakScale) setPeakScale(shownScale);

  // The newest values, for listeners attached once.
  const latest = useRef({ view, stage, size, resetKey, onGesture });
  useLayoutEffect(() => {
    latest.current = { view, stage, size, resetKey, onGesture };
  });

  const apply = useCallback((next: (l: typeof latest.current) => View) => {
    const l = latest.current;
    if (l.size.width <= 0) return;
    const v = next(l);
    // Events of one frame (both fingers of a pinch, a burst of wheel or move events) build on each
    // other, not each on the last rendered view.
    l.view = v;
    l.onGesture?.();
    setManual(isZoomed(v, l.stage, l.size) ? { key: l.resetKey, view: v } : null);
  }, []);

  // Gestures. Pointer positions are relative to the stage's centre.
  useEffect(() => {
    const area = areaRef.current;
    if (!area) return undefined;
    const relative = (e: { clientX: number; clientY: number }): Point => {
      const rect = (stageRef.current ?? area).getBoundingClientRect();
      return { x: e.clientX - (rect.left + rect.width / 2), y: e.clientY - (rect.top + rect.height / 2) };
    };
    const fromControl = (e: Event) => e.target instanceof Element && e.target.closest('button, a, input, select, textarea') !== null;

    const onWheel = (e: WheelEvent) => {
      if (fromControl(e)) return;
      // Not passive: the page (and, with ctrl, the browser's own zoom) must not move under the photo.
      e.preventDefault();
      const factor = wheelZoomFactor(e.deltaY, e.deltaMode, e.ctrlKey, area.clientHeight);
      const point = relative(e);
      apply((l) => zoomBy(l.view, factor, l.stage, l.size, point));
    };
    const onDoubleClick = (e: MouseEvent) => {
      if (fromControl(e)) return;
      const point = relative(e);
      apply((l) => toggleZoom(l.view, point, l.stage, l.size));
    };

    // Active pointers: one drags (when zoomed), two pinch.
    const pointers = new Map<number, Point>();
    const onPointerDown = (e: PointerEvent) => {
      if (fromControl(e) || (e.pointerType === 'mouse' && e.button !== 0)) return;
      pointers.set(e.pointerId, relative(e));
      area.setPointerCapture(e.pointerId);
    };
    const onPointerMove = (e: PointerEvent) => {
      const before = pointers.get(e.pointerId);
      if (!before) return;
      const now = relative(e);
      const others = [...pointers].filter(([id]) => id !== e.pointerId).map(([, p]) => p);
      pointers.set(e.pointerId, now);
      const other = others[0];
      if (other && others.length === 1) {
        // Pinch: follow the midpoint, scale by the change in distance.
        const d0 = Math.hypot(before.x - other.x, before.y - other.y);
        const d1 = Math.hypot(now.x - other.x, now.y - other.y);
        if (d0 < 1) return;
        const m0 = { x: (before.x + other.x) / 2, y: (before.y + other.y) / 2 };
        const m1 = { x: (now.x + other.x) / 2, y: (now.y + other.y) / 2 };
        apply((l) => {
          const moved = { ...l.view, x: l.view.x + m1.x - m0.x, y: l.view.y + m1.y - m0.y };
          return zoomAbout(moved, moved.scale * (d1 / d0), m1, l.stage, l.size);
        });
      } else if (others.length === 0 && isZoomed(latest.current.view, latest.current.stage, latest.current.size)) {
        apply((l) => panBy(l.view, now.x - before.x, now.y - before.y, l.stage, l.size));
      }
    };
    const onPointerEnd = (e: PointerEvent) => {
      pointers.delete(e.pointerId);
    };

    area.addEventListener('wheel', onWheel, { passive: false });
    area.addEventListener('dblclick', onDoubleClick);
    area.addEventListener('pointerdown', onPointerDown);
    area.addEventListener('pointermove', onPointerMove);
    area.addEventListener('pointerup', onPointerEnd);
    area.addEventListener('pointercancel', onPointerEnd);
    return () => {
      area.removeEventListener('wheel', onWheel);
      area.removeEventListener('dblclick', onDoubleClick);
      area.removeEventListener('pointerdown', onPointerDown);
      area.removeEventListener('pointermove', onPointerMove);
      area.removeEventListener('pointerup', onPointerEnd);
      area.removeEventListener('pointercancel', onPointerEnd);
    };
  }, [areaRef, stageRef, apply]);

  const zoomIn = useCallback(() => apply((l) => zoomBy(l.view, KEY_ZOOM_STEP, l.stage, l.size)), [apply]);
  const zoomOut = useCallback(() => apply((l) => zoomBy(l.view, 1 / KEY_ZOOM_STEP, l.stage, l.size)), [apply]);
  const fit = useCallback(() => apply((l) => fitView(l.stage, l.size)), [apply]);
  const toggle = useCallback(() => apply((l) => toggleZoom(l.view, { x: 0, y: 0 }, l.stage, l.size)), [apply]);
  return { view, stage, zoomed, peakScale, zoomIn, zoomOut, fit, toggle };
}
