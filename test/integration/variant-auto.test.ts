/**
 * @file [Note: Which variant runs] with real processes: a copy of the tiny bundle flagged as real weights
 * (`random_weights: false`; the manifest is not among the files the manager pins) runs int8 in the
 * worker under `understanding.variant` 'auto' on the CPU, and its results say so; setting fp32 queues
 * the photo again (a new variant is a new maker, as a new model is) and the worker loads fp32.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkSpawner } from '../../main/inference/worker-client';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';

const tiny = join(import.meta.dirname, '../fixtures/models/tiny-internvl');
const photo = join(import.meta.dirname, '../../assets/sample-library/coffee.png');
const ID = 'tiny-internvl-real';

let services: Services;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shoebox-variant-'));
  cpSync(photo, join(work, 'photos', 'coffee.png'));
  const copy = join(work, 'bundle');
  cpSync(tiny, copy, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, id: ID, random_weights: false }));
  services = await createServices({
    dataDir: join(work, 'data'),
    shell: 'headless',
    log: silentLog,
    spawnWorker: forkSpawner({ ...process.env, SHOEBOX_EP: 'cpu' }),
  });
  await services.models.import(copy);
  services.models.select(ID);
}, 60_000);

afterAll(async () => {
  await services?.close();
});

const made = () =>
  services.db.prepare('SELECT model_id AS modelId, variant FROM photo_understanding').all() as { modelId: string; variant: string }[];

describe('the variant the app runs', () => {
  it("'auto' runs int8 on the CPU for a real-weights bundle; fp32 when set, queueing the photo again", async () => {
    expect(services.settings.values().understanding.variant).toBe('auto');
    expect(services.inference.activeModel()).toMatchObject({ id: ID, variant: 'int8', demo: false });
    await services.library.addFolder(join(work, 'photos'));
    await services.library.whenIdle();
    expect(made()).toEqual([{ modelId: ID, variant: 'int8' }]);
    expect(services.inference.loadedModel()).toMatchObject({ id: ID, variant: 'int8', provider: 'cpu' });

    services.settings.set({ understanding: { variant: 'fp32' } });
    expect(services.inference.activeModel()).toMatchObject({ id: ID, variant: 'fp32' });
    await services.library.whenIdle();
    expect(made()).toEqual([{ modelId: ID, variant: 'fp32' }]);
    expect(services.inference.loadedModel()).toMatchObject({ id: ID, variant: 'fp32', provider: 'cpu' });
    const version = services.db.prepare("SELECT pipeline_version FROM jobs WHERE step = 'understand'").pluck().all();
    expect(version).toEqual([`understand:1:${ID}:fp32`]);
  }, 120_000);
});
