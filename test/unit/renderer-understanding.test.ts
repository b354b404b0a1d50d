/**
 * @file Unit tests of the understanding UI (issue 8, item 5): what the viewer's panel decides from
 * `photos:understanding` (tag order, score tooltips, suggestions, the status line of a photo not
 * understood yet), the caption and text sections rendered to markup (the user's edits are marked as
 * theirs, a random-weight model's as demo output), the Activity page's understanding row (seconds per
 * photo, where it runs, why it waits with a way to Models), and the Tags page's grouping.
 */
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { JobsStatus, PhotoTagDto, PhotoUnderstanding, StepProgress, TagLabelDto } from '../../preload/contract';
import type { ShoeboxClient } from '../../renderer/src/api';
import { NoticeProvider } from '../../renderer/src/components/notices';
import { ProgressPanel } from '../../renderer/src/features/activity/progress-panel';
import { stepBlocks, type JobsState } from '../../renderer/src/features/activity/use-jobs';
import { CaptionSection, TextSection } from '../../renderer/src/features/library/understanding-texts';
import {
  firstSentence,
  isLongText,
  orderTags,
  tagSuggestions,
  tagTitle,
  understandingStatus,
} from '../../renderer/src/features/library/understanding-view';
import { groupLabels } from '../../renderer/src/features/tags/group-labels';
import { perItemLabel, scoreLabel } from '../../renderer/src/format';
import { ClientContext } from '../../renderer/src/hooks';

const madeBy = {
  modelId: 'tiny-internvl',
  variant: 'int8',
  version: 'understand:1:tiny-internvl:int8',
  madeAt: '2025-01-01T00:00:00.000Z',
};
const tag = (over: Partial<PhotoTagDto>): PhotoTagDto => ({
  labelId: 1,
  label: 'dog',
  group: 'animals',
  score: 1,
  rawScore: -2,
  source: 'model',
  madeBy,
  ...over,
});
const understanding = (over: Partial<PhotoUnderstanding>): PhotoUnderstanding => ({
  photoId: 7,
  job: { state: 'done', error: null },
  result: { state: 'ok', error: null, madeBy, current: true, demo: false, numTiles: 1, ms: 900 },
  caption: { text: 'A dog on a beach.', finish: 'stop', byUser: false, madeBy },
  text: null,
  tags: [],
  removedTags: [],
  ...over,
});
const step = (over: Partial<StepProgress>): StepProgress => ({
  step: 'understand',
  pending: 0,
  running: 0,
  done: 0,
  failed: 0,
  rate: 0,
  etaSeconds: null,
  ...over,
});
const jobs = (steps: StepProgress[], over: Partial<JobsStatus> = {}): JobsStatus => ({
  paused: false,
  blockedReason: null,
  steps,
  photos: 5,
  missing: 0,
  errors: 0,
  ...over,
});
const label = (over: Partial<TagLabelDto>): TagLabelDto => ({
  id: 1,
  label: 'dog',
  group: 'animals',
  isTextLabel: false,
  enabled: true,
  userAdded: false,
  position: 0,
  ...over,
});

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');
function render(node: ReactNode): string {
  const client = {} as ShoeboxClient; // never called while rendering to markup
  return renderToStaticMarkup(createElement(ClientContext.Provider, { value: client }, createElement(NoticeProvider, null, node)));
}
const noAct = () => Promise.resolve(false);

