/**
 * @file Query understanding: splits a search box text into filters (shown as editable chips) and the
 * semantic remainder that FTS and vectors rank. Pure: no database, no clock but the `now` it is given.
 *
 * Runs in main (and tests). The filters become SQL in main/db/photo-filter.ts.
 *
 * [Note: Query filters] Rules run in a fixed order over one working copy of the text; each rule marks
 * what it used, so no later rule reads the same words twice, and what no rule used (tidied of dangling
 * prepositions and filler such as "photos of") is the semantic part. Order: invalid dates are fenced off
 * first ("February 30" stays words, never a filter), then folder, text, kind and tag words, cameras, our
 * own date rules (ranges, holidays, seasons, weekends, months, years), chrono-node for day-level dates
 * ("Dec 25 2021", "yesterday", "last Friday"), and last place names (./query-places.ts: resolved against
 * the gazetteer when the caller passes a resolver, else "in <Capitalized words>"), so that "in December"
 * is a date and never a place. Each filter keeps the span of the text it came from ([Note: Chip spans]
 * in ./query-work.ts).
 * Dates are ranges of local wall-clock time, as capture times are stored ([Note: Wall-clock capture
 * times] in main/library/time.ts): milliseconds of the wall-clock read as UTC, start inclusive, end
 * exclusive. Phrases without a year mean the most recent past one ("in December" on 30 Nov 2026 is
 * December 2025); seasons are the northern hemisphere's meteorological ones (summer = Jun–Aug). Words that
 * are also subjects need a date-like cue: "Christmas 2021", "at Christmas" and "last Christmas" are dates,
 * "christmas tree" is not; "summer 2019", "last summer" are, "summer dress" is not.
 */
import * as chrono from 'chrono-node';
import { placeFilters } from './query-places';
import { normalizeWithOffsets, Work as WorkOf } from './query-work';

interface Chip {
  /** The words of the query this filter came from. */
  phrase: string;
  /** [start, end) UTF-16 offsets of `phrase` in the query as typed ([Note: Chip spans] in ./query-work.ts). */
  span: [number, number];
  /** What the chip shows. */
  label: string;
}

/** A place a query names: a city (its GeoNames id), a region ('PT.14') or a country ('PT'). */
export interface ResolvedPlace {
  level: 'city' | 'region' | 'country';
  code: string;
  /** 'Lisbon, Portugal', 'Algarve, Portugal', 'Portugal'. */
  label: string;
}

/** Says what place a name means ([Note: Place names in queries] in ./place-resolver.ts). */
export interface PlaceResolver {
  /**
   * The place `name` means, or null. `bare`: no preposition before it ("Portugal beach");
   * `lowercase`: typed in lower case ("in lisbon").
   */
  resolve(name: string, how: { bare: boolean; lowercase: boolean }): ResolvedPlace | null;
}

export interface ParseOptions {
  /** Resolves place names; without it, "in <Capitalised words>" is a place the library cannot answer. */
  places?: PlaceResolver;
}

export type TagFilterName = 'screenshot' | 'document';

export type Filter = Chip &
  (
    | { type: 'date'; start: number; end: number }
    | { type: 'place'; name: string; place: ResolvedPlace | null }
    | { type: 'camera'; make: string; model: string | null }
    | { type: 'kind'; kind: 'video' | 'image' }
    | { type: 'tag'; tag: TagFilterName }
    | { type: 'hasText' }
    | { type: 'folder'; name: string }
  );

export interface ParsedQuery {
  semantic: string;
  filters: Filter[];
}

const DAY = 86_400_000;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const YEAR = '(?:19|20)\\d{2}';
/** A year on its own: not part of a longer number, an ISO date or a time. */
const LONE_YEAR = `(?<![\\w\\-/.:])(${YEAR})(?![\\w\\-/:]|\\.\\d)`;
const LEAD = '(?:\\b(?:in|on|from|during|at|over|for|taken|shot)\\s+)*';

/** Index of a month word ('Sept', 'december'), 0-based. */
const monthIndex = (word: string) => MONTHS.findIndex((m) => m.startsWith(word.toLowerCase().slice(0, 3)));
/** Milliseconds of a wall-clock date read as UTC; Date.UTC rolls over months and days. */
const wall = (y: number, m: number, d = 1) => Date.UTC(y, m, d);
const ymd = (ms: number) => {
  const t = new Date(ms);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth(), d: t.getUTCDate() };
};
const daysIn = (y: number, m: number) => ymd(wall(y, m + 1, 0)).d;

