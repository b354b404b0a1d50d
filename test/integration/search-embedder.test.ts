/**
 * @file Issue 9's dense half end to end, with real processes: the sample photos are indexed and search
 * says it matches words only; the committed tiny InternVL and tiny text embedder are imported (demo
 * mode), understanding captions the photos, the embed step embeds each description through the worker's
 * `text-embedder` role, and search becomes hybrid, every understood photo embedded by that model.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobsStatus, SearchResult } from '../../preload/contract';
import { forkSpawner } from '../../main/inference/worker-client';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';

const fixtures = join(import.meta.dirname, '../fixtures/models');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const PHOTOS = ['coffee.png', 'food/fruits.jpg', 'animals/butterfly.jpg', 'pets/chelsea.jpg'];

let services: Services;
let work: string;
const demoBefore = process.env['SHOEBOX_DEMO_MODEL'];

beforeAll(async () => {
  process.env['SHOEBOX_DEMO_MODEL'] = '1';
  work = mkdtempSync(join(tmpdir(), 'shoebox-search-embedder-'));
  for (const p of PHOTOS) cpSync(join(sample, p), join(work, 'photos', p));
  services = await createServices({
    dataDir: join(work, 'data'),
    shell: 'headless',
    log: silentLog,
    spawnWorker: forkSpawner({ ...process.env, SHOEBOX_EP: 'cpu' }),
  });
}, 60_000);

afterAll(async () => {
  await services?.close();
  if (demoBefore === undefined) delete process.env['SHOEBOX_DEMO_MODEL'];
  else process.env['SHOEBOX_DEMO_MODEL'] = demoBefore;
});

const call = async <T>(method: string, args: unknown): Promise<T> => {
  const r = await services.router.call(method, args);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
};
const count = (sql: string) => services.db.prepare(sql).pluck().get() as number;

describe('search with the tiny text embedder', () => {
  it('without an embedder: words only, said plainly, and the embed step waits with the reason', async () => {
    await services.library.addFolder(join(work, 'photos'));
    await services.library.whenIdle();
    const r = await call<SearchResult>('search:query', { text: 'fruits' });
    expect(r.mode).toBe('lexical');
    expect(r.notice).toMatch(/text embedder/i);
    expect(r.items.map((i) => i.name)).toContain('fruits.jpg');
    expect(services.inference.activeEmbedder()).toBeNull();
    const status = await call<JobsStatus>('jobs:status', {});
    const embed = status.steps.find((s) => s.step === 'embed');
    // No description yet, so nothing is queued; the step names why it could not run anyway.
    if (embed) expect(embed.blockedReason ?? '').toMatch(/text embedder/i);
  });

  it('imports the tiny embedder (demo mode) and embeds a query in the worker', async () => {
    await services.models.import(join(fixtures, 'tiny-embedder'));
    expect(services.inference.activeEmbedder()).toEqual({ id: 'tiny-embedder' });
    const r = await services.inference.embed({ texts: ['a cat on the sofa'], kind: 'query' });
    expect(r.modelId).toBe('tiny-embedder');
    expect(r.vectors).toHaveLength(1);
    expect(r.vectors[0]).toHaveLength(r.dim);
    const norm = Math.hypot(...r.vectors[0]!);
    expect(norm).toBeCloseTo(1, 4);
  }, 60_000);

  it('embeds every understood photo and answers searches in hybrid mode', async () => {
    await services.models.import(join(fixtures, 'tiny-internvl'));
    await call('models:select', { id: 'tiny-internvl' });
    await services.library.whenIdle();
    const understood = count('SELECT count(DISTINCT photo_id) FROM photo_captions');
    expect(understood).toBeGreaterThan(0);
    expect(count("SELECT count(*) FROM photo_embeddings WHERE model_id = 'tiny-embedder'")).toBe(understood);
    const caption = services.db.prepare('SELECT text FROM photo_captions LIMIT 1').pluck().get() as string;
    const word = caption.split(/\s+/).find((w) => /^\p{L}{3,}$/u.test(w)) ?? 'photo';
    const r = await call<SearchResult>('search:query', { text: word });
    expect(r.mode).toBe('hybrid');
    expect(r.coverage.embedded).toBe(understood);
    expect(r.notice ?? '').not.toMatch(/words only/i);
  }, 240_000);
});