describe('scores and tags', () => {
  it('formats scores with a sign and a true minus', () => {
    expect(scoreLabel(1.234)).toBe('+1.23');
    expect(scoreLabel(-0.5)).toBe('\u22120.50');
    expect(scoreLabel(-0.001)).toBe('0.00');
    expect(scoreLabel(Number.NaN)).toBe('—');
  });

  it("shows the calibrated and raw scores of the model's tags, and the user's as theirs", () => {
    expect(tagTitle(tag({ score: 2.5, rawScore: -1.25 }))).toBe('dog (animals) · score +2.50 · raw \u22121.25 · by tiny-internvl · int8');
    const mine = tagTitle(tag({ source: 'user', score: null, rawScore: null, madeBy: null }));
    expect(mine).toContain('added by you');
    expect(mine).not.toContain('score');
  });

  it("orders the user's tags first, then the model's best first", () => {
    const tags = [
      tag({ labelId: 1, label: 'beach', score: 0.2 }),
      tag({ labelId: 2, label: 'zebra', source: 'user', score: null }),
      tag({ labelId: 3, label: 'dog', score: 3 }),
      tag({ labelId: 4, label: 'apple', source: 'user', score: null }),
      tag({ labelId: 5, label: 'sky', score: 0.2 }),
    ];
    expect(orderTags(tags).map((t) => t.label)).toEqual(['apple', 'zebra', 'dog', 'beach', 'sky']);
  });

  it('suggests labels not on the photo, enabled ones first in taxonomy order', () => {
    const labels = [
      label({ id: 1, label: 'dog', position: 0 }),
      label({ id: 2, label: 'cat', position: 1 }),
      label({ id: 3, label: 'mug', position: 5, enabled: false, userAdded: true }),
      label({ id: 4, label: 'bird', position: 2 }),
    ];
    expect(tagSuggestions(labels, [tag({ labelId: 1 })]).map((l) => l.label)).toEqual(['cat', 'bird', 'mug']);
  });

  it('collapses long texts only', () => {
    expect(isLongText('STOP')).toBe(false);
    expect(isLongText('x'.repeat(281))).toBe(true);
    expect(isLongText('a\nb\nc\nd\ne\nf')).toBe(true);
  });
});

describe('the status line of a photo', () => {
  const pending = understanding({ job: { state: 'pending', error: null }, result: null, caption: null });

  it('says nothing for a photo understood by the current model', () => {
    expect(understandingStatus(understanding({}), undefined)).toBeNull();
  });

  it('says why a queued photo waits: no model (about the model), the step paused on battery, the queue paused', () => {
    const noModel = 'No model is selected. Open the Models page (or run `shoebox models list`) to download or import one.';
    expect(understandingStatus(pending, jobs([step({ pending: 5, blockedReason: noModel })]))).toEqual({
      kind: 'blocked',
      reason: noModel,
      aboutModel: true,
    });
    expect(firstSentence(noModel)).toBe('No model is selected.');
    expect(understandingStatus(pending, jobs([step({ pending: 5, blockedReason: 'paused on battery' })]))).toEqual({
      kind: 'blocked',
      reason: 'paused on battery',
      aboutModel: false,
    });
    expect(understandingStatus(pending, jobs([step({ pending: 5 })], { paused: true }))).toEqual({ kind: 'paused' });
    expect(understandingStatus(pending, jobs([step({ pending: 5 })]))).toEqual({ kind: 'waiting' });
    expect(understandingStatus(pending, undefined)).toEqual({ kind: 'waiting' });
  });

  it("shows the photo's own error, running, an earlier model's result, and videos", () => {
    const failed = understanding({
      job: { state: 'failed-permanent', error: 'x' },
      result: { state: 'error', error: 'bad_input: image does not decode', madeBy, current: true, demo: false, numTiles: null, ms: null },
    });
    expect(understandingStatus(failed, undefined)).toEqual({
      kind: 'failed',
      message: 'bad_input: image does not decode',
      willRetry: false,
    });
    expect(
      understandingStatus(understanding({ job: { state: 'failed-retryable', error: 'timeout: slow' }, result: null }), undefined),
    ).toEqual({
      kind: 'failed',
      message: 'timeout: slow',
      willRetry: true,
    });
    expect(understandingStatus(understanding({ job: { state: 'running', error: null } }), undefined)).toEqual({ kind: 'running' });
    const stale = understanding({ job: { state: 'pending', error: null }, result: { ...understanding({}).result!, current: false } });
    expect(understandingStatus(stale, jobs([step({ pending: 1 })]))).toEqual({ kind: 'stale' });
    expect(understandingStatus(understanding({ job: null, result: null, caption: null }), undefined)).toEqual({ kind: 'not-applicable' });
  });
});

