/**
 * @file End-to-end: describe a photo in the viewer. Without a model the viewer says so and links to
 * the Models page; in demo mode with the tiny random-weight InternVL the real worker streams text into
 * the viewer, labelled as demo output.
 */
import { addFolderThroughBrowser, expect, importAndSelectTinyModel, startHost, test } from './fixtures';

test('without a model, Describe says so and points to the Models page', async ({ page, host, photos }) => {
  await page.goto(`${host.url}`);
  await addFolderThroughBrowser(page, photos, 'empty-add-folder');
  await page.getByTestId('photo-cell').first().click();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.getByTestId('describe-run').click();
  await expect(page.getByTestId('describe-error')).toContainText('Models page');
  await page.getByTestId('describe-error').getByRole('link', { name: 'Open Models' }).click();
  await expect(page.getByTestId('viewer')).toHaveCount(0);
  await expect(page.getByTestId('import-path')).toBeVisible();
});

test('in demo mode the tiny InternVL describes the photo, labelled as demo', async ({ page, photos }, testInfo) => {
  const host = await startHost({ env: { SHOEBOX_DEMO_MODEL: '1' }, library: photos });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-models').click();
    await importAndSelectTinyModel(page);

    await page.getByTestId('nav-library').click();
    await page.getByTestId('photo-cell').first().click();
    const question = page.getByRole('textbox', { name: 'Question about this photo' });
    // Typing in the question field does not steer the viewer ('i' toggles details, arrows navigate).
    await question.fill('What is in it?');
    await question.press('ArrowRight');
    await expect(page.getByTestId('viewer-position')).toHaveText(/^1 of/);
    await page.getByTestId('describe-run').click();
    await expect(page.getByTestId('describe-demo')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('describe-panel')).toContainText('Tiny random InternVL');
    await page.screenshot({ path: testInfo.outputPath('describe-demo.png') });
  } finally {
    await host.stop();
  }
});
