/**
 * @file Issue 13's fallback with real processes: a local model (the committed tiny random-weight
 * bundle, demo mode) and a remote backend. With the backend up, photos go to it (recorded at the local
 * model's step version: [Note: Remote backends are a transport]); when it dies mid-run the local
 * worker takes over (remote.fallbackLocal), and each photo is understood once, by one or the other.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoUnderstanding } from '../../preload/contract';
import type { Services } from '../../main/services';
import type { TestServer } from './helpers/openai-test-server';
import { SAMPLE_LIBRARY } from './helpers/library-harness';
import { startRemoteAndTiny, until } from './helpers/remote-tiny';

const PHOTOS = ['food/fruits.jpg', 'food/orange.jpg', 'animals/butterfly.jpg', 'pets/chelsea.jpg'];
const MODEL = 'OpenGVLab/InternVL3-2B';
let services: Services;
let server: TestServer;
let work: string;

const count = (sql: string) => services.db.prepare(sql).pluck().get() as number;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shoebox-remote-fallback-'));
  for (const p of PHOTOS) cpSync(join(SAMPLE_LIBRARY, p), join(work, 'photos', p));
  ({ services, server } = await startRemoteAndTiny(join(work, 'data'), MODEL));
}, 120_000);

afterAll(async () => {
  await services?.close();
  await server?.close();
});

const understanding = async (id: number) => {
  const r = await services.router.call('photos:understanding', { id });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.result as PhotoUnderstanding;
};

describe('the local worker as the fallback of a remote backend', () => {
  it("photos go to the backend while it answers, at the local model's step version", async () => {
    await services.library.addFolder(join(work, 'photos'));
    await until(
      'every photo understood',
      () => count("SELECT count(*) FROM jobs WHERE step = 'understand' AND state = 'done'") === PHOTOS.length,
    );
    const host = new URL(server.url).host;
    for (const p of services.library.page({ offset: 0, limit: 10 }).items) {
      const u = await understanding(p.id);
      expect(u.result).toMatchObject({
        current: true,
        madeBy: { modelId: `remote:${MODEL}@${host}`, variant: 'remote', version: 'understand:1:tiny-internvl:fp32' },
      });
    }
  }, 120_000);

  it('the backend dies: the local worker takes over, each photo understood once', async () => {
    const ids = services.library.page({ offset: 0, limit: 10 }).items.map((p) => p.id);
    await server.close();
    const r = await services.router.call('photos:redoUnderstanding', { ids });
    expect(r.ok).toBe(true);
    await until(
      'every photo understood again',
      () => count("SELECT count(*) FROM jobs WHERE step = 'understand' AND state = 'done'") === PHOTOS.length,
      200_000,
    );
    for (const id of ids) {
      const u = await understanding(id);
      expect(u.result).toMatchObject({ current: true, demo: true, madeBy: { modelId: 'tiny-internvl', variant: 'fp32' } });
    }
    expect(count('SELECT count(*) FROM photo_understanding')).toBe(PHOTOS.length);
    expect(count("SELECT count(*) FROM jobs WHERE step = 'understand' AND state LIKE 'failed%'")).toBe(0);
  }, 240_000);
});
