/**
 * @file End-to-end: the open viewer stays on its photo while the grid re-sorts under it ([Note: The viewer
 * follows its photo] in renderer/src/features/library/use-viewer-index.ts). Against a real headless host
 * in Chromium.
 *
 * Deterministic under load ([Note: E2E waits on background work] in ./host-api.ts): processing is paused
 * before the folder is added, so every photo is placed by its file time until the viewer is open; only
 * then is the metadata step let go, and the test waits for it before it looks at the viewer.
 */
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { expect, scratchLibrary, startHost, test } from './fixtures';
import { hostCall, waitForSteps } from './host-api';
import { cellNames } from './collections-helpers';

/** Capture dates (EXIF, assets/sample-library/LICENSES.md) give this order, newest first. */
const FILES = [
  'food/orange.jpg',
  'coffee.png',
  'animals/butterfly.jpg',
  'animals/baboon.jpg',
  '2019 trip/astronaut.jpg',
  'animals/HappyFish.jpg',
];
const BY_DATE = ['orange.jpg', 'coffee.png', 'butterfly.jpg', 'baboon.jpg', 'astronaut.jpg', 'HappyFish.jpg'];
/** The photo that the file times put first and its capture date fifth. */
const MOVER = 'astronaut.jpg';

test('the viewer keeps its photo, its place and its neighbours when the capture dates re-sort the grid', async ({ page }) => {
  test.setTimeout(120_000);
  const lib = scratchLibrary(FILES);
  // By file time the mover is the newest photo; the others are a day older.
  const now = Date.now() / 1000;
  for (const f of FILES) utimesSync(join(lib.dir, f), now - 86_400, now - 86_400);
  utimesSync(join(lib.dir, '2019 trip/astronaut.jpg'), now, now);
  const host = await startHost();
  try {
    await hostCall(host, 'jobs:pause');
    await hostCall(host, 'library:addFolder', { path: lib.dir });
    await page.goto(host.url);
    await expect(page.getByTestId('library-count')).toHaveText(`${FILES.length} photos`, { timeout: 45_000 });
    // Still by file time: the mover first.
    await expect.poll(async () => (await cellNames(page))[0], { timeout: 30_000 }).toBe(MOVER);

    await page.getByRole('gridcell', { name: new RegExp(`^${MOVER.replace('.', '\\.')},`) }).click();
    await expect(page.getByTestId('viewer-name')).toHaveText(MOVER);
    await expect(page.getByTestId('viewer-position')).toHaveText(`1 of ${FILES.length}`);

    await hostCall(host, 'jobs:resume');
    await waitForSteps(host, ['metadata'], FILES.length);
    // The host's order is the capture dates' now; the page catches up after its (throttled) refetch.
    const order = (await hostCall<{ items: { name: string }[] }>(host, 'photos:page', { offset: 0, limit: 10 })).items.map((p) => p.name);
    expect(order).toEqual(BY_DATE);
    const at = BY_DATE.indexOf(MOVER);
    await expect(page.getByTestId('viewer-position')).toHaveText(`${at + 1} of ${FILES.length}`, { timeout: 15_000 });
    await expect(page.getByTestId('viewer-name')).toHaveText(MOVER);

    // → goes to its neighbour in the new order, ← back to it.
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('viewer-name')).toHaveText(BY_DATE[at + 1] ?? '');
    await expect(page.getByTestId('viewer-position')).toHaveText(`${at + 2} of ${FILES.length}`);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('viewer-name')).toHaveText(BY_DATE[at - 1] ?? '');
    await expect(page.getByTestId('viewer-position')).toHaveText(`${at} of ${FILES.length}`);
  } finally {
    await host.stop();
    lib.remove();
  }
});
