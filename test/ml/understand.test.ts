/**
 * @file The understanding pipeline on the tiny bundle (random weights: token ids, not words): the
 * branched questions answer exactly as `caption()` asked from scratch, trie tag scores equal
 * `classify()`'s, a batch equals its photos one by one, calibration subtracts the content-free
 * scores, the transcription runs only when asked or triggered, and a bad image fails alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caption } from '../../native/pipelines/caption';
import { classify } from '../../native/pipelines/classify';
import { CONTENT_FREE_GRAY } from '../../native/pipelines/tag-calibration';
import {
  contentFreeOffsets,
  DEFAULT_OCR_PROMPT,
  DEFAULT_TAG_PROMPT,
  DEFAULT_UNDERSTAND_CAPTION_PROMPT,
  understand,
  type UnderstandPhoto,
} from '../../native/pipelines/understand';
import type { ImageInput } from '../../native/protocol';
import { InternVLModel } from '../../native/runtime/internvl-model';

const BUNDLE = 'test/fixtures/models/tiny-internvl';
const ML = 'test/fixtures/images/ml';
const IMAGES: ImageInput[] = ['square.png', 'ratio-3x2.png', 'tall.png'].map((f) => ({ path: path.join(ML, f) }));
// Byte-level tiny tokenizer: 'car' / 'cat' share 'ca', the 'a red …' labels share 6 tokens.
const LABELS = ['cat', 'car', 'a red car', 'a red bus', 'dog', 'x', 'document', 'docs'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'shoebox-understand-'));
let model: InternVLModel;

beforeAll(async () => {
  model = await InternVLModel.load(BUNDLE, { executionProviders: ['cpu'] });
});
afterAll(async () => {
  await model.release();
  rmSync(tmp, { recursive: true, force: true });
});

function okPhoto(p: UnderstandPhoto | undefined): Extract<UnderstandPhoto, { ok: true }> {
  if (p?.ok !== true) throw new Error(`photo failed: ${JSON.stringify(p)}`);
  return p;
}

describe('understanding on the tiny bundle', () => {
  it('answers each branch exactly like asking the question from scratch, and scores like classify()', async () => {
    const res = await understand(model, {
      images: IMAGES,
      caption: { maxNewTokens: 12 },
      tags: { labels: LABELS, threshold: -1e9 },
      ocr: { mode: 'always', maxNewTokens: 10 },
    });
    expect(res.stats.photos).toBe(3);
    expect(res.stats.labelPositions).toBeGreaterThan(0);
    for (const [i, image] of IMAGES.entries()) {
      const p = okPhoto(res.photos[i]);
      const cap = await caption(model, { image, prompt: DEFAULT_UNDERSTAND_CAPTION_PROMPT, sampling: { maxNewTokens: 12 } });
      expect(p.caption?.tokenIds).toEqual(cap.tokenIds);
      const ocr = await caption(model, { image, prompt: DEFAULT_OCR_PROMPT, sampling: { maxNewTokens: 10 } });
      expect(p.text?.tokenIds).toEqual(ocr.tokenIds);
      expect(p.textReason).toBe('asked');
      const ref = await classify(model, { image, labels: LABELS, prompt: DEFAULT_TAG_PROMPT });
      ref.forEach((s, j) => {
        expect(p.scores[j]!.label).toBe(s.label);
        expect(p.scores[j]!.numTokens).toBe(s.numTokens);
        expect(p.scores[j]!.meanLogProb).toBeCloseTo(s.meanLogProb, 4);
        expect(p.scores[j]!.sumLogProb).toBeCloseTo(s.sumLogProb, 4);
      });
    }
    // The whole result crosses the worker boundary as JSON.
    expect(JSON.parse(JSON.stringify(res))).toEqual(res);
  }, 60_000);

  it('gives a batch the same answers as its photos one by one', async () => {
    const params = { caption: { maxNewTokens: 16 }, tags: { labels: LABELS, threshold: -1e9, topK: 3 }, ocr: { mode: 'never' as const } };
    const batched = await understand(model, { images: IMAGES, ...params, maxRowsPerRun: 5 });
    for (const [i, image] of IMAGES.entries()) {
      const alone = okPhoto((await understand(model, { images: [image], ...params })).photos[0]);
      const p = okPhoto(batched.photos[i]);
      expect(p.caption?.tokenIds).toEqual(alone.caption?.tokenIds);
      expect(p.tags.map((t) => t.label)).toEqual(alone.tags.map((t) => t.label));
      p.scores.forEach((s, j) => expect(s.meanLogProb).toBeCloseTo(alone.scores[j]!.meanLogProb, 4));
      expect(p.text).toBeNull();
    }
  }, 60_000);

  it('batches photos whose prompts differ in length (left-padded) like one by one', async () => {
    // 1 tile and 3 tiles (2×1 grid + thumbnail): prefixes of 256 and 768 image tokens.
    const images: ImageInput[] = [IMAGES[0]!, { path: IMAGES[1]!.path, maxTiles: 2 }];
    const params = { caption: { maxNewTokens: 12 }, tags: { labels: LABELS, threshold: -1e9 } };
    const batched = await understand(model, { images, ...params });
    expect(batched.photos.map((p) => (p.ok ? p.numTiles : 0))).toEqual([1, 3]);
    for (const [i, image] of images.entries()) {
      const alone = okPhoto((await understand(model, { images: [image], ...params })).photos[0]);
      const p = okPhoto(batched.photos[i]);
      expect(p.caption?.tokenIds).toEqual(alone.caption?.tokenIds);
      p.scores.forEach((s, j) => expect(s.meanLogProb).toBeCloseTo(alone.scores[j]!.meanLogProb, 4));
    }
  }, 60_000);

  it('flags a caption that hits its token limit', async () => {
    const res = await understand(model, { images: [IMAGES[0]!], caption: { maxNewTokens: 2 } });
    const p = okPhoto(res.photos[0]);
    expect(p.caption?.tokenIds).toHaveLength(2);
    expect(p.caption?.finish).toBe('length');
    expect(p.scores).toEqual([]);
  });

  it('calibrates against the content-free image; threshold and top-k choose the tags', async () => {
    const offsets = await contentFreeOffsets(model, { labels: LABELS });
    expect(await contentFreeOffsets(model, { labels: LABELS })).toBe(offsets); // cached
    // The offsets are classify()'s scores on a mid-gray picture.
    const gray = path.join(tmp, 'gray.png');
    await sharp({
      create: { width: 448, height: 448, channels: 3, background: { r: CONTENT_FREE_GRAY, g: CONTENT_FREE_GRAY, b: CONTENT_FREE_GRAY } },
    })
      .png()
      .toFile(gray);
    const onGray = await classify(model, { image: { path: gray }, labels: LABELS, prompt: DEFAULT_TAG_PROMPT });
    onGray.forEach((s, j) => expect(offsets[j]).toBeCloseTo(s.meanLogProb, 4));

    const res = await understand(model, {
      images: [IMAGES[1]!],
      caption: false,
      tags: { labels: LABELS, offsets: 'content-free', threshold: -1e9, topK: 100 },
    });
    expect(res.calibrated).toBe(true);
    const p = okPhoto(res.photos[0]);
    expect(p.caption).toBeNull();
    p.scores.forEach((s, j) => {
      expect(s.offset).toBe(offsets[j]);
      expect(s.calibrated).toBeCloseTo(s.meanLogProb - offsets[j]!, 10);
    });
    const byScore = [...p.scores].sort((a, b) => b.calibrated - a.calibrated);
    expect(p.tags.map((t) => t.label)).toEqual(byScore.map((t) => t.label));
    // A threshold between the 3rd and 4th best keeps three; top-k 2 keeps two.
    const cut = (byScore[2]!.calibrated + byScore[3]!.calibrated) / 2;
    const offsetsList = p.scores.map((s) => s.offset);
    const three = okPhoto(
      (await understand(model, { images: [IMAGES[1]!], caption: false, tags: { labels: LABELS, offsets: offsetsList, threshold: cut } }))
        .photos[0],
    );
    expect(three.tags.map((t) => t.label)).toEqual(byScore.slice(0, 3).map((t) => t.label));
    const two = okPhoto(
      (
        await understand(model, {
          images: [IMAGES[1]!],
          caption: false,
          tags: { labels: LABELS, offsets: offsetsList, threshold: cut, topK: 2 },
        })
      ).photos[0],
    );
    expect(two.tags.map((t) => t.label)).toEqual(byScore.slice(0, 2).map((t) => t.label));
  }, 60_000);

  it('transcribes text only when asked or when a text label passes the threshold', async () => {
    const run = async (ocr: 'auto' | 'always' | 'never', threshold: number, textLabels: string[]) =>
      okPhoto(
        (
          await understand(model, {
            images: [IMAGES[0]!],
            caption: false,
            tags: { labels: LABELS, threshold, textLabels },
            ocr: { mode: ocr, maxNewTokens: 4 },
          })
        ).photos[0],
      );
    expect((await run('never', -1e9, ['document'])).text).toBeNull();
    expect((await run('auto', 1e9, ['document'])).text).toBeNull();
    expect((await run('auto', -1e9, [])).text).toBeNull();
    const triggered = await run('auto', -1e9, ['document', 'docs']);
    expect(triggered.text?.tokenIds.length).toBeGreaterThan(0);
    // The best-scoring text label is named as the trigger.
    const best = triggered.scores.filter((s) => ['document', 'docs'].includes(s.label)).sort((a, b) => b.calibrated - a.calibrated)[0];
    expect(triggered.textReason).toBe(best?.label);
    const asked = await run('always', 1e9, []);
    expect(asked.textReason).toBe('asked');
    expect(asked.text?.tokenIds).toEqual(triggered.text?.tokenIds);
  }, 60_000);

  it('fails a bad image alone and keeps the rest of the batch', async () => {
    const onePixel = path.join(tmp, '1x1.png');
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
      .png()
      .toFile(onePixel);
    const wide = path.join(tmp, 'wide.png');
    await sharp({ create: { width: 30_000, height: 4, channels: 3, background: '#336699' } })
      .png()
      .toFile(wide);
    const cmyk = path.join(tmp, 'cmyk.jpg');
    await sharp(path.join(ML, 'square.png')).toColourspace('cmyk').jpeg().toFile(cmyk);
    const deep = path.join(tmp, '16bit.png');
    await sharp(path.join(ML, 'square.png')).toColourspace('rgb16').png().toFile(deep);
    const gif = path.join(tmp, 'animated.gif');
    const frame = (c: string) =>
      sharp({ create: { width: 32, height: 32, channels: 3, background: c } })
        .raw()
        .toBuffer();
    await sharp(Buffer.concat([await frame('#ff0000'), await frame('#00ff00')]), { raw: { width: 32, height: 64, channels: 3 } })
      .gif({ loop: 0 })
      .toFile(gif);
    const images: ImageInput[] = [
      IMAGES[0]!,
      { path: 'package.json' },
      { path: path.join(tmp, 'absent.png') },
      { path: IMAGES[1]!.path, maxTiles: 1000 },
      { path: onePixel },
      { path: wide },
      { path: cmyk },
      { path: deep },
      { path: gif },
      IMAGES[1]!,
    ];
    const params = { caption: { maxNewTokens: 8 }, tags: { labels: LABELS, threshold: -1e9 } };
    const res = await understand(model, { images, ...params });
    expect(res.photos.map((p) => p.path)).toEqual(images.map((i) => i.path));
    const failed = res.photos.flatMap((p, i) => (p.ok ? [] : [[i, p.error] as const]));
    expect(failed.map(([i]) => i)).toEqual([1, 2, 3]);
    for (const [, e] of failed) expect(e.code).toBe('bad_input');
    expect(failed[0]![1].message).toMatch(/cannot decode/);
    expect(failed[1]![1].message).toMatch(/cannot read image .*ENOENT/);
    expect(failed[2]![1].message).toMatch(/tiles/);
    // Odd but decodable images (1×1, 30,000 px wide, CMYK, 16-bit, animated) are understood.
    for (const i of [4, 5, 6, 7, 8]) expect(okPhoto(res.photos[i]).caption?.tokenIds.length).toBeGreaterThan(0);
    // The good photos are untouched by their failing neighbours.
    const clean = await understand(model, { images: [IMAGES[0]!, IMAGES[1]!], ...params });
    expect(okPhoto(res.photos[0]).caption).toEqual(okPhoto(clean.photos[0]).caption);
    expect(okPhoto(res.photos[9]).caption).toEqual(okPhoto(clean.photos[1]).caption);
    // A batch of nothing but bad images is a result, not an error.
    const none = await understand(model, { images: [{ path: 'package.json' }], ...params });
    expect(none.photos[0]?.ok).toBe(false);
  }, 60_000);
});
