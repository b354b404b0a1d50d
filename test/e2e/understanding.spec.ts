/**
 * @file End-to-end: issue 8's understanding in the UI. Before a model is selected the viewer says so
 * and links to the Models page. In demo mode with the tiny random-weight InternVL, the background step
 * captions and tags the sample photos; the viewer shows the caption (labelled as demo output) and the
 * tags with their scores; the user removes a tag, adds one and rewrites the caption (Esc in the editor
 * cancels without closing the viewer, keys typed in the fields do not steer it); after a reload the
 * edits are still there and still the user's. The Tags page lists the tag the user typed, refuses a
 * duplicate label, and switches it on and renames it; the Activity page shows the understanding row.
 *
 * SHOEBOX_E2E_SHOTS=<folder> also saves screenshots there for a look at the layout.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { cellNamed } from './collections-helpers';
import { expect, importAndSelectTinyModel, SAMPLE_FILES, startHost, test } from './fixtures';
import { waitForSteps } from './host-api';

const SHOTS = process.env['SHOEBOX_E2E_SHOTS'];

/** Opens the photo at `index` of the grid and waits for the understanding step to have captioned it. */
async function openUnderstood(page: Page, index: number) {
  await page.getByTestId('photo-cell').nth(index).click();
  await expect(page.getByTestId('viewer')).toBeVisible();
  // Poll the UI: the panel follows photos:understandingChanged, so the caption appears by itself.
  await expect(page.getByTestId('caption-text')).toBeVisible({ timeout: 120_000 });
}