/** The chip text of a range: '2019', 'Mar – May 2020', 'Dec 24 – 26, 2021'. */
export function rangeLabel(start: number, end: number): string {
  const a = ymd(start);
  const b = ymd(end - DAY);
  const e = ymd(end);
  if (e.d === 1 && a.d === 1) {
    if (a.m === 0 && e.m === 0) return a.y === b.y ? `${a.y}` : `${a.y} – ${b.y}`;
    if (a.y === b.y && a.m === b.m) return `${SHORT[a.m]} ${a.y}`;
    return a.y === b.y ? `${SHORT[a.m]} – ${SHORT[b.m]} ${a.y}` : `${SHORT[a.m]} ${a.y} – ${SHORT[b.m]} ${b.y}`;
  }
  const day = (p: { m: number; d: number }) => `${SHORT[p.m]} ${p.d}`;
  if (start === end - DAY) return `${day(a)}, ${a.y}`;
  if (a.y !== b.y) return `${day(a)}, ${a.y} – ${day(b)}, ${b.y}`;
  return a.m === b.m ? `${day(a)} – ${b.d}, ${a.y}` : `${day(a)} – ${day(b)}, ${a.y}`;
}

/** The working copy, typed with this parser's filters. */
export class Work extends WorkOf<Filter> {}

const dateFilter = (start: number, end: number, label = rangeLabel(start, end)) => ({ type: 'date' as const, start, end, label });

