/**
 * @file Measured variant memory with real processes ([Note: Worker memory reports] in native/protocol.ts,
 * [Note: Measured memory is kept beside the bundle] in main/inference/variant-memory.ts): the committed
 * tiny bundle is imported and selected in demo mode, a photo is described by the real inference worker,
 * and the worker's resident set it reported is recorded beside the bundle, shows in the model's DTO as
 * measured (the variants that never ran keep the labelled estimate), agrees with what the OS says of the
 * worker, and is still there after a restart.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ModelVariantCost } from '../../preload/contract';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';

const tiny = join(import.meta.dirname, '../fixtures/models/tiny-internvl');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const opened: Services[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
  delete process.env['SHOEBOX_DEMO_MODEL'];
});

async function open(dataDir: string): Promise<Services> {
  const s = await createServices({ dataDir, shell: 'headless', log: silentLog });
  opened.push(s);
  return s;
}

/** The worker's resident set as the OS reports it (Linux), in bytes; null elsewhere. */
function osRss(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

const memoryOf = (s: Services): Record<string, ModelVariantCost['memory']> =>
  Object.fromEntries(s.models.get('tiny-internvl').variantCosts.map((c) => [c.variant, c.memory]));

describe('measured variant memory', () => {
  it('records the worker memory of the variant that ran, shows it as measured, and keeps it', async () => {
    process.env['SHOEBOX_DEMO_MODEL'] = '1';
    const work = mkdtempSync(join(tmpdir(), 'shoebox-memory-'));
    const photos = join(work, 'photos');
    cpSync(join(sample, 'coffee.png'), join(photos, 'coffee.png'));
    const dataDir = join(work, 'data');
    const services = await open(dataDir);
    await services.models.import(tiny);
    services.models.select('tiny-internvl');
    // Nothing has run: every variant shows its weights, labelled as an estimate.
    expect(Object.values(memoryOf(services)).every((m) => !m.measured && m.basis === 'weights')).toBe(true);

    const photo = join(photos, 'coffee.png');
    await services.inference.describe(photo, { maxNewTokens: 4 });
    const ran = services.inference.loadedModel()!.variant;
    const measured = await vi.waitFor(
      () => {
        const m = memoryOf(services)[ran];
        if (m?.measured !== true || m.basis !== 'running') throw new Error(`not measured yet: ${JSON.stringify(m)}`);
        return m;
      },
      { timeout: 10_000, interval: 50 },
    );
    // The figures are the worker's, in bytes: close to what the OS says of it now, the peak above it.
    const { pid } = await services.inference.workerInfo();
    const now = osRss(pid);
    if (now !== null) {
      expect(measured.bytes).toBeGreaterThan(now * 0.5);
      expect(measured.bytes).toBeLessThan(now * 1.5);
    }
    expect(measured.bytes).toBeGreaterThan(20 * 2 ** 20);
    expect(measured.peakBytes).not.toBeNull();
    expect(measured.peakBytes!).toBeGreaterThanOrEqual(measured.bytes - 2 ** 20);
    expect(measured.provider).toBe('cpu');
    // The variants that never ran keep the labelled estimate.
    for (const [variant, m] of Object.entries(memoryOf(services))) if (variant !== ran) expect(m.measured).toBe(false);

    // Kept beside the bundle, and read back after a restart.
    const bundleDir = services.models.get('tiny-internvl').path!;
    const file = JSON.parse(readFileSync(join(bundleDir, '.shoebox-variant-memory.json'), 'utf8')) as Record<string, { rssBytes: number }>;
    expect(Object.keys(file)).toEqual([ran]);
    await services.close();
    opened.splice(opened.indexOf(services), 1);
    const again = await open(dataDir);
    expect(memoryOf(again)[ran]).toEqual(measured);
  });
});
