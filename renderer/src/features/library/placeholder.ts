/**
 * @file Placeholders in the grid: a photo's ThumbHash (`PhotoSummary.placeholder`, base64) decoded into a
 * tiny PNG data URL, once per photo, kept in a bounded cache. Runs in the renderer. See
 * [Note: Placeholders] in main/library/placeholders.ts.
 *
 * A decode is ~0.1–0.3 ms (a 32-px image); a screen of cells is ~50 of them, and scrolling back finds
 * them cached. The cache holds 1,500 entries (a data URL is ~4 KB: ~6 MB), some thirty screens.
 */
import { thumbHashToDataURL } from 'thumbhash';

/** Entries kept; the oldest go first. */
const MAX_ENTRIES = 1500;
const cache = new Map<string, string | null>();

/** The data URL that paints a placeholder, or null when the hash does not decode (never thrown). */
export function placeholderUrl(hash: string): string | null {
  const hit = cache.get(hash);
  if (hit !== undefined) return hit;
  let url: string | null = null;
  try {
    url = thumbHashToDataURL(Uint8Array.from(atob(hash), (c) => c.charCodeAt(0)));
  } catch {
    url = null; // a malformed hash paints a flat cell, like a photo without one
  }
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(hash, url);
  return url;
}
