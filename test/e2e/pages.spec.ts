/**
 * @file End-to-end: the Activity page (per-step counts from `jobs:status` / `jobs:progress`, pause and
 * resume), the Models page (no real model → it says so) and the About page (doctor report), against a
 * real headless host started with a library.
 */
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
