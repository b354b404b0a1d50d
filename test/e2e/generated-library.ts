/**
 * @file A generated photo folder for end-to-end tests that need more photos than the sample library:
 * small lossless PNGs of distinct colours (photos are identified by content, so no two may match), one a
 * day going back from 2024-06-30 noon by file time. Runs in the Playwright test process.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** Writes `count` PNGs under `<dir>/gen/img-NNNN.png`; returns the folder and a remover. */
export async function generatedLibrary(count: number): Promise<{ dir: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-e2e-large-'));
  mkdirSync(join(dir, 'gen'));
  const newest = Date.UTC(2024, 5, 30, 12);
  for (let i = 0; i < count; i++) {
    const file = join(dir, 'gen', `img-${String(i).padStart(4, '0')}.png`);
    // (r, g) differs for every i below 65,536.
    const background = { r: i % 256, g: Math.floor(i / 256) * 97, b: (i * 53) % 256 };
    await sharp({ create: { width: 48, height: 32, channels: 3, background } })
      .png()
      .toFile(file);
    const t = new Date(newest - i * 86_400_000);
    utimesSync(file, t, t);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
