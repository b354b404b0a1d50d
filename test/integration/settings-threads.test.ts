/**
 * @file `understanding.backgroundThreads` reaches the real inference worker: after `settings:set` the
 * worker is replaced and onnxruntime's thread count, as the worker itself reports it (doctor), is the
 * setting's; 'auto' gives back the machine's sizing. See [Note: Changing the worker's threads].
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import type { DoctorReport } from '../../preload/contract';

let work: string;
let services: Services;
const saved = process.env['SHOEBOX_THREADS'];

beforeAll(async () => {
  delete process.env['SHOEBOX_THREADS'];
  work = mkdtempSync(join(tmpdir(), 'shoebox-threads-'));
  services = await createServices({ dataDir: join(work, 'data'), shell: 'headless', log: silentLog, startLibrary: false });
});
afterAll(async () => {
  await services?.close();
  rmSync(work, { recursive: true, force: true });
  if (saved !== undefined) process.env['SHOEBOX_THREADS'] = saved;
});

/** The worker's own report of its onnxruntime threads. */
async function workerThreads(): Promise<string> {
  const r = await services.router.call('system:doctor', {});
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const check = (r.result as DoctorReport).checks.find((c) => c.name === 'inference worker');
  return check?.detail.replace(/^pid \d+, /, '') ?? 'no worker';
}

describe('background threads setting', () => {
  it('restarts the worker with the chosen thread count, and back to the machine sizing for auto', async () => {
    const cores = availableParallelism();
    expect(await workerThreads()).toBe(`${cores} onnxruntime threads`);
    const set = await services.router.call('settings:set', { patch: { understanding: { backgroundThreads: 1 } } });
    expect(set.ok).toBe(true);
    expect(await workerThreads()).toBe('1 onnxruntime threads');
    await services.router.call('settings:set', { patch: { understanding: { backgroundThreads: 'auto' } } });
    expect(await workerThreads()).toBe(`${cores} onnxruntime threads`);

    const tooMany = await services.router.call('settings:set', { patch: { understanding: { backgroundThreads: cores + 1 } } });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    const badShape = await services.router.call('settings:set', { patch: { understanding: { threads: 2 } } });
    expect(badShape).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
  });
});
