/**
 * @file Display formatting shared by every view: capture dates (local wall-clock, never shifted by the
 * viewer's time zone), byte sizes, exposure values, rates, durations and model scores. Runs in the
 * renderer; pure.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Reads `YYYY-MM-DD[THH:MM[:SS[.fff]]]` as wall-clock fields. The API sends capture times without a
 * zone on purpose (EXIF has none), so `new Date(iso)` would shift them into the viewer's zone.
 */
export function parseWallClock(iso: string): WallClock | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso);
  if (!m) return null;
  const n = (s: string | undefined) => (s ? Number(s) : 0);
  return { year: n(m[1]), month: n(m[2]), day: n(m[3]), hour: n(m[4]), minute: n(m[5]), second: n(m[6]) };
}

function weekday(w: WallClock): string {
  return WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()] ?? '';
}

/** `2024-07` → "July 2024". */
export function monthLabel(key: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) return key || 'Unknown date';
  return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

/** `2024-07-14` → "Sun 14". */
export function dayLabel(day: string): string {
  const w = parseWallClock(day);
  return w ? `${weekday(w)} ${w.day}` : day;
}

/** Full capture date and time: "Sun 14 July 2024, 18:05:09". */
export function dateTimeLabel(iso: string): string {
  const w = parseWallClock(iso);
  if (!w) return iso;
  const p = (v: number) => String(v).padStart(2, '0');
  return `${weekday(w)} ${w.day} ${MONTHS[w.month - 1] ?? ''} ${w.year}, ${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
}

/** 1536 → "1.5 KB" (decimal units, as file managers show). */
export function bytesLabel(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Exposure time in seconds → "1/250 s" or "2.5 s". */
export function shutterLabel(seconds: number): string {
  if (seconds <= 0 || !Number.isFinite(seconds)) return '—';
  if (seconds >= 0.3) return `${Number(seconds.toFixed(1))} s`;
  return `1/${Math.round(1 / seconds)} s`;
}

/** The one-line exposure summary: "ƒ/2.8 · 1/250 s · ISO 200 · 35 mm"; empty when nothing is known. */
export function exposureLabel(e: {
  iso: number | null;
  fNumber: number | null;
  exposureTime: number | null;
  focalLength: number | null;
}): string {
  const parts: string[] = [];
  if (e.fNumber) parts.push(`ƒ/${Number(e.fNumber.toFixed(1))}`);
  if (e.exposureTime) parts.push(shutterLabel(e.exposureTime));
  if (e.iso) parts.push(`ISO ${e.iso}`);
  if (e.focalLength) parts.push(`${Number(e.focalLength.toFixed(1))} mm`);
  return parts.join(' · ');
}

/** 3725 → "1 h 2 min"; 42 → "42 s"; null → "—". */
export function durationLabel(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Items per second → "12.3/s", "0.4/s", "2.1/min" for slow steps. */
export function rateLabel(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '—';
  if (perSecond < 0.1) return `${(perSecond * 60).toFixed(1)}/min`;
  return `${perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1)}/s`;
}

/** 12345 → "12,345". */
export function countLabel(n: number): string {
  return n.toLocaleString('en-US');
}

/** GPS → "48.85837° N, 2.29448° E". */
export function gpsLabel(lat: number, lon: number): string {
  return `${Math.abs(lat).toFixed(5)}° ${lat >= 0 ? 'N' : 'S'}, ${Math.abs(lon).toFixed(5)}° ${lon >= 0 ? 'E' : 'W'}`;
}

/** Step ids from the job runner → words for people. Unknown steps are shown as they are. */
export function stepLabel(step: string): string {
  const known: Record<string, string> = {
    fingerprint: 'Fingerprint',
    metadata: 'Metadata',
    thumbnail: 'Thumbnails',
    thumb: 'Thumbnails',
    preview: 'Previews',
    caption: 'Captions',
    tags: 'Tags',
    classify: 'Tags',
    ocr: 'Text in photos',
    embed: 'Search index',
    understand: 'Captions and tags',
  };
  return known[step] ?? step.charAt(0).toUpperCase() + step.slice(1);
}

/** Seconds one item takes → "4.2 s per photo", "0.35 s per photo", "1 min 5 s per photo"; null → "—". */
export function perItemLabel(seconds: number | null | undefined, item = 'photo'): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return '—';
  const each = seconds < 1 ? `${Number(seconds.toFixed(2))} s` : seconds < 60 ? `${Number(seconds.toFixed(1))} s` : durationLabel(seconds);
  return `${each} per ${item}`;
}

/** A model's score with its sign, two decimals and a true minus: 1.234 → "+1.23", -0.5 → "−0.50". */
export function scoreLabel(score: number): string {
  if (!Number.isFinite(score)) return '—';
  const fixed = Math.abs(score).toFixed(2);
  if (fixed === '0.00') return '0.00';
  return `${score < 0 ? '\u2212' : '+'}${fixed}`;
}
