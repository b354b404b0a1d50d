/**
 * @file Failed files on the Activity page, as a newcomer meets them: the title counts files ("1 file
 * could not be read"), each file once with a plain reason, its raw error behind "Details"; the
 * sidebar's badge counts the same files. A hidden photo's file says it is hidden (the grid leaves it out).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobFailure } from '../../preload/contract';
import { expect, scratchLibrary, startHost, test } from './fixtures';
import { hostCall } from './host-api';

test('one unreadable file is one entry with a plain reason; the raw error is behind Details', async ({ page }) => {
  const lib = scratchLibrary(['food/orange.jpg']);
  writeFileSync(join(lib.dir, 'garbage.jpg'), 'this is not a JPEG');
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('badge-error')).toHaveCount(1, { timeout: 30_000 });
    await page.getByTestId('nav-activity').click();
    await expect(page.getByTestId('failures-title')).toHaveText('1 file could not be read', { timeout: 30_000 });
    const item = page.getByTestId('failure-item');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('garbage.jpg');
    await expect(item.locator('.error-text')).toHaveText('This file is not a picture Shoebox can open.');
    const raw = item.getByTestId('raw-error').first();
    await expect(raw).toBeHidden();
    await item.getByText('Details').click();
    await expect(raw).toBeVisible();
    await expect(raw).toContainText(/unsupported image format/i);
    await expect(page.getByTestId('progress-summary')).toContainText('1 failed');
  } finally {
    await host.stop();
    lib.remove();
  }
});

test('a hidden photo’s failed file says the photo is hidden', async ({ page }) => {
  const lib = scratchLibrary(['food/orange.jpg']);
  writeFileSync(join(lib.dir, 'hidden-garbage.jpg'), 'this is not a JPEG either');
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('badge-error')).toHaveCount(1, { timeout: 30_000 });
    await page.getByTestId('nav-activity').click();
    const item = page.getByTestId('failure-item');
    await expect(item).toHaveCount(1, { timeout: 30_000 });
    await expect(item).toContainText('hidden-garbage.jpg');
    await expect(item.getByTestId('failure-hidden')).toHaveCount(0);
    // Hidden (in another window) while the Activity page is open: the entry says so.
    const { items } = await hostCall<{ items: JobFailure[] }>(host, 'jobs:failures', { offset: 0, limit: 10 });
    const photoId = items.find((f) => f.path?.endsWith('hidden-garbage.jpg'))!.photoId;
    await hostCall(host, 'photos:setHidden', { selection: { ids: [photoId] }, hidden: true });
    await expect(item.getByTestId('failure-hidden')).toHaveText('hidden photo');
    // And when the page opens on it.
    await page.reload();
    await page.getByTestId('nav-activity').click();
    await expect(item.getByTestId('failure-hidden')).toHaveText('hidden photo');
  } finally {
    await host.stop();
    lib.remove();
  }
});
