/**
 * The whole path from the API to InternVL and back, with real processes: a folder is indexed, the
 * committed tiny random-weight bundle is imported and selected in demo mode, and `photos:describe`
 * runs the real inference worker on the photo, streams `inference:text` events and labels the result
 * as demo output. Without demo mode (or without a model) the request says why and points to the Models page.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DescribeResult, PhotoPage } from '../../preload/contract';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';

const tiny = join(import.meta.dirname, '../fixtures/models/tiny-internvl');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const opened: Services[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

async function libraryWithPhotos(): Promise<{ services: Services; photoId: number }> {
  const data = mkdtempSync(join(tmpdir(), 'shoebox-describe-'));
  const photos = join(data, 'photos');
  cpSync(join(sample, 'coffee.png'), join(photos, 'coffee.png'), { recursive: true });
  const services = await createServices({ dataDir: join(data, 'data'), shell: 'headless', log: silentLog });
  opened.push(services);
  await services.library.addFolder(photos);
  await services.library.whenIdle();
  const page = (await services.router.call('photos:page', { offset: 0, limit: 10 })) as { ok: true; result: PhotoPage };
  const photoId = page.result.items[0]!.id;
  return { services, photoId };
}

describe('photos:describe', () => {
  it('without a model: unavailable, pointing to the Models page', async () => {
    delete process.env['SHOEBOX_DEMO_MODEL'];
    const { services, photoId } = await libraryWithPhotos();
    const r = await services.router.call('photos:describe', { id: photoId });
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    if (!r.ok) expect(r.error.message).toMatch(/Models page/);
  });

  it('in demo mode: runs the tiny InternVL in the worker, streams text, labels it demo', async () => {
    process.env['SHOEBOX_DEMO_MODEL'] = '1';
    const { services, photoId } = await libraryWithPhotos();
    await services.models.import(tiny);
    const selected = await services.router.call('models:select', { id: 'tiny-internvl' });
    expect(selected.ok).toBe(true);

    const streamed: string[] = [];
    const off = services.events.on('inference:text', (e) => {
      if (e.requestId === 'req-1') streamed.push(e.text);
    });
    const r = await services.router.call('photos:describe', { id: photoId, requestId: 'req-1' });
    off();
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const result = (r as { ok: true; result: DescribeResult }).result;
    expect(result).toMatchObject({ requestId: 'req-1', modelId: 'tiny-internvl', demo: true });
    expect(result.numTiles).toBeGreaterThanOrEqual(1);
    expect(['stop', 'length']).toContain(result.finishReason);
    // What streamed is exactly what came back.
    expect(streamed.join('')).toBe(result.text);

    // Unknown photos and bad arguments are typed errors; cancelling an unknown request is a no-op.
    expect(await services.router.call('photos:describe', { id: 999_999 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await services.router.call('photos:describe', { id: photoId, prompt: '' })).toMatchObject({
      ok: false,
      error: { code: 'bad-argument' },
    });
    expect(await services.router.call('inference:cancel', { requestId: 'nope' })).toEqual({ ok: true, result: { cancelled: false } });
  });
});