/** "February 30", "31 April 2020": dates that do not exist are fenced off, to stay words. */
function fenceImpossibleDates(w: Work) {
  const res = [
    new RegExp(`\\b(${MONTH})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(${YEAR})\\b)?`, 'giu'),
    new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${MONTH})\\b(?:,?\\s+(${YEAR})\\b)?`, 'giu'),
  ];
  res.forEach((re, i) => {
    for (const m of w.view().matchAll(re)) {
      const [month, day] = i === 0 ? [m[1], m[2]] : [m[2], m[1]];
      const d = Number(day);
      if (d < 1 || d > daysIn(m[3] ? Number(m[3]) : 2000, monthIndex(month ?? ''))) w.mark(w.fenced, m.index, m.index + m[0].length);
    }
  });
}

function wordFilters(w: Work) {
  const name = '(?:"([^"]+)"|([^\\s"]+))';
  w.each(new RegExp(`\\bfolder:${name}`, 'giu'), (m) => folder(m[1] ?? m[2]));
  w.each(new RegExp(`\\b(?:in|from)\\s+(?:the\\s+|my\\s+)?folder\\s+${name}`, 'giu'), (m) => folder(m[1] ?? m[2]));
  w.each(new RegExp(`\\b(?:in|from)\\s+(?:the\\s+|my\\s+)?${name}\\s+folder\\b`, 'giu'), (m) => folder(m[1] ?? m[2]));
  w.each(/\b(?:with|containing|that\s+(?:have|has|contain)|has|have)\s+(?:some\s+)?(?:text|writing)\b/giu, () => ({
    type: 'hasText',
    label: 'Has text',
  }));
  w.each(/\b(?:videos?|movies?|clips?|footage)\b/giu, () => ({ type: 'kind', kind: 'video', label: 'Videos' }));
  w.each(/\b(?:(?:only\s+)(?:photos|pictures|stills)|(?:photos|pictures)\s+only|stills|still\s+(?:photos|images))\b/giu, () => ({
    type: 'kind',
    kind: 'image',
    label: 'Photos',
  }));
  w.each(/\bscreen\s?(?:shots?|grabs?)\b/giu, () => ({ type: 'tag', tag: 'screenshot', label: 'Screenshots' }));
  w.each(/\b(?:documents?|docs)\b/giu, () => ({ type: 'tag', tag: 'document', label: 'Documents' }));
}

function folder(raw: string | undefined) {
  const name = (raw ?? '').replace(/^[/\\]+|[/\\]+$/g, '');
  return name ? { type: 'folder' as const, name, label: `Folder: ${name}` } : null;
}

/** Brands, their EXIF make, and the model text that narrows it (an iPhone is an Apple that is not an iPad). */
const CAMERAS: { word: string; make: string; model?: string; label: string; ambiguous?: boolean }[] = [
  { word: 'iphone', make: 'Apple', model: 'iPhone', label: 'iPhone' },
  { word: 'ipad', make: 'Apple', model: 'iPad', label: 'iPad' },
  { word: 'pixel', make: 'Google', model: 'Pixel', label: 'Pixel', ambiguous: true },
  { word: 'galaxy', make: 'Samsung', label: 'Samsung', ambiguous: true },
  { word: 'fujifilm|fuji', make: 'Fujifilm', label: 'Fujifilm' },
  { word: 'panasonic|lumix', make: 'Panasonic', label: 'Panasonic' },
  ...['Canon', 'Nikon', 'Sony', 'Samsung', 'GoPro', 'DJI', 'Olympus', 'Leica', 'Ricoh', 'Pentax', 'Huawei', 'Xiaomi', 'OnePlus']
    .concat(['Hasselblad', 'Motorola'])
    .map((b) => ({ word: b.toLowerCase(), make: b, label: b })),
];

function cameraFilters(w: Work) {
  for (const c of CAMERAS) {
    const re = new RegExp(
      `(?:\\b(?:shot|taken)\\s+)?(\\b(?:on|with|by|from)\\s+)?(?:(?:my|an?|the)\\s+)?\\b(${c.word})\\b(?:\\s+(\\d{1,2}[a-z]?(?:\\s+(?:pro|max|plus|mini|ultra))*)\\b)?(?:\\s+(?:camera|phone))?`,
      'giu',
    );
    w.each(re, (m) => {
      const number = m[3];
      if (c.ambiguous && !m[1] && !number && !/^\p{Lu}/u.test(m[2] ?? '')) return null;
      const model = c.model && number ? `${c.model} ${number}` : (c.model ?? null);
      return { type: 'camera', make: c.make, model, label: number && c.model ? `${c.label} ${number}` : c.label };
    });
  }
}

interface Clock {
  year: number;
  month: number;
  /** Start of today and the instant `now`, both as wall-clock ms. */
  today: number;
  now: number;
}

/** The most recent occurrence of a range given for year y (`at(y)`): the latest that started (or ended) by now. */
function recent(clock: Clock, at: (y: number) => [number, number], complete: boolean): [number, number] {
  for (let y = clock.year + 1; y > clock.year - 2; y--) {
    const r = at(y);
    if ((complete ? r[1] : r[0]) <= clock.now) return r;
  }
  return at(clock.year - 2); // unreachable: every range here is shorter than a year
}

const HOLIDAYS: { re: string; name: string; m: number; d: number; days: number }[] = [
  { re: 'christmas\\s+eve', name: 'Christmas Eve', m: 11, d: 24, days: 1 },
  { re: 'christmas\\s+day', name: 'Christmas Day', m: 11, d: 25, days: 1 },
  { re: 'christmas|xmas', name: 'Christmas', m: 11, d: 24, days: 3 },
  { re: "new\\s+year'?s\\s+eve", name: "New Year's Eve", m: 11, d: 31, days: 1 },
  { re: "new\\s+year(?:'?s(?:\\s+day)?)?", name: "New Year's Day", m: 0, d: 1, days: 1 },
  { re: 'halloween', name: 'Halloween', m: 9, d: 31, days: 1 },
  { re: "valentine'?s(?:\\s+day)?", name: "Valentine's Day", m: 1, d: 14, days: 1 },
];
const SEASONS: Record<string, number> = { spring: 2, summer: 5, autumn: 8, fall: 8, winter: 11 };

function dateRules(w: Work, clock: Clock) {
  const y = (s: string | undefined) => (s ? Number(s) : null);
  // Ranges of months or years: "between March and May 2020", "from 2018 to 2020".
  const to = '\\s+(?:and|to|until|till|through|-|–)\\s+';
  w.each(new RegExp(`\\b(?:between|from)\\s+(${MONTH})(?:\\s+(${YEAR}))?${to}(${MONTH})(?:\\s+(${YEAR}))?\\b`, 'giu'), (m) => {
    const [m1, m2] = [monthIndex(m[1] ?? ''), monthIndex(m[3] ?? '')];
    const wraps = m1 > m2 ? 1 : 0; // "from November to February" crosses a new year
    const endYear = y(m[4]) ?? (m[2] ? Number(m[2]) + wraps : ymd(recent(clock, (yy) => [wall(yy, m2), wall(yy, m2 + 1)], false)[0]).y);
    const startYear = y(m[2]) ?? endYear - wraps;
    const [start, end] = [wall(startYear, m1), wall(endYear, m2 + 1)];
    return start < end ? dateFilter(start, end) : null;
  });
  w.each(new RegExp(`(?:\\b(?:between|from)\\s+)?${LONE_YEAR}(?:${to}|\\s*[-–]\\s*)${LONE_YEAR}`, 'giu'), (m) => {
    const [a, b] = [Number(m[1]), Number(m[2])];
    return a <= b ? dateFilter(wall(a, 0), wall(b + 1, 0)) : null;
  });
  // Holidays: need a year, "last"/"this", or a preposition ("christmas tree" stays words).
  for (const h of HOLIDAYS) {
    const re = new RegExp(
      `(?:\\b(on|at|over|during|for|in)\\s+)?(?:\\b(last|this)\\s+)?\\b(?:${h.re})\\b(?:\\s+(?:of\\s+)?${LONE_YEAR})?`,
      'giu',
    );
    w.each(re, (m) => {
      if (!m[1] && !m[2] && !m[3]) return null;
      const at = (yy: number): [number, number] => [wall(yy, h.m, h.d), wall(yy, h.m, h.d + h.days)];
      const [start, end] = m[3] ? at(Number(m[3])) : recent(clock, at, m[2]?.toLowerCase() === 'last');
      return dateFilter(start, end, `${h.name} ${ymd(start).y} (${rangeLabel(start, end)})`);
    });
  }
  // Seasons (northern hemisphere): "last summer", "this winter", "summer 2019", "in the summer of 2019".
  const season = `(spring|summer|autumn|fall|winter)`;
  w.each(new RegExp(`${LEAD}(?:the\\s+)?(?:\\b(last|this)\\s+${season}\\b|\\b${season}\\s+(?:of\\s+)?${LONE_YEAR})`, 'giu'), (m) => {
    const first = SEASONS[(m[2] ?? m[3] ?? '').toLowerCase()] ?? 0;
    const at = (yy: number): [number, number] => [wall(yy, first), wall(yy, first + 3)];
    const [start, end] = m[4] ? at(Number(m[4])) : recent(clock, at, m[1]?.toLowerCase() === 'last');
    return dateFilter(start, end);
  });
  // Calendar periods relative to now.
  w.each(/(?:\b(?:in|on|from|during|over)\s+)?\b(last|this)\s+(weekend|week|month|year)\b/giu, (m) => {
    const last = m[1]?.toLowerCase() === 'last';
    const t = ymd(clock.today);
    const monday = clock.today - ((new Date(clock.today).getUTCDay() + 6) % 7) * DAY;
    switch (m[2]?.toLowerCase()) {
      case 'weekend': {
        const sat = monday + 5 * DAY;
        const start = last ? (sat + 2 * DAY <= clock.today ? sat : sat - 7 * DAY) : sat;
        return dateFilter(start, start + 2 * DAY);
      }
      case 'week':
        return dateFilter(last ? monday - 7 * DAY : monday, last ? monday : monday + 7 * DAY);
      case 'month':
        return dateFilter(wall(t.y, t.m - (last ? 1 : 0)), wall(t.y, t.m + (last ? 0 : 1)));
      default:
        return dateFilter(wall(t.y - (last ? 1 : 0), 0), wall(t.y + (last ? 0 : 1), 0));
    }
  });
  // "March 2020", "in March", "last December"; a month with a day is chrono's ("March 14").
  w.each(new RegExp(`${LEAD}(?<!\\d(?:st|nd|rd|th)?\\s+(?:of\\s+)?)\\b(${MONTH})\\.?\\s+(?:of\\s+)?${LONE_YEAR}`, 'giu'), (m) => {
    const mo = monthIndex(m[1] ?? '');
    return dateFilter(wall(Number(m[2]), mo), wall(Number(m[2]), mo + 1));
  });
  w.each(new RegExp(`\\b(in|during|from|last|this)\\s+(${MONTH})\\b(?!\\.?\\s*\\d)`, 'giu'), (m) => {
    const mo = monthIndex(m[2] ?? '');
    const [start, end] = recent(clock, (yy) => [wall(yy, mo), wall(yy, mo + 1)], m[1]?.toLowerCase() === 'last');
    return dateFilter(start, end);
  });
}

/** Bare years: "2019", "in 2019", "since 2019"; after chrono, so the year of "Dec 25 2021" is the day's. */
function yearRule(w: Work, clock: Clock) {
  w.each(new RegExp(`(?:\\b(in|from|during|since)\\s+)?${LONE_YEAR}`, 'giu'), (m) => {
    const year = Number(m[2]);
    if (m[1]?.toLowerCase() === 'since') return dateFilter(wall(year, 0), clock.today + DAY, `Since ${year}`);
    return dateFilter(wall(year, 0), wall(year + 1, 0));
  });
}

/** Day-level dates by chrono-node: a day, a weekday, or a range of days; anything vaguer is ours or words. */
function chronoDates(w: Work, now: Date, clock: Clock) {
  const view = w.view();
  for (const r of chrono.casual.parse(view, now, { forwardDate: false })) {
    const weekday = r.start.isCertain('weekday') && /\b\w+days?\b/iu.test(r.text);
    if (!r.start.isCertain('day') && !weekday) continue;
    const dayOf = (c: chrono.ParsedComponents) => wall(c.get('year') ?? clock.year, (c.get('month') ?? 1) - 1, c.get('day') ?? 1);
    let start = dayOf(r.start);
    let end = (r.end ? dayOf(r.end) : start) + DAY;
    // A day named without a year is the most recent past one ("Dec 25" in November is last year's).
    if (!r.start.isCertain('year') && start > clock.now) {
      const back = ymd(start);
      const shift = wall(back.y - 1, back.m, back.d) - start;
      [start, end] = [start + shift, end + shift];
    }
    if (end <= start) continue;
    const lead = /\b(?:on|from|in|at|during|since|between|taken|shot)\s+$/iu.exec(view.slice(0, r.index));
    const from = lead ? lead.index : r.index;
    w.add({ type: 'date', start, end, label: rangeLabel(start, end) }, from, r.index + r.text.length);
  }
}

const DANGLING = new Set(['in', 'on', 'at', 'from', 'during', 'since', 'between', 'and', 'or', 'of', 'with', 'by', 'taken', 'shot', 'to']);
const FILLER =
  /^(?:(?:show\s+me|find|search\s+for|search)\s+)?(?:(?:all|my|the)\s+)*(?:(?:photos|pictures|pics|images|shots)\b\s*(?:of|from|with|taken)?\b\s*)?/iu;

/** What no rule used, without dangling prepositions, filler words or stray punctuation. */
function remainder(w: Work): string {
  let rest = '';
  for (let i = 0; i < w.text.length; i++) rest += w.used[i] ? ' ' : w.text[i];
  rest = rest.replace(/\s+/gu, ' ').trim();
  rest = rest.replace(FILLER, '').replace(/\s+(?:photos|pictures|pics|images)$/iu, '');
  const words = rest.split(' ').filter((t) => t !== '');
  const dangling = (t: string | undefined) => t !== undefined && (DANGLING.has(t.toLowerCase()) || /^[\p{P}\p{S}]+$/u.test(t));
  while (dangling(words[0])) words.shift();
  while (dangling(words.at(-1))) words.pop();
  // A preposition whose object was used ("dogs in ␣ and cats") goes too.
  return words.filter((t, i) => !(DANGLING.has(t.toLowerCase()) && DANGLING.has((words[i + 1] ?? '').toLowerCase()))).join(' ');
}

/** Longest text the rules read; longer input is semantic text as typed (the rules stay fast). */
export const MAX_PARSED = 1000;

/** Splits a query into filters and the semantic remainder. Never throws; `now` fixes every relative date. */
export function parseQuery(text: string, now: Date, opts: ParseOptions = {}): ParsedQuery {
  const typed = typeof text === 'string' ? text : '';
  const norm = normalizeWithOffsets(typed);
  const input = norm.text;
  if (Number.isNaN(now.getTime())) now = new Date();
  const head = input.slice(0, MAX_PARSED);
  const tail = input.slice(MAX_PARSED);
  const w = new Work(head);
  const clock: Clock = {
    year: now.getFullYear(),
    month: now.getMonth(),
    today: wall(now.getFullYear(), now.getMonth(), now.getDate()),
    now: Date.UTC(now.getFullYear(), now.getMonth(), now.getDate(), now.getHours(), now.getMinutes(), now.getSeconds()),
  };
  fenceImpossibleDates(w);
  wordFilters(w);
  cameraFilters(w);
  dateRules(w, clock);
  chronoDates(w, now, clock);
  yearRule(w, clock);
  placeFilters(w, opts.places, MONTHS);
  const semantic = (remainder(w) + (tail ? ` ${tail.trim()}` : '')).trim();
  // Spans back to the text as typed, whole characters.
  const filters = w.filters.map((f) => {
    const [a, b] = f.span;
    return { ...f, span: [norm.from[a] ?? a, b > a ? (norm.to[b - 1] ?? b) : (norm.from[b] ?? b)] as [number, number] };
  });
  return { semantic, filters };
}
