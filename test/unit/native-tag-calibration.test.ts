/**
 * @file Tag calibration and choice (calibrated = mean log-prob − content-free offset; threshold,
 * then top-k), the content-free image, and caption clean-up (preamble, empty and runaway answers).
 */
import { describe, expect, it } from 'vitest';
import { stripCaptionPreamble, toAnswer } from '../../native/pipelines/answer-text';
import { DEFAULT_LABELS, DEFAULT_TAXONOMY, DEFAULT_TEXT_LABELS } from '../../main/understanding/default-taxonomy';
import { calibrateScores, CONTENT_FREE_GRAY, contentFreeImage, selectTags } from '../../native/pipelines/tag-calibration';
import { DEFAULT_IMAGE_SETTINGS } from '../../native/preprocess/image-input';

const raw = [
  { sumLogProb: -2, meanLogProb: -1, numTokens: 2 },
  { sumLogProb: -0.5, meanLogProb: -0.5, numTokens: 1 },
  { sumLogProb: -9, meanLogProb: -3, numTokens: 3 },
];
const labels = ['beach', 'dog', 'birthday cake'];

describe('tag calibration', () => {
  it('subtracts the offsets and keeps the raw scores', () => {
    const s = calibrateScores(labels, raw, [-2, -0.25, -3.5]);
    expect(s.map((x) => x.calibrated)).toEqual([1, -0.25, 0.5]);
    expect(s.map((x) => x.meanLogProb)).toEqual([-1, -0.5, -3]);
    expect(s.map((x) => x.sumLogProb)).toEqual([-2, -0.5, -9]);
    expect(s.map((x) => x.label)).toEqual(labels);
    // Uncalibrated: calibrated is the raw mean.
    expect(calibrateScores(labels, raw).map((x) => x.calibrated)).toEqual([-1, -0.5, -3]);
    expect(() => calibrateScores(labels, raw, [0])).toThrow(/offsets/);
  });

  it('keeps the tags at or above the threshold, best first, at most top-k', () => {
    const s = calibrateScores(labels, raw, [-2, -0.25, -3.5]);
    expect(selectTags(s, 0, 10).map((x) => x.label)).toEqual(['beach', 'birthday cake']);
    expect(selectTags(s, 0.5, 10).map((x) => x.label)).toEqual(['beach', 'birthday cake']);
    expect(selectTags(s, -Infinity, 2).map((x) => x.label)).toEqual(['beach', 'birthday cake']);
    expect(selectTags(s, 2, 10)).toEqual([]);
    expect(selectTags(s, -Infinity, 0)).toEqual([]);
    // Ties keep label order.
    const tied = calibrateScores(['a', 'b'], [raw[0]!, raw[0]!]);
    expect(selectTags(tied, -5, 2).map((x) => x.label)).toEqual(['a', 'b']);
  });

  it('builds a one-tile mid-gray content-free input', () => {
    const img = contentFreeImage(DEFAULT_IMAGE_SETTINGS);
    expect(img.pixelValues.dims).toEqual([1, 3, 448, 448]);
    const red = (CONTENT_FREE_GRAY / 255 - 0.485) / 0.229;
    expect(img.pixelValues.data[0]).toBeCloseTo(red, 5);
    expect(img.pixelValues.data[448 * 448 - 1]).toBeCloseTo(red, 5);
  });
});

describe('answers', () => {
  it('drops a "The image shows" preamble', () => {
    expect(stripCaptionPreamble('The image shows a dog on a beach.')).toBe('A dog on a beach.');
    expect(stripCaptionPreamble('This photo depicts two children playing.')).toBe('Two children playing.');
    expect(stripCaptionPreamble('In this picture, there is a red car.')).toBe('A red car.');
    expect(stripCaptionPreamble('This is an image of a cake.')).toBe('A cake.');
    expect(stripCaptionPreamble('A dog on a beach.')).toBe('A dog on a beach.');
    expect(stripCaptionPreamble('The image shows')).toBe('The image shows');
  });

  it('flags empty and runaway answers', () => {
    const decode = (ids: number[]) => ids.map((i) => (i === 32 ? ' ' : String.fromCharCode(i))).join('');
    expect(toAnswer([104, 105, 0], 'stop', [0], decode)).toEqual({ text: 'hi', tokenIds: [104, 105, 0], finish: 'stop' });
    expect(toAnswer([104, 105], 'length', [0], decode).finish).toBe('length');
    expect(toAnswer([32, 0], 'stop', [0], decode).finish).toBe('empty');
    expect(toAnswer([0], 'stop', [0], decode)).toEqual({ text: '', tokenIds: [0], finish: 'empty' });
  });
});

describe('default taxonomy', () => {
  it('has 100 distinct labels, and its text labels are among them', () => {
    expect(DEFAULT_LABELS).toHaveLength(100);
    expect(new Set(DEFAULT_LABELS).size).toBe(100);
    for (const l of DEFAULT_TEXT_LABELS) expect(DEFAULT_LABELS).toContain(l);
    expect(Object.keys(DEFAULT_TAXONOMY)).toHaveLength(11);
  });
});
