/**
 * @file Unit tests of the viewer's zoom arithmetic ([Note: Viewer zoom model]): fit, zoom about a
 * point, scale clamping, pan bounds, rotation, double-click, wheel factors and when the original must
 * replace the preview; and of the viewer's key map ([Note: Viewer keys]).
 */
import { describe, expect, it } from 'vitest';
import { isNavigation, viewerCommand } from '../../renderer/src/features/viewer/viewer-keys';
import {
  clampView,
  fitScale,
  fitView,
  isZoomed,
  MAX_SCALE,
  needsOriginal,
  panBy,
  toggleZoom,
  turnedSize,
  wheelZoomFactor,
  zoomAbout,
  zoomBy,
  type Point,
  type Size,
  type View,
} from '../../renderer/src/features/viewer/zoom-math';

const stage: Size = { width: 800, height: 600 };
const photo: Size = { width: 4000, height: 2000 }; // fit: min(800/4000, 600/2000) = 0.2

/** Where the photo's pixel `p` (original pixels from the photo's centre) lands, relative to the stage centre. */
const screenOf = (v: View, p: Point): Point => ({ x: v.x + p.x * v.scale, y: v.y + p.y * v.scale });
/** Which pixel of the photo is under the stage point `s`. */
const pixelAt = (v: View, s: Point): Point => ({ x: (s.x - v.x) / v.scale, y: (s.y - v.y) / v.scale });

describe('fit', () => {
  it('fits the whole photo, never above 100 %, and 1 when a size is unknown', () => {
    expect(fitScale(stage, photo)).toBeCloseTo(0.2);
    expect(fitScale(stage, { width: 400, height: 300 })).toBe(1); // small photos are not blown up
    expect(fitScale({ width: 0, height: 0 }, photo)).toBe(1);
    expect(fitView(stage, photo)).toEqual({ scale: 0.2, x: 0, y: 0 });
    expect(isZoomed(fitView(stage, photo), stage, photo)).toBe(false);
  });

  it('a quarter turn swaps width and height, and so the fit', () => {
    expect(turnedSize(photo, 1)).toEqual({ width: 2000, height: 4000 });
    expect(turnedSize(photo, 2)).toEqual(photo);
    expect(turnedSize(photo, -1)).toEqual({ width: 2000, height: 4000 });
    expect(fitScale(stage, turnedSize(photo, 1))).toBeCloseTo(0.15); // 600 / 4000
  });
});

describe('zoom about a point', () => {
  it('keeps the pixel under the cursor where it is', () => {
    const start = fitView(stage, photo);
    const cursor = { x: 250, y: -100 };
    const under = pixelAt(start, cursor);
    const v = zoomAbout(start, 0.5, cursor, stage, photo);
    expect(v.scale).toBe(0.5);
    const after = screenOf(v, under);
    expect(after.x).toBeCloseTo(cursor.x);
    expect(after.y).toBeCloseTo(cursor.y);
    // And again, from a zoomed and panned view.
    const w = zoomAbout(v, 1.2, { x: -300, y: 200 }, stage, photo);
    const p = pixelAt(v, { x: -300, y: 200 });
    expect(screenOf(w, p).x).toBeCloseTo(-300);
    expect(screenOf(w, p).y).toBeCloseTo(200);
  });

  it('zooming in and out by the same factor about the centre comes back', () => {
    const v = zoomBy(zoomBy(fitView(stage, photo), 3, stage, photo), 1 / 3, stage, photo);
    expect(v.scale).toBeCloseTo(0.2);
    expect(isZoomed(v, stage, photo)).toBe(false);
  });

  it('clamps the scale between fit and the maximum', () => {
    expect(zoomAbout(fitView(stage, photo), 0.01, { x: 0, y: 0 }, stage, photo).scale).toBeCloseTo(0.2);
    expect(zoomAbout(fitView(stage, photo), 1000, { x: 0, y: 0 }, stage, photo).scale).toBe(MAX_SCALE);
    // Zooming out past fit from the corner re-centres the photo.
    const v = zoomAbout({ scale: 1, x: 1500, y: 500 }, 0.1, { x: 390, y: 290 }, stage, photo);
    expect(v).toEqual({ scale: 0.2, x: 0, y: 0 });
  });
});

