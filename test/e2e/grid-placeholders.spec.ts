/**
 * @file End-to-end: placeholders (issue 14). Every cell paints its photo's ThumbHash at once, while the
 * thumbnail loads (here: never, the thumbnail requests are held), in the photo's own colours; and a
 * photo without a thumbnail shows its placeholder instead of a grey "Processing…" square.
 */
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, SAMPLE_FILES, scratchLibrary, startHost, test } from './fixtures';

type Rgb = [number, number, number];

/** Each cell's photo id and the mean colour of its painted placeholder (null without one). */
async function placeholderColours(page: Page): Promise<Map<string, Rgb | null>> {
  const cells = await page.getByTestId('photo-cell').evaluateAll((els) =>
    Promise.all(
      els.map(async (el) => {
        const m = /url\("?(data:image\/png;base64,[^")]+)"?\)/.exec(getComputedStyle(el).backgroundImage);
        if (!m) return [el.getAttribute('data-photo-id') ?? '', null] as const;
        const img = new Image();
        img.src = m[1]!;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, img.width, img.height).data;
        const sum = [0, 0, 0];
        for (let i = 0; i < px.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += px[i + c]!;
        const n = px.length / 4;
        return [el.getAttribute('data-photo-id') ?? '', sum.map((v) => v / n)] as const;
      }),
    ),
  );
  return new Map(cells.map(([id, rgb]) => [id, rgb as Rgb | null]));
}

/** Mean colour of a photo file, as the placeholder should roughly show it. */
async function meanColour(file: string): Promise<Rgb> {
  const { channels } = await sharp(file).removeAlpha().stats();
  return [channels[0]!.mean, channels[1]!.mean, channels[2]!.mean];
}

test('cells paint their placeholders while thumbnails load, and without a thumbnail', async ({ page }) => {
  test.setTimeout(90_000);
  const lib = scratchLibrary(SAMPLE_FILES);
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('thumb')).toHaveCount(SAMPLE_FILES.length, { timeout: 45_000 });
    const db = new Database(join(host.dataDir, 'library.sqlite'));
    const rows = db.prepare('SELECT p.id, f.rel_path AS rel FROM photos p JOIN files f ON f.photo_id = p.id').all() as {
      id: number;
      rel: string;
    }[];
    expect(rows).toHaveLength(SAMPLE_FILES.length);

    // Thumbnails that never arrive: each cell shows its placeholder, in its photo's colours.
    await page.route('**/media/thumb/**', () => {});
    await page.reload();
    await expect(page.getByTestId('photo-cell')).toHaveCount(SAMPLE_FILES.length);
    await expect(page.locator('[data-testid=photo-cell]:not([data-photo-id])')).toHaveCount(0);
    const painted = await placeholderColours(page);
    for (const { id, rel } of rows) {
      const got = painted.get(String(id));
      expect(got, rel).not.toBeNull();
      const want = await meanColour(join(lib.dir, rel));
      for (let c = 0; c < 3; c++) expect(Math.abs(got![c]! - want[c]!), `${rel} channel ${c}`).toBeLessThan(40);
    }
    await page.unroute('**/media/thumb/**');

    // A photo whose thumbnail is not made (yet): its placeholder, not a grey "Processing…" square.
    const bare = rows[0]!;
    db.prepare('UPDATE photos SET thumb = NULL WHERE id = ?').run(bare.id);
    db.close();
    await page.reload();
    const cell = page.locator(`[data-testid=photo-cell][data-photo-id="${bare.id}"]`);
    await expect(cell).toBeVisible();
    await expect(page.getByTestId('thumb')).toHaveCount(SAMPLE_FILES.length - 1);
    await expect(cell.getByTestId('thumb')).toHaveCount(0);
    await expect(cell).not.toContainText('Processing');
    expect((await placeholderColours(page)).get(String(bare.id))).not.toBeNull();
  } finally {
    await host.stop();
    lib.remove();
  }
});
