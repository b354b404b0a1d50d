/**
 * @file Why a search result matched, in words: the snippet split into plain and highlighted parts (the
 * UI renders the highlights as <mark> elements, never as HTML), a label per field, the tooltip text and
 * the score as a percentage. Runs in the renderer; pure, unit-tested.
 */
import type { MatchReason, MatchSnippet } from '../../../../preload/contract';

export interface TextPart {
  text: string;
  mark: boolean;
}

/** How much text at most is kept before the first highlight, so it is on screen in a one-line caption. */
const LEAD = 24;

/** Highlights sorted, clamped to the text, overlaps merged, empty ones dropped. */
function normalize(text: string, highlights: readonly (readonly [number, number])[]): [number, number][] {
  const ranges = highlights
    .map(([a, b]) => [Math.max(0, Math.min(text.length, a)), Math.max(0, Math.min(text.length, b))] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  return merged;
}

/** Where to start showing the text: at a word start a little before the first highlight, when that is far in. */
function leadCut(text: string, firstMark: number, lead: number): number {
  if (firstMark <= lead) return 0;
  const from = firstMark - Math.floor(lead / 2);
  const space = text.slice(from, firstMark).search(/\s/u);
  let cut = space >= 0 ? from + space + 1 : from;
  // Never split a surrogate pair.
  const code = text.charCodeAt(cut);
  if (code >= 0xdc00 && code <= 0xdfff) cut--;
  return cut;
}

/** The snippet as parts to render, the highlights marked; text far before the first one becomes "…". */
export function highlightParts(snippet: MatchSnippet, lead = LEAD): TextPart[] {
  const { text } = snippet;
  const marks = normalize(text, snippet.highlights);
  const cut = leadCut(text, marks[0]?.[0] ?? 0, lead);
  const parts: TextPart[] = cut > 0 ? [{ text: '…', mark: false }] : [];
  let at = cut;
  for (const [a, b] of marks) {
    if (a > at) parts.push({ text: text.slice(at, a), mark: false });
    parts.push({ text: text.slice(a, b), mark: true });
    at = b;
  }
  if (at < text.length) parts.push({ text: text.slice(at), mark: false });
  return parts;
}

const FIELD_LABELS: Record<Exclude<MatchReason['field'], 'filters'>, string> = {
  caption: 'Caption',
  tags: 'Tags',
  text: 'Text in photo',
  file: 'File name',
  folder: 'Folder',
  camera: 'Camera',
  place: 'Place',
  meaning: 'Similar meaning',
};

/** The word for where a match was found; null for a filter-only match, which needs no explanation. */
export function reasonLabel(reason: MatchReason): string | null {
  return reason.field === 'filters' ? null : FIELD_LABELS[reason.field];
}

/** The reasons worth showing, in the order given (best first): filter-only matches say nothing. */
export function shownReasons(why: readonly MatchReason[]): Exclude<MatchReason, { field: 'filters' }>[] {
  return why.filter((r): r is Exclude<MatchReason, { field: 'filters' }> => r.field !== 'filters');
}

/** Every reason as one line of plain text, for a tooltip: "File name: baboon.jpg · Similar meaning". */
export function reasonsText(why: readonly MatchReason[]): string {
  return shownReasons(why)
    .map((r) => (r.field === 'meaning' ? FIELD_LABELS.meaning : `${FIELD_LABELS[r.field]}: ${r.snippet.text}`))
    .join(' · ');
}

/** 0.873 → "87%"; out-of-range or non-finite scores are clamped to 0–100%. */
export function scorePercent(score: number): string {
  const s = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
  return `${Math.round(s * 100)}%`;
}