describe('pan bounds', () => {
  it('never opens a gap at an edge where the photo is larger than the stage', () => {
    const v: View = { scale: 1, x: 0, y: 0 }; // 4000×2000 drawn: bounds ±1600, ±700
    expect(panBy(v, 10_000, -10_000, stage, photo)).toEqual({ scale: 1, x: 1600, y: -700 });
    expect(panBy(v, -10_000, 10_000, stage, photo)).toEqual({ scale: 1, x: -1600, y: 700 });
    expect(panBy(v, 120, 30, stage, photo)).toEqual({ scale: 1, x: 120, y: 30 });
  });

  it('keeps the photo centred on an axis where it is smaller than the stage', () => {
    // 0.25: 1000×500 drawn in 800×600: x may move ±100, y stays centred.
    expect(clampView({ scale: 0.25, x: 400, y: 80 }, stage, photo)).toEqual({ scale: 0.25, x: 100, y: 0 });
  });

  it('uses the turned size for the bounds', () => {
    const turned = turnedSize(photo, 1); // 2000×4000 drawn at scale 1: ±600, ±1700
    expect(panBy({ scale: 1, x: 0, y: 0 }, 10_000, 10_000, stage, turned)).toEqual({ scale: 1, x: 600, y: 1700 });
  });
});

describe('double-click', () => {
  it('goes from fit to 100 % about the point, and back to fit', () => {
    const at = toggleZoom(fitView(stage, photo), { x: 100, y: 50 }, stage, photo);
    expect(at.scale).toBe(1);
    expect(isZoomed(at, stage, photo)).toBe(true);
    expect(toggleZoom(at, { x: 0, y: 0 }, stage, photo)).toEqual(fitView(stage, photo));
  });

  it('a photo already at 100 % when fitted goes to twice that', () => {
    const small = { width: 400, height: 300 };
    expect(toggleZoom(fitView(stage, small), { x: 0, y: 0 }, stage, small).scale).toBe(2);
  });
});

describe('wheel', () => {
  it('up zooms in, down zooms out, lines count as pixels, a pinch is stronger, bursts are capped', () => {
    expect(wheelZoomFactor(-100, 0, false)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100, 0, false)).toBeLessThan(1);
    expect(wheelZoomFactor(-100, 0, false) * wheelZoomFactor(100, 0, false)).toBeCloseTo(1);
    expect(wheelZoomFactor(-3, 1, false)).toBeCloseTo(wheelZoomFactor(-48, 0, false));
    expect(wheelZoomFactor(-10, 0, true)).toBeGreaterThan(wheelZoomFactor(-10, 0, false));
    expect(wheelZoomFactor(-100_000, 0, false)).toBeCloseTo(Math.E);
  });
});

describe('when the original replaces the preview', () => {
  const preview = { width: 1600, height: 800 };
  it('once the photo is drawn with more device pixels than the preview has', () => {
    expect(needsOriginal(0.2, photo, preview, 1)).toBe(false); // 800 px drawn
    expect(needsOriginal(0.4, photo, preview, 1)).toBe(false); // 1600: the preview's own size
    expect(needsOriginal(0.5, photo, preview, 1)).toBe(true); // 2000
    expect(needsOriginal(0.25, photo, preview, 2)).toBe(true); // 1000 CSS px, 2000 device px
    expect(needsOriginal(8, photo, { width: 0, height: 0 }, 1)).toBe(false); // preview not loaded yet
  });
});

describe('viewer keys', () => {
  const key = (k: string, mods: { ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean } = {}) =>
    viewerCommand({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

  it('maps zoom, turn, full screen, slideshow, favourite and rating', () => {
    expect(key('+')).toEqual({ kind: 'zoom', how: 'in' });
    expect(key('=')).toEqual({ kind: 'zoom', how: 'in' });
    expect(key('-')).toEqual({ kind: 'zoom', how: 'out' });
    expect(key('0', { ctrlKey: true })).toEqual({ kind: 'zoom', how: 'fit' });
    expect(key('0', { metaKey: true })).toEqual({ kind: 'zoom', how: 'fit' });
    expect(key('f')).toEqual({ kind: 'fullscreen' });
    expect(key('F11')).toEqual({ kind: 'fullscreen' });
    expect(key('r')).toEqual({ kind: 'rotate', quarterTurns: 1 });
    expect(key('R')).toEqual({ kind: 'rotate', quarterTurns: -1 });
    expect(key('s')).toEqual({ kind: 'slideshow' });
    expect(key('.')).toEqual({ kind: 'favourite' });
    expect(key('0')).toEqual({ kind: 'rate', rating: 0 });
    expect(key('5')).toEqual({ kind: 'rate', rating: 5 });
  });

  it('leaves other keys and modified keys alone', () => {
    expect(key('6')).toBeNull();
    expect(key('a')).toBeNull();
    expect(key('r', { ctrlKey: true })).toBeNull(); // reload stays the browser's
    expect(key('f', { altKey: true })).toBeNull();
    expect(key('ArrowLeft', { altKey: true })).toBeNull(); // history back
  });

  it('moving and closing are navigation (they stop a slideshow); zooming is not', () => {
    for (const k of ['ArrowLeft', 'ArrowRight', 'Home', 'End', 'Escape']) expect(isNavigation(key(k)!)).toBe(true);
    for (const k of ['+', 'r', '.', '3', 'f', 's', 'i']) expect(isNavigation(key(k)!)).toBe(false);
  });
});
