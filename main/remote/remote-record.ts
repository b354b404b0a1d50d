/**
 * @file A remote backend's answers → the record the local step stores (main/db/understanding.repo.ts
 * `ModelOutput`): the same states ('ok', 'empty', 'runaway'), caption, text and tags by label id.
 *
 * Runs in main; pure. [Note: Remote tags] in ./remote-understand.ts says why tags carry no score.
 */
import type { ModelOutput } from '../db/understanding.repo';
import type { LabelSet } from '../understanding/understanding.service';
import type { RemoteAnswers } from './remote-understand';

/** The stored record of one photo's remote answers; `ms` is the photo's wall time. */
export function toModelOutput(a: RemoteAnswers, labels: LabelSet, ms: number): ModelOutput {
  const idOf = new Map(labels.labels.map((l, i) => [l, labels.ids[i]!]));
  return {
    state: a.caption.finish === 'empty' ? 'empty' : a.caption.finish === 'length' ? 'runaway' : 'ok',
    calibrated: false,
    numTiles: a.numTiles,
    ms: Math.round(ms),
    caption: { text: a.caption.text, finish: a.caption.finish },
    text: a.text ? { text: a.text.text, finish: a.text.finish, reason: a.text.reason } : null,
    tags: a.tags.flatMap((label) => {
      const labelId = idOf.get(label);
      return labelId === undefined ? [] : [{ labelId, score: null, rawScore: null }];
    }),
  };
}
