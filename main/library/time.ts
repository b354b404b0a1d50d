/**
 * @file Capture times as local wall-clock strings.
 *
 * Runs in main.
 *
 * [Note: Wall-clock capture times] EXIF stores capture time without a zone ('2021:03:14 09:26:53'),
 * optionally with OffsetTimeOriginal ('+02:00'). Libraries that revive it as a Date (exifr does) treat
 * it as UTC, which is wrong. We keep the literal wall-clock text ('2021-03-14T09:26:53') for sorting
 * and display, and the offset alongside when the file has one. The fallback, a file's mtime, is turned
 * into the same form in the machine's local zone.
 */

const exifRe = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?/;
const offsetRe = /^[+-](?:0\d|1[0-4]):?[0-5]\d$/;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Parses an EXIF date-time ('YYYY:MM:DD HH:MM:SS', optional sub-seconds) into 'YYYY-MM-DDTHH:MM:SS(.sss)', or null when absent or invalid. */
export function exifWallClock(value: unknown, subSec?: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = exifRe.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    min = Number(mi),
    sec = Number(s ?? '0');
  if (year < 1800 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return null;
  let out = `${y}-${mo}-${d}T${h}:${mi}:${pad(Math.min(sec, 59))}`;
  const sub = frac ?? (typeof subSec === 'string' || typeof subSec === 'number' ? String(subSec).trim() : '');
  if (/^\d+$/.test(sub)) out += '.' + sub.slice(0, 3).padEnd(3, '0');
  return out;
}

/** Normalises an EXIF offset ('+0200', '+02:00') to '+02:00', or null. */
export function exifOffset(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (!offsetRe.test(v)) return null;
  return v.includes(':') ? v : `${v.slice(0, 3)}:${v.slice(3)}`;
}

/** A time in ms since the epoch as local wall-clock 'YYYY-MM-DDTHH:MM:SS.sss'. */
export function localWallClock(ms: number): string {
  const t = new Date(ms);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
}

/** Unix seconds of a wall-clock string read as UTC: a monotonic number for "newest first" priorities. */
export function sortSeconds(wallClock: string): number {
  const ms = Date.parse(wallClock.slice(0, 19) + 'Z');
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}
