/**
 * @file HEIC decoding runs off the main thread (heic-worker.ts): the event loop keeps ticking while a
 * photo decodes, the pixels come back right, and the pixel limit is enforced from the header.
 * Needs Debian's heif-enc (libheif-examples, installed by scripts/install-test-deps.sh) to make a test file; skipped without it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHeicOffThread, stopHeicWorker } from '../../main/library/heic-worker';
import { SAMPLE_LIBRARY } from './helpers/library-harness';

const hasEncoder = (() => {
  try {
    execFileSync('heif-enc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
let heic: Buffer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-heic-'));
  if (!hasEncoder) return;
  const png = join(dir, 'src.png');
  await sharp(join(SAMPLE_LIBRARY, 'sport/messi5.jpg')).resize(2400, 1800, { fit: 'fill' }).png().toFile(png);
  execFileSync('heif-enc', ['-q', '50', '-p', 'preset=ultrafast', '-o', join(dir, 'big.heic'), png], { stdio: 'pipe' });
  heic = readFileSync(join(dir, 'big.heic'));
}, 60_000);
afterAll(async () => {
  await stopHeicWorker();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasEncoder)('HEIC off the main thread', () => {
  it('decodes while the event loop keeps ticking', async () => {
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    const t = performance.now();
    const r = await decodeHeicOffThread(heic, 100e6);
    const took = performance.now() - t;
    clearInterval(timer);
    expect('tooBig' in r).toBe(false);
    if ('tooBig' in r) return;
    expect([r.width, r.height]).toEqual([2400, 1800]);
    expect(r.data.length).toBe(2400 * 1800 * 4);
    expect(took).toBeGreaterThan(100); // real decode work happened…
    expect(maxGap).toBeLessThan(Math.max(100, took / 3)); // …but not on this thread
  }, 30_000);

  it('refuses an image over the pixel limit before decoding it', async () => {
    const r = await decodeHeicOffThread(heic, 1e6);
    expect(r).toEqual({ tooBig: { width: 2400, height: 1800 } });
  });

  it('decodes several photos at once, each getting its own answer', async () => {
    const results = await Promise.allSettled([
      decodeHeicOffThread(heic, 100e6),
      decodeHeicOffThread(Buffer.from('junk'), 100e6),
      decodeHeicOffThread(heic, 1e6),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { width: 2400, height: 1800 } });
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { tooBig: { width: 2400, height: 1800 } } });
  }, 30_000);

  it('reports garbage as an error', async () => {
    await expect(decodeHeicOffThread(Buffer.from('not a heic file at all, sorry'), 1e6)).rejects.toThrow(/HEIC/);
  });
});
