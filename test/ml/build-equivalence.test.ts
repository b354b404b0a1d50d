/**
 * @file Proof that the bundle Shoebox builds in Node from a hub checkpoint behaves exactly like
 * export.py's bundle of the same weights. The tiny checkpoint of test/fixtures/checkpoints/tiny-internvl
 * (the fixture bundle's seed-4 weights in OpenGVLab's original layout: F32 safetensors in two shards
 * with an index, the slow Qwen2 tokenizer files with InternVL's added tokens) is served by the local
 * hub of test/integration/helpers/hub-fixture.ts under InternVL3-1B's catalog repository and revision;
 * the model manager downloads it through the tree API, resolve URLs, the CDN redirect and Range, and
 * builds it with the tiny graphs of test/fixtures/graphs. Then, through the engine:
 * - every variant (fp32, int8, q4, fp16) gives first-step logits within 1e-4 of the fixture bundle's
 *   (test/fixtures/models/tiny-internvl, made by export.py) and the same greedy ids;
 * - the fp32 build passes the goldens of test/fixtures/goldens (PyTorch reference) with their tolerances.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/db/open';
import { silentLog } from '../../main/log';
import { catalogEntry } from '../../main/models/catalog';
import { createModelManager } from '../../main/models/manager';
import { caption } from '../../native/pipelines/caption';
import { prefill } from '../../native/pipelines/generate';
import { prepareImageFile } from '../../native/preprocess/image-input';
import { firstTurnIds } from '../../native/preprocess/prompt';
import { InternVLModel } from '../../native/runtime/internvl-model';
import { startFakeHub, type FakeHub, type HubFile } from '../integration/helpers/hub-fixture';
import { firstLogits } from './helpers/first-logits';

const FIXTURE = 'test/fixtures/models/tiny-internvl';
const CHECKPOINT = 'test/fixtures/checkpoints/tiny-internvl';
const GOLDENS = 'test/fixtures/goldens';
const IMAGES = 'test/fixtures/images/ml';
const VARIANTS = ['fp32', 'int8', 'q4', 'fp16'];

let tmp: string;
let hub: FakeHub;
let db: Db;
let built: string;
let cdnRequests = 0;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-build-eq-'));
  const source = catalogEntry('internvl3-1b')!.hub![0]!;
  const files = new Map<string, HubFile>();
  for (const name of readdirSync(CHECKPOINT)) {
    if (name === 'expected.json') continue; // a test artefact, not part of the hub layout
    files.set(name, { bytes: readFileSync(path.join(CHECKPOINT, name)), lfs: name.endsWith('.safetensors') });
  }
  hub = await startFakeHub([{ repo: source.repo, revision: source.revision!, files }], { pageSize: 4 });
  db = openDatabase(':memory:');
  const m = createModelManager({
    db,
    paths: { modelsDir: path.join(tmp, 'models') },
    log: silentLog,
    emit: () => {},
    env: {},
    hub: { endpoint: hub.endpoint },
    build: { graphsDir: 'test/fixtures/graphs' },
    download: { retries: 1, retryDelayMs: 5, progressIntervalMs: 0 },
  });
  m.download('internvl3-1b', { variants: VARIANTS });
  await m.waitForDownload('internvl3-1b');
  built = path.join(tmp, 'models', 'internvl3-1b');
  cdnRequests = hub.cdn.requests.length;
  expect(m.get('internvl3-1b')).toMatchObject({ installed: true });
}, 60_000);

afterAll(async () => {
  db?.close();
  await hub?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a bundle built in Node from a hub checkpoint equals export.py', () => {
  it('was downloaded through the hub (redirected to the CDN) and its checkpoint removed after the build', () => {
    expect(cdnRequests).toBeGreaterThanOrEqual(2); // both shards came from the CDN
    expect(hub.requests.some((r) => r.url.includes('/api/models/OpenGVLab/InternVL3-1B/tree/'))).toBe(true);
    expect(existsSync(path.join(tmp, 'models', '.checkpoints', 'internvl3-1b'))).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(built, 'manifest.json'), 'utf8')) as { variants: object; source: string };
    expect(Object.keys(manifest.variants)).toEqual(VARIANTS);
    expect(manifest.source).toMatch(/^OpenGVLab\/InternVL3-1B@[0-9a-f]{40}$/);
  });

  for (const variant of VARIANTS) {
    it(`${variant}: first logits within 1e-4 of export.py's bundle, same greedy ids`, async () => {
      const mine = await firstLogits(built, variant);
      const ref = await firstLogits(FIXTURE, variant);
      expect(mine.length).toBe(ref.length);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(mine[i]! - ref[i]!));
      expect(worst).toBeLessThanOrEqual(1e-4);
      const ids: number[][] = [];
      for (const dir of [built, FIXTURE]) {
        const model = await InternVLModel.load(dir, { variant, executionProviders: ['cpu'] });
        try {
          const out = await caption(model, {
            image: { path: path.join(IMAGES, 'ratio-4x3.png'), maxTiles: 6 },
            prompt: 'Describe the photo.',
            sampling: { maxNewTokens: 16 },
          });
          ids.push(out.tokenIds);
        } finally {
          await model.release();
        }
      }
      expect(ids[0]!.length).toBeGreaterThan(0);
      expect(ids[0]).toEqual(ids[1]);
      console.log(`${variant}: first logits max |Δ| ${worst.toExponential(2)} to export.py's bundle; ${ids[0]!.length} greedy ids equal`);
    }, 60_000);
  }

  it('passes the tiny goldens (fp32)', async () => {
    const index = JSON.parse(readFileSync(path.join(GOLDENS, 'index.json'), 'utf8')) as { cases: { name: string }[] };
    const model = await InternVLModel.load(built, { variant: 'fp32', executionProviders: ['cpu'] });
    try {
      for (const { name } of index.cases) {
        const g = JSON.parse(readFileSync(path.join(GOLDENS, `${name}.json`), 'utf8')) as {
          image: string;
          max_tiles: number;
          question: string;
          system_message: string | null;
          num_tiles: number;
          input_ids: number[];
          first_logits: number[];
          greedy_ids: number[];
          max_new_tokens?: number;
        };
        const prep = await prepareImageFile(path.join(IMAGES, g.image), model.manifest.image, g.max_tiles);
        const feats = await model.encodeImages(prep.pixelValues);
        const ids = firstTurnIds(
          model.tokenizer,
          { question: g.question, tilesPerImage: [g.num_tiles], systemMessage: g.system_message },
          model.manifest.tokens,
          model.manifest.image.num_image_token,
        );
        expect(ids, name).toEqual(g.input_ids);
        const state = await prefill(model, ids, feats, null);
        let worst = 0;
        for (let i = 0; i < g.first_logits.length; i++) worst = Math.max(worst, Math.abs(state.lastLogits[i]! - g.first_logits[i]!));
        expect(worst, name).toBeLessThanOrEqual(1e-3);
        const out = await caption(model, {
          image: { path: path.join(IMAGES, g.image), maxTiles: g.max_tiles },
          prompt: g.question,
          sampling: { maxNewTokens: g.max_new_tokens ?? 32 },
        });
        expect(out.tokenIds, name).toEqual(g.greedy_ids);
      }
    } finally {
      await model.release();
    }
  }, 180_000);
});
