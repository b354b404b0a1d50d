/**
 * @file Zoom and pan arithmetic of the photo viewer: pure functions of the stage's size, the photo's
 * full-resolution size and a view. Runs in the renderer; unit-tested in test/unit/renderer-viewer-zoom.test.ts.
 *
 * [Note: Viewer zoom model] A view is `scale`, CSS pixels per pixel of the original (1 is "100%"), and
 * `x`, `y`, the offset in CSS pixels of the photo's centre from the stage's centre. "Fit" is the largest
 * scale at which the whole (turned) photo fits the stage, never above 1: a photo smaller than the stage is
 * not blown up until asked. Zooming about a point keeps the photo's pixel under that point where it is.
 * Pan is clamped so that, on an axis where the photo is larger than the stage, no gap opens at its edge,
 * and on an axis where it is smaller it stays centred. Display rotation (quarter turns) only swaps the
 * photo's width and height here: the canvas turns about its own centre, which the offsets leave alone.
 * Scales are in original pixels (not the preview's) so that "100%" means the same before and after the
 * original replaces the preview (photo-canvas.tsx).
 */

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** See [Note: Viewer zoom model]. */
export interface View {
  scale: number;
  x: number;
  y: number;
}

/** The closest zoom: 8 CSS pixels per pixel of the original. */
export const MAX_SCALE = 8;
/** One press of + or −. */
export const KEY_ZOOM_STEP = 1.5;
/** Scales within this ratio of fit count as fit (so rounding never leaves a photo "zoomed" by a hair). */
const FIT_EPSILON = 1.001;

const usable = (s: Size): boolean => s.width > 0 && s.height > 0 && Number.isFinite(s.width) && Number.isFinite(s.height);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The photo's size as shown after `quarterTurns` clockwise quarter turns. */
export function turnedSize(size: Size, quarterTurns: number): Size {
  return ((quarterTurns % 2) + 2) % 2 === 1 ? { width: size.height, height: size.width } : size;
}

/** The scale at which the whole photo fits the stage, at most 1; 1 when either size is unknown. */
export function fitScale(stage: Size, photo: Size): number {
  if (!usable(stage) || !usable(photo)) return 1;
  return Math.min(stage.width / photo.width, stage.height / photo.height, 1);
}

/** The photo fitted and centred. */
export function fitView(stage: Size, photo: Size): View {
  return { scale: fitScale(stage, photo), x: 0, y: 0 };
}

/** Whether the view is closer than fit. */
export function isZoomed(view: View, stage: Size, photo: Size): boolean {
  return view.scale > fitScale(stage, photo) * FIT_EPSILON;
}

/** `view` with its scale between fit and {@link MAX_SCALE} and its offsets within the pan bounds. */
export function clampView(view: View, stage: Size, photo: Size): View {
  const fit = fitScale(stage, photo);
  const scale = clamp(view.scale, fit, Math.max(fit, MAX_SCALE));
  const maxX = Math.max(0, (photo.width * scale - stage.width) / 2);
  const maxY = Math.max(0, (photo.height * scale - stage.height) / 2);
  // `+ 0` turns a clamped -0 into 0, so a centred view compares equal to fitView's.
  return { scale, x: clamp(view.x, -maxX, maxX) + 0, y: clamp(view.y, -maxY, maxY) + 0 };
}

/**
 * Zooms to `scale` (clamped) keeping the photo's pixel under `point` (relative to the stage's centre)
 * under it, then clamps the pan.
 */
export function zoomAbout(view: View, scale: number, point: Point, stage: Size, photo: Size): View {
  const fit = fitScale(stage, photo);
  const next = clamp(scale, fit, Math.max(fit, MAX_SCALE));
  const k = next / view.scale;
  return clampView({ scale: next, x: point.x - k * (point.x - view.x), y: point.y - k * (point.y - view.y) }, stage, photo);
}

/** Zooms by `factor` about `point` (the stage's centre when omitted). */
export function zoomBy(view: View, factor: number, stage: Size, photo: Size, point: Point = { x: 0, y: 0 }): View {
  return zoomAbout(view, view.scale * factor, point, stage, photo);
}

/** Moves the photo by (dx, dy) CSS pixels, within the pan bounds. */
export function panBy(view: View, dx: number, dy: number, stage: Size, photo: Size): View {
  return clampView({ scale: view.scale, x: view.x + dx, y: view.y + dy }, stage, photo);
}

/**
 * What a double-click does: back to fit when zoomed; else 100% about the clicked point, or twice the fit
 * when the photo already shows at 100% (a photo smaller than the stage).
 */
export function toggleZoom(view: View, point: Point, stage: Size, photo: Size): View {
  if (isZoomed(view, stage, photo)) return fitView(stage, photo);
  const fit = fitScale(stage, photo);
  return zoomAbout(view, fit * FIT_EPSILON < 1 ? 1 : fit * 2, point, stage, photo);
}

/** WheelEvent.deltaMode values. */
const DOM_DELTA_LINE = 1;
const DOM_DELTA_PAGE = 2;

/**
 * The zoom factor of one wheel event: scrolling up zooms in. A trackpad pinch arrives as a wheel event
 * with ctrlKey set and small deltas, so it zooms faster per pixel than a mouse wheel's notches.
 */
export function wheelZoomFactor(deltaY: number, deltaMode: number, pinch: boolean, pageHeight = 800): number {
  const px = deltaMode === DOM_DELTA_LINE ? deltaY * 16 : deltaMode === DOM_DELTA_PAGE ? deltaY * pageHeight : deltaY;
  // One mouse notch (~100 px) is ×1.16; one pinch step (a few px) a few per cent. Capped so a burst of
  // deltas from a free-spinning wheel cannot jump from fit to the closest zoom in one event.
  const exponent = clamp(-px * (pinch ? 0.01 : 0.0015), -1, 1);
  return Math.exp(exponent);
}

/**
 * Whether the shown image has too few pixels for `scale`: true once the photo would be drawn with more
 * device pixels than the shown image (the preview) has, so the original should replace it.
 */
export function needsOriginal(scale: number, photo: Size, shown: Size, devicePixelRatio: number): boolean {
  if (!usable(photo) || !usable(shown)) return false;
  const drawn = Math.max(photo.width, photo.height) * scale * devicePixelRatio;
  // A few per cent of slack: a preview drawn 2 % larger than it is looks the same.
  return drawn > Math.max(shown.width, shown.height) * 1.05;
}