test('the viewer shows caption and tags, and the user edits them; the edits survive a reload', async ({ page, photos }, testInfo) => {
  test.setTimeout(240_000);
  const host = await startHost({ env: { SHOEBOX_DEMO_MODEL: '1' }, library: photos });
  try {
    await page.goto(host.url);
    // Before a model: the viewer says why the photo waits, and links to the Models page.
    await page.getByTestId('photo-cell').first().click();
    const status = page.getByTestId('understanding-status');
    await expect(status).toHaveAttribute('data-state', 'blocked');
    await expect(status).toContainText('No model is selected.');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'viewer-no-model.png') });
    await status.getByRole('link', { name: 'Models page' }).click();
    await expect(page.getByTestId('viewer')).toHaveCount(0);
    await importAndSelectTinyModel(page);

    await page.getByTestId('nav-library').click();
    // Photos are opened by position below: positions hold once capture dates are read (the grid re-sorts
    // as they are; see [Note: E2E waits on background work] in ./host-api.ts).
    await waitForSteps(host, ['metadata'], SAMPLE_FILES.length);
    const panel = page.getByTestId('understanding-panel');
    // The random-weight model's tags depend on the photo: take the first photo that has any.
    let index = 0;
    for (; ; index++) {
      await openUnderstood(page, index);
      if ((await panel.getByTestId('tag-chip').count()) > 0 || index === 4) break;
      await page.getByTestId('viewer-close').click();
    }
    const name = await page.getByTestId('viewer-name').textContent();
    await expect(panel.getByTestId('understanding-demo')).toBeVisible();
    const chips = panel.getByTestId('tag-chip');
    await expect(chips.first()).toBeVisible();
    await expect(chips.first()).toHaveAttribute('data-source', 'model');

    // The score shows on focus (and on hover, as the chip's title).
    const removed = (await chips.first().locator('.tag-label').textContent())!;
    await chips.first().locator('.tag-label').focus();
    await expect(panel.getByTestId('tag-detail')).toContainText(/score [+\u2212]?\d\.\d\d · raw/);
    await expect(chips.first().locator('.tag-label')).toHaveAttribute('title', /score .* raw/);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'viewer-understanding.png') });

    // Remove that tag (keyboard: the × is a button), then add one of our own.
    await chips
      .first()
      .getByRole('button', { name: `Remove tag ${removed}` })
      .press('Enter');
    await expect(panel.getByTestId('removed-tags')).toContainText(removed);
    await expect(chips.filter({ hasText: new RegExp(`^${removed}\\s*×$`) })).toHaveCount(0);
    const input = panel.getByTestId('tag-add-input');
    await input.fill('sailing trip');
    // Keys typed in the field are text, not viewer shortcuts ('i' would hide the details, → move on).
    await input.press('ArrowRight');
    await input.press('i');
    await expect(page.getByTestId('viewer-position')).toHaveText(new RegExp(`^${index + 1} of`));
    await expect(input).toHaveValue('sailing tripi');
    await input.press('Backspace');
    await input.press('Enter');
    const mine = chips.filter({ hasText: 'sailing trip' });
    await expect(mine).toHaveAttribute('data-source', 'user');
    await expect(mine.locator('.tag-label')).toHaveAttribute('title', /added by you/);
    await expect(input).toHaveValue('');

    // Esc in the caption editor cancels the edit and leaves the viewer open.
    await panel.getByTestId('caption-edit').click();
    await page.getByTestId('caption-input').fill('not this one');
    await page.getByTestId('caption-input').press('Escape');
    await expect(page.getByTestId('caption-input')).toHaveCount(0);
    await expect(page.getByTestId('viewer')).toBeVisible();
    await expect(panel.getByTestId('caption-text')).not.toHaveText('not this one');
    // Enter saves.
    await panel.getByTestId('caption-edit').click();
    await page.getByTestId('caption-input').fill('Our boat at the harbour');
    await page.getByTestId('caption-input').press('Enter');
    await expect(panel.getByTestId('caption-text')).toHaveText('Our boat at the harbour');
    await expect(panel.getByTestId('edited-by-you')).toBeVisible();
    await expect(panel.getByTestId('caption-revert')).toBeVisible();

    // Redo with the current model: the model's results come again, the user's edits stay.
    const madeBy = panel.getByTestId('understanding-made-by');
    const madeAt = (await madeBy.getAttribute('data-made-at'))!;
    await panel.getByTestId('understanding-redo').click();
    await expect(page.getByTestId('notices')).toContainText('your own caption, text and tags stay', { ignoreCase: true });
    await expect(madeBy).not.toHaveAttribute('data-made-at', madeAt, { timeout: 120_000 });
    await expect(madeBy).toBeVisible();
    await expect(chips.and(page.locator('[data-source=model]')).first()).toBeVisible();
    await expect(panel.getByTestId('caption-text')).toHaveText('Our boat at the harbour');
    await expect(chips.filter({ hasText: new RegExp(`^${removed}\\s*×$`) })).toHaveCount(0);
    await expect(mine).toHaveAttribute('data-source', 'user');

    // After a reload the edits are still there, and still the user's.
    await page.reload();
    await cellNamed(page, name!).click();
    await expect(page.getByTestId('viewer-name')).toHaveText(name!);
    await expect(panel.getByTestId('caption-text')).toHaveText('Our boat at the harbour');
    await expect(panel.getByTestId('edited-by-you')).toBeVisible();
    await expect(panel.getByTestId('tag-chip').filter({ hasText: 'sailing trip' })).toHaveAttribute('data-source', 'user');
    await expect(panel.getByTestId('removed-tags')).toContainText(removed);
    await expect(panel.getByTestId('tag-chip').filter({ hasText: new RegExp(`^${removed}\\s*×$`) })).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('viewer-understanding.png') });
    if (SHOTS) {
      await page.getByTestId('metadata-panel').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.screenshot({ path: join(SHOTS, 'viewer-edited.png') });
    }
    await page.getByTestId('viewer-close').click();

    // The Tags page lists the label the user typed, and refuses a duplicate.
    await page.getByTestId('nav-tags').click();
    const mineGroup = page.locator('[data-testid=tag-group][data-group="my tags"]');
    await expect(mineGroup.locator('[data-testid=label-row][data-label="sailing trip"]')).toBeVisible();
    await page.getByTestId('new-label').fill(removed);
    await page.getByTestId('new-label-add').click();
    await expect(page.getByTestId('new-label-error')).toContainText(`There is already a tag "${removed}"`);
    // A tag typed in the viewer joins the taxonomy switched off; switching it on and renaming it stick.
    const sailing = mineGroup.locator('[data-testid=label-row][data-label="sailing trip"]');
    await expect(sailing.getByTestId('label-enabled')).not.toBeChecked();
    await sailing.getByTestId('label-enabled').check();
    await sailing.getByRole('button', { name: 'Rename “sailing trip”' }).click();
    await sailing.getByTestId('label-rename-input').fill(removed);
    await sailing.getByTestId('label-rename-input').press('Enter');
    await expect(sailing.getByTestId('label-error')).toContainText('There is already a tag');
    await sailing.getByTestId('label-rename-input').fill('sailing');
    await sailing.getByTestId('label-rename-input').press('Enter');
    const renamed = mineGroup.locator('[data-testid=label-row][data-label="sailing"]');
    await expect(renamed.getByTestId('label-error')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('tags.png') });
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'tags.png'), fullPage: true });
    await page.reload();
    await expect(renamed.getByTestId('label-enabled')).toBeChecked();

    // The Activity page's understanding row: every photo done, and where the model runs.
    await page.getByTestId('nav-activity').click();
    const row = page.getByTestId('step-understand');
    await expect(row.getByTestId('step-done')).toHaveText('5 / 5', { timeout: 120_000 });
    await expect(row.getByTestId('step-detail')).toContainText(/fp32|int8|q4|fp16/);
    await expect(row.getByTestId('step-speed')).toContainText('per photo');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'activity.png') });
  } finally {
    await host.stop();
  }
});
