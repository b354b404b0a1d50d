/**
 * @file What the viewer's understanding panel shows, decided from `photos:understanding` and the job
 * queue's status: the tags in display order with their score tooltips, suggestions for the add-tag
 * field, and the one status line for a photo the model has not (or not successfully) understood. Runs
 * in the renderer; pure, so it is unit-tested without a DOM (test/unit/renderer-understanding.test.ts).
 *
 * See [Note: User edits win] in preload/contract/understanding.ts: what the user wrote, added or
 * removed is shown as theirs and first.
 */
import type { JobsStatus, MadeBy, PhotoTagDto, PhotoUnderstanding, TagLabelDto } from '../../../../preload/contract';
import { scoreLabel } from '../../format';
import { isAboutModel } from '../activity/use-jobs';

/** The queue's step id of understanding (main/understanding/understanding.service.ts `UNDERSTAND_STEP`). */
export const UNDERSTAND_STEP = 'understand';

/** Runs one edit; shows its error and resolves false when it failed, so the field keeps what was typed. */
export type Act = (what: string, call: () => Promise<PhotoUnderstanding>) => Promise<boolean>;

/** Texts longer than this (characters or lines) are shown collapsed at first. */
const LONG_CHARS = 280;
const LONG_LINES = 5;

/** "tiny-internvl · int8". */
export function madeByLabel(m: MadeBy): string {
  return `${m.modelId} · ${m.variant}`;
}

/** The tag chip's tooltip: who put it there and, for the model's, its calibrated and raw scores. */
export function tagTitle(tag: PhotoTagDto): string {
  if (tag.source === 'user') return `${tag.label} (${tag.group}) · added by you; the model never removes it`;
  const parts = [`${tag.label} (${tag.group})`];
  if (tag.score !== null) parts.push(`score ${scoreLabel(tag.score)}`);
  if (tag.rawScore !== null) parts.push(`raw ${scoreLabel(tag.rawScore)}`);
  if (tag.madeBy) parts.push(`by ${madeByLabel(tag.madeBy)}`);
  return parts.join(' · ');
}

/** Tags in display order: the user's first (by label), then the model's best first (label order on ties). */
export function orderTags(tags: readonly PhotoTagDto[]): PhotoTagDto[] {
  const rank = (t: PhotoTagDto) => (t.source === 'user' ? 0 : 1);
  return [...tags].sort(
    (a, b) =>
      rank(a) - rank(b) || (a.source === 'model' ? (b.score ?? -Infinity) - (a.score ?? -Infinity) : 0) || a.label.localeCompare(b.label),
  );
}

/**
 * Labels the add-tag field offers: the taxonomy's labels that are not on the photo, the enabled ones
 * first, each group in taxonomy order. Labels the user removed from this photo are offered too (adding
 * one back is how a removal is undone).
 */
export function tagSuggestions(labels: readonly TagLabelDto[], onPhoto: readonly PhotoTagDto[]): TagLabelDto[] {
  const shown = new Set(onPhoto.map((t) => t.labelId));
  return labels
    .filter((l) => !shown.has(l.id))
    .sort((a, b) => Number(b.enabled) - Number(a.enabled) || a.position - b.position || a.label.localeCompare(b.label));
}

/** Whether a text is long enough to be collapsed at first. */
export function isLongText(text: string): boolean {
  return text.length > LONG_CHARS || text.split('\n').length > LONG_LINES;
}

/** The first sentence of a message ("No model is selected. Open the Models page…" → "No model is selected."). */
export function firstSentence(message: string): string {
  const m = /^.*?[.!?](?=\s|$)/.exec(message.trim());
  return m ? m[0] : message.trim();
}

/** The panel's status line for the photo, or null when there is nothing to say beyond its results. */
export type UnderstandingStatus =
  | { kind: 'not-applicable' }
  | { kind: 'running' }
  | { kind: 'waiting' }
  | { kind: 'paused' }
  | { kind: 'blocked'; reason: string; aboutModel: boolean }
  | { kind: 'failed'; message: string; willRetry: boolean }
  | { kind: 'stale' };

/**
 * Decides the status line from the photo's understanding and (when known) the queue. A finished,
 * current result has none; an error is the photo's own; before the first result the queue says why
 * the photo waits (no model, paused on battery, the queue paused) or that it is simply queued.
 */
export function understandingStatus(u: PhotoUnderstanding, jobs: JobsStatus | undefined): UnderstandingStatus | null {
  const job = u.job;
  if (!job) return u.result ? null : { kind: 'not-applicable' };
  if (job.state === 'running') return { kind: 'running' };
  if (job.state === 'failed-permanent' || job.state === 'failed-retryable')
    return {
      kind: 'failed',
      message: u.result?.state === 'error' && u.result.error ? u.result.error : (job.error ?? 'unknown error'),
      willRetry: job.state === 'failed-retryable',
    };
  if (u.result?.state === 'error') return { kind: 'failed', message: u.result.error ?? 'unknown error', willRetry: false };
  if (job.state === 'done') return null;
  // Pending: before the first result, or with a result of another model that a re-run will replace.
  const step = jobs?.steps.find((s) => s.step === UNDERSTAND_STEP);
  if (jobs?.paused) return { kind: 'paused' };
  const reason = step?.blockedReason ?? null;
  if (reason) return { kind: 'blocked', reason, aboutModel: isAboutModel(reason) };
  return u.result && !u.result.current ? { kind: 'stale' } : { kind: 'waiting' };
}
