/**
 * @file A tile waiting for its thumbnail tells the truth about why: while processing is paused it says
 * "Paused", never "Processing…"; after Resume the thumbnails come.
 */
import { addFolderThroughBrowser, expect, test } from './fixtures';

test('tiles say Paused, not Processing…, while processing is paused', async ({ page, host, photos }) => {
  await page.goto(`${host.url}`);
  await page.goto(`${host.origin}/#/activity`);
  await page.getByTestId('pause-toggle').click();
  await expect(page.getByTestId('paused-banner')).toBeVisible();

  await page.goto(`${host.origin}/#/library`);
  await addFolderThroughBrowser(page, photos);
  const cells = page.getByTestId('photo-cell');
  await expect(cells).toHaveCount(5, { timeout: 30_000 });
  await expect(page.getByTestId('thumb')).toHaveCount(0);
  await expect(page.locator('.cell-placeholder').first()).toHaveText('Paused');
  await expect(page.getByText('Processing…')).toHaveCount(0);

  await page
    .getByTestId('progress-summary')
    .getByRole('button', { name: /Paused/ })
    .click();
  await page.getByTestId('pause-toggle').click();
  await page.goto(`${host.origin}/#/library`);
  await expect(page.getByTestId('thumb')).toHaveCount(5, { timeout: 45_000 });
});