describe('caption and text sections', () => {
  it("marks the user's caption as theirs, with a way back to the model", () => {
    const html = render(
      createElement(CaptionSection, {
        u: understanding({ caption: { text: 'Rex at the sea', finish: null, byUser: true, madeBy: null } }),
        act: noAct,
      }),
    );
    expect(text(html)).toContain('Rex at the sea');
    expect(html).toContain('data-testid="edited-by-you"');
    expect(html).toContain('data-testid="caption-revert"');
    expect(html).not.toContain('demo model');
  });

  it("shows the model's caption as the model's: no revert, and cut short when it hit the length limit", () => {
    const u = understanding({ caption: { text: 'a a a a', finish: 'length', byUser: false, madeBy } });
    const html = render(createElement(CaptionSection, { u, act: noAct }));
    expect(text(html)).toContain('cut short');
    expect(html).not.toContain('edited-by-you');
    expect(html).not.toContain('caption-revert');
  });

  it('collapses a long text in the photo and says why the model read it', () => {
    const long = 'line\n'.repeat(20);
    const u = understanding({ text: { text: long, finish: 'stop', byUser: false, madeBy, reason: 'document' } });
    const out = text(render(createElement(TextSection, { u, act: noAct })));
    expect(out).toContain('Show all (100 characters)');
    expect(out).toContain('Transcribed because the photo looks like: document.');
  });
});

describe('the Activity page', () => {
  const noModel = 'No model is selected. Open the Models page to download or import one.';
  const status = jobs(
    [
      step({ step: 'thumbnail', done: 5, rate: 3 }),
      step({ step: 'understand', pending: 3, done: 2, secondsPerItem: 4.2, detail: 'CPU · int8', blockedReason: noModel, etaSeconds: 13 }),
    ],
    { blockedReason: `understand: ${noModel}` },
  );

  it("shows each waiting step's reason once, on the step", () => {
    expect(stepBlocks(status)).toEqual({ blocks: [{ step: 'understand', reason: noModel, aboutModel: true }], queueReasonIsAStep: true });
    // A step with nothing left is not waiting for anything.
    const finished = jobs([step({ done: 5, blockedReason: 'paused on battery' })], { blockedReason: 'understand: paused on battery' });
    expect(stepBlocks(finished)).toEqual({ blocks: [], queueReasonIsAStep: true });
  });

  it('shows the understanding row: done / total, seconds per photo, where it runs, and why it waits', () => {
    const state: JobsState = { status, error: null, busy: false, setPaused: () => Promise.resolve(), reload: () => {} };
    const html = render(createElement(ProgressPanel, { jobs: state, onModels: () => {} }));
    const out = text(html);
    expect(out).toContain('Captions and tags');
    expect(out).toContain('2 / 5');
    expect(out).toContain('4.2 s per photo');
    expect(out).toContain('CPU · int8');
    expect(out).toContain(`Captions and tags waiting: ${noModel} Go to Models`);
    expect(html.match(/data-testid="step-blocked"/g)).toHaveLength(1);
    expect(html).not.toContain('data-testid="blocked-reason"');
  });

  it('formats seconds per photo', () => {
    expect(perItemLabel(0.354)).toBe('0.35 s per photo');
    expect(perItemLabel(12.34)).toBe('12.3 s per photo');
    expect(perItemLabel(65)).toBe('1 min 5 s per photo');
    expect(perItemLabel(null)).toBe('—');
  });
});

describe('the Tags page', () => {
  it('groups labels in taxonomy order and filters by label or group', () => {
    const labels = [
      label({ id: 3, label: 'beach', group: 'nature', position: 10 }),
      label({ id: 1, label: 'dog', group: 'animals', position: 0 }),
      label({ id: 2, label: 'cat', group: 'animals', position: 1, enabled: false }),
      label({ id: 4, label: 'sailing', group: 'my tags', position: 100, userAdded: true }),
    ];
    const all = groupLabels(labels);
    expect(all.map((g) => [g.group, g.labels.map((l) => l.label), g.enabled, g.total])).toEqual([
      ['animals', ['dog', 'cat'], 1, 2],
      ['nature', ['beach'], 1, 1],
      ['my tags', ['sailing'], 1, 1],
    ]);
    expect(groupLabels(labels, 'CA').map((g) => g.labels.map((l) => l.label))).toEqual([['cat']]);
    expect(groupLabels(labels, 'anim').map((g) => g.labels.length)).toEqual([2]);
    expect(groupLabels(labels, 'nothing')).toEqual([]);
  });
});
