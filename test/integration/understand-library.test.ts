/**
 * @file Issue 8's understanding step end to end, with real processes: sample photos are indexed, the
 * committed tiny random-weight bundle runs in the inference worker (demo mode), and every still photo
 * gets a state, a caption row and tag scores made by that model. The worker is killed mid-run: nothing
 * is lost or doubled. Another model is selected: every photo is queued again for it, the old results
 * stay visible (marked not current) until the new ones replace them. The CLI's `understand` command
 * runs the step from a terminal.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobsStatus, PhotoUnderstanding } from '../../preload/contract';
import { forkSpawner } from '../../main/inference/worker-client';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';

const tiny = join(import.meta.dirname, '../fixtures/models/tiny-internvl');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const PHOTOS = ['coffee.png', 'food/fruits.jpg', 'food/orange.jpg', 'animals/butterfly.jpg', 'places/home.jpg', 'pets/chelsea.jpg'];

let services: Services;
let dataDir: string;
let work: string;
const pids: (number | undefined)[] = [];
const env = { ...process.env, SHOEBOX_WORKER_TEST_HOOKS: '1', SHOEBOX_EP: 'cpu' };

beforeAll(async () => {
  process.env['SHOEBOX_DEMO_MODEL'] = '1';
  work = mkdtempSync(join(tmpdir(), 'shoebox-understand-'));
  for (const p of PHOTOS) cpSync(join(sample, p), join(work, 'photos', p));
  dataDir = join(work, 'data');
  const spawn = forkSpawner(env);
  services = await createServices({
    dataDir,
    shell: 'headless',
    log: silentLog,
    spawnWorker: () => {
      const proc = spawn();
      pids.push(proc.pid);
      return proc;
    },
  });
}, 60_000);

afterAll(async () => {
  await services?.close();
});

const call = async <T>(method: string, args: unknown): Promise<T> => {
  const r = await services.router.call(method, args);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
};
const count = (sql: string) => services.db.prepare(sql).pluck().get() as number;

describe('understanding a library with the tiny InternVL', () => {
  it('before a model: the step waits with the reason, photos are indexed anyway', async () => {
    await services.library.addFolder(join(work, 'photos'));
    await services.library.whenIdle();
    const status = await call<JobsStatus>('jobs:status', {});
    const row = status.steps.find((s) => s.step === 'understand')!;
    expect(row).toMatchObject({ pending: PHOTOS.length, done: 0 });
    expect(row.blockedReason).toMatch(/No model is selected/);
    expect(status.photos).toBe(PHOTOS.length);
  });

  it('understands every photo once, surviving a worker killed mid-run', async () => {
    await services.models.import(tiny);
    let killed = false;
    const off = services.events.on('photos:understandingChanged', () => {
      if (killed) return;
      killed = true;
      // Lands in the next batch (or between two): the client re-sends the idempotent call to a fresh worker.
      setTimeout(() => process.kill(pids.at(-1)!, 'SIGKILL'), 20);
    });
    await call('models:select', { id: 'tiny-internvl' });
    await services.library.whenIdle();
    off();
    expect(killed).toBe(true);
    expect(pids.length).toBeGreaterThanOrEqual(2);

    const ids = services.library.page({ offset: 0, limit: 100 }).items.map((p) => p.id);
    expect(ids).toHaveLength(PHOTOS.length);
    for (const id of ids) {
      const u = await call<PhotoUnderstanding>('photos:understanding', { id });
      expect(u.job?.state, JSON.stringify(u.job)).toBe('done');
      expect(['ok', 'empty', 'runaway']).toContain(u.result?.state);
      expect(u.result).toMatchObject({
        current: true,
        demo: true,
        madeBy: { modelId: 'tiny-internvl', variant: 'fp32', version: 'understand:1:tiny-internvl:fp32' },
      });
      expect(u.caption).toMatchObject({ byUser: false, madeBy: { modelId: 'tiny-internvl' } });
      for (const t of u.tags) {
        expect(t.score).toBeGreaterThanOrEqual(0); // calibrated: at least as likely as on a gray tile
        expect(Number.isFinite(t.rawScore)).toBe(true);
      }
    }
    // One row per photo everywhere: nothing doubled by the retry.
    expect(count('SELECT count(*) FROM photo_understanding')).toBe(PHOTOS.length);
    expect(count('SELECT count(*) FROM photo_captions')).toBe(PHOTOS.length);
    expect(count("SELECT count(*) FROM photo_tags WHERE source = 'model'")).toBeGreaterThan(0);
    expect(count("SELECT count(*) FROM jobs WHERE step = 'understand' AND state = 'done'")).toBe(PHOTOS.length);

    const row = (await call<JobsStatus>('jobs:status', {})).steps.find((s) => s.step === 'understand')!;
    expect(row).toMatchObject({ done: PHOTOS.length, pending: 0, detail: 'CPU · fp32', blockedReason: null });
    expect(row.secondsPerItem).toBeGreaterThan(0);
  }, 240_000);

  it('a user edit survives a re-run; redo clears only the model results', async () => {
    const id = services.library.page({ offset: 0, limit: 1 }).items[0]!.id;
    await call('photos:setCaption', { id, text: 'My favourite mug' });
    await call('photos:addTag', { id, label: 'mug' });
    expect(await call('photos:redoUnderstanding', { ids: [id] })).toEqual({ requeued: 1 });
    await services.library.whenIdle();
    const u = await call<PhotoUnderstanding>('photos:understanding', { id });
    expect(u.caption).toMatchObject({ text: 'My favourite mug', byUser: true });
    expect(u.tags.some((t) => t.label === 'mug' && t.source === 'user')).toBe(true);
    expect(u.result?.state).toBeDefined();
    expect(await services.router.call('photos:setCaption', { id, text: 'x'.repeat(3000) })).toMatchObject({
      ok: false,
      error: { code: 'bad-argument' },
    });
    expect(await services.router.call('photos:removeTag', { id: -1, labelId: 1 })).toMatchObject({
      ok: false,
      error: { code: 'bad-argument' },
    });
  }, 120_000);

  it('another model re-queues every photo; old results stay visible until replaced', async () => {
    // The same tiny bundle installed under a second id, int8 only.
    const copy = join(work, 'tiny-b');
    cpSync(tiny, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as { id: string };
    manifest.id = 'tiny-internvl-b';
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
    await services.models.import(copy, { variants: ['int8'] });
    await services.library.whenIdle();
    services.library.pause();
    await call('models:select', { id: 'tiny-internvl-b' });
    expect(
      count(
        "SELECT count(*) FROM jobs WHERE step = 'understand' AND state = 'pending' AND pipeline_version = 'understand:1:tiny-internvl-b:int8'",
      ),
    ).toBe(PHOTOS.length);
    const id = services.library.page({ offset: 0, limit: 1 }).items[0]!.id;
    const before = await call<PhotoUnderstanding>('photos:understanding', { id });
    expect(before.result).toMatchObject({ current: false, madeBy: { modelId: 'tiny-internvl' } });
    services.library.resume();
    await services.library.whenIdle();
    expect(count("SELECT count(*) FROM photo_understanding WHERE model_id = 'tiny-internvl-b' AND variant = 'int8'")).toBe(PHOTOS.length);
    expect(count("SELECT count(*) FROM photo_captions WHERE by_user = 0 AND model_id <> 'tiny-internvl-b'")).toBe(0);
    const row = (await call<JobsStatus>('jobs:status', {})).steps.find((s) => s.step === 'understand')!;
    expect(row.detail).toBe('CPU · int8');
  }, 240_000);

  it('`shoebox understand` runs the step from a terminal', async () => {
    await call('photos:redoUnderstanding', { ids: services.library.page({ offset: 0, limit: 2 }).items.map((p) => p.id) });
    await services.close(); // one process at a time on the data folder's queue
    const cli = join(import.meta.dirname, '../../main/cli/index.ts');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', cli, '--data-dir', dataDir, 'understand', '--limit', '5', '--json'],
        { env: { ...env, SHOEBOX_DEMO_MODEL: '1' }, timeout: 120_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const r = JSON.parse(out) as {
      photos: { outcome: string; understanding: PhotoUnderstanding }[];
      summary: { done: number; model: { id: string } };
    };
    expect(r.summary).toMatchObject({ done: 2, model: { id: 'tiny-internvl-b' } });
    expect(r.photos.every((p) => p.outcome === 'done' && p.understanding.result?.madeBy.modelId === 'tiny-internvl-b')).toBe(true);
  }, 180_000);
});
