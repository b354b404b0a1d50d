/**
 * @file End-to-end: the Models page with a real bundle — import the tiny random-weight InternVL
 * fixture by path, see it installed with the "Demo" label, try to make it active (refused outside demo
 * mode, allowed with SHOEBOX_DEMO_MODEL=1), and delete it after a confirmation. The fixture folder is
 * only read (import copies into the host's data folder).
 */
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { expect, root, startHost, test } from './fixtures';

const TINY = join(root, 'test/fixtures/models/tiny-internvl');

async function importTiny(page: Page) {
  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('no-real-model')).toBeVisible();
  await page.getByTestId('import-path').fill(TINY);
  await page.getByRole('button', { name: 'Import' }).click();
  const tiny = page.locator('[data-testid=model-item][data-model-id="tiny-internvl"]');
  await expect(tiny).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await expect(tiny).toContainText('Installed');
  await expect(tiny).toContainText('Demo');
  // Random weights are not a real model: the page still says so.
  await expect(page.getByTestId('no-real-model')).toBeVisible();
  return tiny;
}

test('import a bundle; random weights cannot be made active outside demo mode; delete asks first', async ({ page, host }) => {
  await page.goto(host.url);
  const tiny = await importTiny(page);

  await tiny.getByRole('button', { name: 'Use this model' }).click();
  await expect(tiny.getByTestId('model-error')).toContainText('random weights');
  await expect(tiny).not.toContainText('Active');

  // Importing the same bundle again is refused, next to the field.
  await page.getByTestId('import-path').fill(TINY);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-error')).toBeVisible();

  await tiny.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.getByTestId('confirm-ok').click();
  await expect(tiny).toHaveCount(0);
});

test('in demo mode the imported bundle becomes the active model', async ({ page }, testInfo) => {
  const host = await startHost({ env: { SHOEBOX_DEMO_MODEL: '1' } });
  try {
    await page.goto(host.url);
    const tiny = await importTiny(page);
    await tiny.getByRole('button', { name: 'Use this model' }).click();
    await expect(tiny).toContainText('Active');
    await expect(tiny.getByRole('button', { name: 'Stop using' })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('models-demo.png') });
    await tiny.getByRole('button', { name: 'Stop using' }).click();
    await expect(tiny).not.toContainText('Active');
  } finally {
    await host.stop();
  }
});
