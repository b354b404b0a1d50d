/**
 * @file The TypeScript engine against the PyTorch reference on the tiny bundle
 * (`test/fixtures/goldens/`, made by `native/export/make_goldens.py`), for every fixture image
 * (square, 4:3, 3:2, 16:9, tall, tiny, huge).
 *
 * Tolerances (stated here; a golden may only tighten them):
 * - tile grid and tile count: identical;
 * - tiles (uint8, vs `<name>.tiles.png`): ±1 per channel, and the exact-match rate is reported
 *   (it is 100 % with the Pillow port); where the PNG is not committed, every tile's sha256 must
 *   equal the reference's (exact);
 * - pixel values: per-channel means within 1e-5 of the reference;
 * - image features: max |Δ| ≤ 1e-3;
 * - prompt input_ids: identical;
 * - first-step logits: max |Δ| ≤ 1e-3;
 * - 32-token greedy continuation: identical ids.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caption } from '../../native/pipelines/caption';
import { prefill } from '../../native/pipelines/generate';
import { prepareImageFile } from '../../native/preprocess/image-input';
import { decodeNpyFloat32 } from '../../native/preprocess/normalize';
import { firstTurnIds } from '../../native/preprocess/prompt';
import { InternVLModel } from '../../native/runtime/internvl-model';

const GOLDENS = 'test/fixtures/goldens';
const IMAGES = 'test/fixtures/images/ml';
const MAX = { tiles_u8: 1, pixel_mean: 1e-5, features: 1e-3, first_logits: 1e-3 };

interface Golden {
  image: string;
  max_tiles: number;
  grid: { cols: number; rows: number };
  num_tiles: number;
  question: string;
  system_message: string | null;
  input_ids: number[];
  pixel_values_mean?: number[];
  tiles_png?: boolean;
  tiles_sha256?: string[];
  features_shape: number[];
  first_logits: number[];
  greedy_ids: number[];
  max_new_tokens?: number;
  tolerances?: { features_max_abs?: number; first_logits_max_abs?: number; tiles_u8_max_abs?: number };
}

const index = JSON.parse(readFileSync(path.join(GOLDENS, 'index.json'), 'utf8')) as {
  model: string;
  variant: string;
  cases: { name: string }[];
};
let model: InternVLModel;

beforeAll(async () => {
  model = await InternVLModel.load(index.model, { variant: index.variant, executionProviders: ['cpu'] });
});
afterAll(async () => {
  await model.release();
});

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('goldens: TypeScript engine vs PyTorch reference (tiny bundle)', () => {
  it('covers the fixture shapes', () => {
    expect(index.cases.length).toBeGreaterThanOrEqual(7);
  });

  for (const { name } of index.cases) {
    it(`${name}: grid, tiles, pixels, features, ids, logits, greedy`, async () => {
      const g = JSON.parse(readFileSync(path.join(GOLDENS, `${name}.json`), 'utf8')) as Golden;
      const tol = {
        tiles: Math.min(MAX.tiles_u8, g.tolerances?.tiles_u8_max_abs ?? MAX.tiles_u8),
        features: Math.min(MAX.features, g.tolerances?.features_max_abs ?? MAX.features),
        logits: Math.min(MAX.first_logits, g.tolerances?.first_logits_max_abs ?? MAX.first_logits),
      };
      const prep = await prepareImageFile(path.join(IMAGES, g.image), model.manifest.image, g.max_tiles);
      expect(prep.grid).toEqual(g.grid);
      expect(prep.pixelValues.dims[0]).toBe(g.num_tiles);

      // Tiles vs Pillow's: pixel by pixel against <name>.tiles.png where it is committed, else by
      // the sha256 of each tile's uint8 bytes (exact) that the golden records.
      const tilesPng = path.join(GOLDENS, `${name}.tiles.png`);
      if (g.tiles_png === true || existsSync(tilesPng)) {
        const ref = await sharp(tilesPng).raw().toBuffer({ resolveWithObject: true });
        expect([ref.info.width, ref.info.height, ref.info.channels]).toEqual([448, 448 * g.num_tiles, 3]);
        const mine = Buffer.concat(prep.tiles.map((t) => Buffer.from(t.data)));
        let exact = 0;
        let worst = 0;
        for (let i = 0; i < mine.length; i++) {
          const d = Math.abs(mine[i]! - ref.data[i]!);
          if (d === 0) exact++;
          worst = Math.max(worst, d);
        }
        console.log(`${name}: tiles exact-match rate ${((100 * exact) / mine.length).toFixed(4)} %, max |Δ| ${worst}`);
        expect(worst).toBeLessThanOrEqual(tol.tiles);
      } else {
        expect(g.tiles_sha256).toHaveLength(g.num_tiles);
        const hashes = prep.tiles.map((t) => createHash('sha256').update(t.data).digest('hex'));
        expect(hashes).toEqual(g.tiles_sha256);
        console.log(`${name}: tiles identical to Pillow's (sha256 of every tile)`);
      }

      // Pixel values: per-channel mean.
      if (g.pixel_values_mean !== undefined) {
        const px = prep.pixelValues;
        const plane = 448 * 448;
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let t = 0; t < px.dims[0]; t++) for (let i = 0; i < plane; i++) s += px.data[(t * 3 + c) * plane + i]!;
          expect(Math.abs(s / (plane * px.dims[0]) - g.pixel_values_mean[c]!)).toBeLessThan(MAX.pixel_mean);
        }
      }

      // Image features.
      const feats = await model.encodeImages(prep.pixelValues);
      const refFeats = decodeNpyFloat32(readFileSync(path.join(GOLDENS, `${name}.features.npy`)));
      expect(refFeats.shape).toEqual(g.features_shape);
      const fd = maxAbs(feats, refFeats.data);
      expect(fd).toBeLessThanOrEqual(tol.features);

      // Prompt ids.
      const ids = firstTurnIds(
        model.tokenizer,
        { question: g.question, tilesPerImage: [g.num_tiles], systemMessage: g.system_message },
        model.manifest.tokens,
        model.manifest.image.num_image_token,
      );
      expect(ids).toEqual(g.input_ids);

      // First-step logits.
      const state = await prefill(model, ids, feats, null);
      const ld = maxAbs(state.lastLogits, g.first_logits);
      expect(ld).toBeLessThanOrEqual(tol.logits);
      console.log(`${name}: features max |Δ| ${fd.toExponential(2)}, first logits max |Δ| ${ld.toExponential(2)}`);

      // Greedy continuation through the caption pipeline (end to end from the file).
      const out = await caption(model, {
        image: { path: path.join(IMAGES, g.image), maxTiles: g.max_tiles },
        prompt: g.question,
        sampling: { maxNewTokens: g.max_new_tokens ?? 32 },
      });
      expect(out.tokenIds).toEqual(g.greedy_ids);
    }, 60_000);
  }
});
