/**
 * @file End-to-end: the Activity page (per-step counts from `jobs:status` / `jobs:progress`, pause and
 * resume), the Models page (no real model → it says so) and the About page (doctor report), against a
 * real headless host started with a library.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, SAMPLE_FILES, scratchLibrary, startHost, test } from './fixtures';

test('activity shows per-step counts, pause and resume', async ({ page }, testInfo) => {
  const lib = scratchLibrary(SAMPLE_FILES);
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-activity').click();
    const panel = page.getByTestId('progress-panel');
    await expect(panel).toBeVisible();
    await expect(page.getByTestId('stat-photos')).toHaveText(String(SAMPLE_FILES.length), { timeout: 30_000 });
    const steps = page.getByTestId('steps').locator('tbody tr');
    await expect(steps.first()).toBeVisible();
    expect(await steps.count()).toBeGreaterThan(1);
    // Each step counts all five photos (done / total); the cheap steps finish.
    await expect(page.getByTestId('step-done').first()).toHaveText(`${SAMPLE_FILES.length} / ${SAMPLE_FILES.length}`, { timeout: 30_000 });
    for (const cell of await page.getByTestId('step-done').all()) await expect(cell).toHaveText(new RegExp(`/ ${SAMPLE_FILES.length}$`));
    await page.screenshot({ path: testInfo.outputPath('activity.png') });

    await page.getByTestId('pause-toggle').click();
    await expect(page.getByTestId('paused-banner')).toBeVisible();
    await expect(page.getByTestId('pause-toggle')).toHaveText('Resume');
    await expect(page.getByTestId('progress-summary')).toContainText('Paused');
    await page.getByTestId('pause-toggle').click();
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
    await expect(page.getByTestId('pause-toggle')).toHaveText('Pause');
  } finally {
    await host.stop();
    lib.remove();
  }
});

test('models page says when no real model is installed; about shows the doctor', async ({ page, host }, testInfo) => {
  await page.goto(host.url);
  await page.getByTestId('nav-models').click();
  await expect(page.getByTestId('models-page')).toBeVisible();
  await expect(page.getByTestId('no-real-model')).toBeVisible();
  await page.getByTestId('import-path').fill('/definitely/not/a/bundle');
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-error')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('models.png') });

  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('no-model-banner')).toBeVisible();
  await page.getByTestId('nav-about').click();
  await expect(page.getByTestId('doctor-checks').locator('li').first()).toBeVisible();
});

test('failed files are listed with their error and can be retried', async ({ page }, testInfo) => {
  const lib = scratchLibrary(['food/orange.jpg']);
  writeFileSync(join(lib.dir, 'garbage.jpg'), 'this is not a JPEG');
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    // The grid shows both photos; the broken one has no thumbnail but still a cell.
    await expect(page.getByTestId('photo-cell')).toHaveCount(2, { timeout: 30_000 });
    await expect(page.getByTestId('thumb')).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId('badge-error')).toHaveCount(1, { timeout: 30_000 });

    await page.getByTestId('nav-activity').click();
    const failures = page.getByTestId('failure-item');
    await expect(failures.first()).toBeVisible({ timeout: 30_000 });
    await expect(failures.filter({ hasText: 'garbage.jpg' }).first()).toBeVisible();
    await expect(failures.first().locator('.error-text')).not.toBeEmpty();
    await expect(page.getByTestId('progress-summary')).toContainText('failed');
    await page.screenshot({ path: testInfo.outputPath('failures.png') });

    await page.getByTestId('retry-failed').click();
    await expect(page.getByTestId('notices')).toContainText(/Queued \d+ tasks? again/);
    // It fails again (the file is still broken) and is listed again.
    await expect(failures.filter({ hasText: 'garbage.jpg' }).first()).toBeVisible({ timeout: 30_000 });
  } finally {
    await host.stop();
    lib.remove();
  }
});

test('a banner says so when the host goes away', async ({ page, host }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('empty-library')).toBeVisible();
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);
  await host.stop();
  await expect(page.getByTestId('connection-banner')).toContainText('Reconnecting');
});
