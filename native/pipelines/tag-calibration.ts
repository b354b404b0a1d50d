/**
 * @file Contextual calibration of zero-shot tag scores, and the choice of tags from them.
 *
 * Runs in the inference worker (`understand.ts`); pure except for {@link contentFreeImage}, which
 * builds pixels in memory.
 *
 * [Note: Contextual calibration of tags] A label's log-likelihood mixes what the photo shows with
 * how much the model likes that phrase anyway (short, frequent words score high on any image).
 * Following "Calibrate Before Use" (Zhao et al., 2021, arXiv 2102.09690), the same labels are scored
 * on a content-free input — a mid-gray tile — and that score is subtracted: calibrated = mean
 * log-prob − offset, a log ratio of how much more likely the label is on this photo than on nothing.
 * A threshold on the calibrated score is then comparable across labels; without offsets the
 * calibrated score is the raw one and the threshold applies to raw mean log-probs.
 */
import type { ImageSettings, PreparedImage } from '../preprocess/image-input';
import { prepareRgb } from '../preprocess/image-input';
import type { TagScoreDto } from '../protocol';
import type { LabelLogProb } from './label-trie';

/** A label's score: raw (as `classify`), the offset subtracted (0 when uncalibrated), and calibrated = raw − offset (the protocol's type). */
export type TagScore = TagScoreDto;

/** Attaches labels and subtracts per-label offsets (none: offset 0). */
export function calibrateScores(labels: readonly string[], raw: readonly LabelLogProb[], offsets?: readonly number[]): TagScore[] {
  if (raw.length !== labels.length) throw new RangeError(`${raw.length} scores for ${labels.length} labels`);
  if (offsets !== undefined && offsets.length !== labels.length) {
    throw new RangeError(`${offsets.length} calibration offsets for ${labels.length} labels`);
  }
  return raw.map((s, i) => {
    const offset = offsets?.[i] ?? 0;
    return { label: labels[i]!, ...s, offset, calibrated: s.meanLogProb - offset };
  });
}

/** Tags whose calibrated score reaches `threshold`, best first (label order on ties), at most `topK`. */
export function selectTags(scores: readonly TagScore[], threshold: number, topK: number): TagScore[] {
  if (!(Number.isInteger(topK) && topK >= 0)) throw new RangeError('topK must be an integer ≥ 0');
  return scores
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.calibrated >= threshold)
    .sort((a, b) => b.s.calibrated - a.s.calibrated || a.i - b.i)
    .slice(0, topK)
    .map(({ s }) => s);
}

/** Gray level of the content-free tile (the middle of 0–255). */
export const CONTENT_FREE_GRAY = 128;

/** A one-tile mid-gray image, preprocessed like a photo (the content-free input). */
export function contentFreeImage(settings: ImageSettings): PreparedImage {
  const s = settings.size;
  const data = new Uint8Array(s * s * 3).fill(CONTENT_FREE_GRAY);
  return prepareRgb({ width: s, height: s, data }, settings, 1);
}
