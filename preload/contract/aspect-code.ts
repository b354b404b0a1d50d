/**
 * @file The one-byte aspect-ratio code of `photos:layout` ([Note: Grid layout data] in ./layout.ts), shared
 * by main (which encodes) and the renderer (which decodes). Kept apart from the schemas so the renderer
 * can use it at runtime without pulling zod into its bundle (as ./chat-limits.ts does).
 *
 * Code 0 is "dimensions not known yet" (a square); codes 1–255 step evenly through log(aspect) from 1:5
 * to 5:1, about 1.3 % apart: a justified row absorbs that (each row is scaled to the width anyway).
 * Wider panoramas and taller strips are shown cropped to 5:1.
 */

/** Narrowest and widest aspect ratio (width / height) a code stands for. */
export const ASPECT_MIN = 1 / 5;
export const ASPECT_MAX = 5;
const LN_MIN = Math.log(ASPECT_MIN);
const STEP = (Math.log(ASPECT_MAX) - LN_MIN) / 254;

/** The code of a photo's displayed width and height (after EXIF orientation); 0 when either is unknown. */
export function encodeAspect(width: number | null, height: number | null): number {
  if (!width || !height || width <= 0 || height <= 0) return 0;
  const code = Math.round((Math.log(width / height) - LN_MIN) / STEP) + 1;
  return Math.min(255, Math.max(1, code));
}

/** The aspect ratio a code stands for; 1 (a square) for 0. */
export function decodeAspect(code: number): number {
  return code === 0 ? 1 : Math.exp(LN_MIN + (code - 1) * STEP);
}
