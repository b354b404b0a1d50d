/**
 * @file End-to-end: the library in a browser against a real headless host. Add a folder from the
 * empty state, watch thumbnails appear, open the viewer, move with ← / →, close with Esc (focus back on
 * the grid), move the grid's focus ring with the keyboard, see inline errors for bad folders, remove a
 * folder after a confirmation. Screenshots go to the test's output folder under test-results/.
 */
import type { Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { addFolderThroughBrowser, expect, SAMPLE_FILES, scratchLibrary, test } from './fixtures';
import { waitForSteps } from './host-api';

/** Waits until every visible thumbnail has decoded (naturalWidth > 0). */
async function expectThumbnailsLoaded(page: Page, count: number): Promise<void> {
  await expect(page.getByTestId('thumb')).toHaveCount(count, { timeout: 45_000 });
  await expect
    .poll(
      () =>
        page
          .getByTestId('thumb')
          .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length),
      {
        timeout: 20_000,
      },
    )
    .toBe(count);
}

const focusedIndex = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-index') ?? null);

test('add a folder, see thumbnails, browse in the viewer with the keyboard', async ({ page, host, photos }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  // The host trades ?token= for a cookie and redirects to the clean URL.
  await expect(page).toHaveURL(`${host.origin}/`);
  await expect(page.getByTestId('empty-library')).toBeVisible();

  await addFolderThroughBrowser(page, photos, 'empty-add-folder');
  await expect(page.getByTestId('add-folder-error')).toHaveCount(0);

  await expect(page.getByTestId('photo-cell')).toHaveCount(SAMPLE_FILES.length, { timeout: 30_000 });
  await expectThumbnailsLoaded(page, SAMPLE_FILES.length);
  await expect(page.getByTestId('library-count')).toHaveText(`${SAMPLE_FILES.length} photos`);
  await expect(page.getByTestId('month-header').first()).toBeVisible();
  await expect(page.getByTestId('folder-count')).toHaveText(String(SAMPLE_FILES.length));
  // The walk below goes by position (1 of 5, ← / →, the focus ring's index): positions hold once the
  // capture dates are read, which can come after the thumbnails ([Note: E2E waits on background work]).
  await waitForSteps(host, ['metadata'], SAMPLE_FILES.length);
  await page.screenshot({ path: testInfo.outputPath('library.png') });

  // Previews are made on their first request (indexing makes thumbnails only); the viewer asks for its
  // photo's, then for the neighbours' ahead of ← / →.
  const previewRe = /\/media\/thumb\/[0-9a-f]{32}-p1\.jpg$/;
  const previewRequests = new Set<string>();
  page.on('request', (r) => {
    if (previewRe.test(r.url())) previewRequests.add(new URL(r.url()).pathname);
  });
  const viewerImage = () =>
    page
      .getByTestId('viewer-image')
      .evaluate((i) => ({ src: new URL((i as HTMLImageElement).src).pathname, width: (i as HTMLImageElement).naturalWidth }));

  // Click opens the viewer on that photo.
  await page.getByTestId('photo-cell').first().click();
  const viewer = page.getByTestId('viewer');
  await expect(viewer).toBeVisible();
  await expect(page.getByTestId('viewer-position')).toHaveText(`1 of ${SAMPLE_FILES.length}`);
  await expect.poll(() => page.getByTestId('viewer-image').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  // The large preview, not the 256 px thumbnail (every sample photo is wider than that).
  await expect.poll(async () => (await viewerImage()).width).toBeGreaterThan(256);
  const firstPreview = await viewerImage();
  expect(firstPreview.src).toMatch(previewRe);
  await expect(page.getByTestId('viewer-note')).toHaveCount(0);
  // The next photo's preview is fetched ahead once this one is shown.
  await expect.poll(() => [...previewRequests].filter((u) => u !== firstPreview.src).length).toBeGreaterThan(0);
  const ahead = new Set(previewRequests);
  const firstName = await page.getByTestId('viewer-name').textContent();
  await expect(page.getByTestId('meta-paths')).toContainText(firstName ?? '???');
  await expect(page.getByTestId('meta-date')).not.toBeEmpty();

  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('viewer-position')).toHaveText(`2 of ${SAMPLE_FILES.length}`);
  await expect(page.getByTestId('viewer-name')).not.toHaveText(firstName ?? '');
  await expect.poll(async () => (await viewerImage()).width).toBeGreaterThan(256);
  expect(ahead.has((await viewerImage()).src)).toBe(true); // the one fetched ahead
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('viewer-position')).toHaveText(`1 of ${SAMPLE_FILES.length}`);
  await expect(page.getByTestId('viewer-name')).toHaveText(firstName ?? '');
  await page.keyboard.press('ArrowLeft'); // already first: stays
  await expect(page.getByTestId('viewer-position')).toHaveText(`1 of ${SAMPLE_FILES.length}`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('viewer-position')).toHaveText(`3 of ${SAMPLE_FILES.length}`);
  await expect.poll(() => page.getByTestId('viewer-image').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await expect(page.getByTestId('metadata-panel')).toBeVisible();
  // Shown, not still hidden behind the thumbnail stand-in.
  await expect(page.getByTestId('viewer-image')).not.toHaveClass(/pending/);
  await page.screenshot({ path: testInfo.outputPath('viewer.png') });

  // Esc closes and puts the focus on the grid cell of the photo last shown.
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);
  await expect.poll(() => focusedIndex(page)).toBe('2');

  // Arrow keys move the focus ring; Enter opens the focused photo.
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => focusedIndex(page)).toBe('3');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => focusedIndex(page)).toBe('1');
  await page.keyboard.press('End');
  await expect.poll(() => focusedIndex(page)).toBe(String(SAMPLE_FILES.length - 1));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('viewer-position')).toHaveText(`${SAMPLE_FILES.length} of ${SAMPLE_FILES.length}`);
  await page.getByTestId('viewer-close').click();
  await expect(viewer).toHaveCount(0);

  // ? lists the shortcuts; Esc closes the list.
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcuts')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('bad folders get an inline error; removing a folder asks first', async ({ page, host, photos }) => {
  await page.goto(host.url);
  const browser = page.getByTestId('folder-browser');
  const field = browser.getByTestId('folder-browser-path');
  const error = browser.getByTestId('folder-browser-error');

  await page.getByTestId('add-folder-button').click();
  await field.fill('');
  await field.press('Enter');
  await expect(error).toBeVisible();

  await field.fill('/definitely/not/a/folder/here');
  await field.press('Enter');
  await expect(error).toBeVisible();
  await expect(error).toContainText(/not|no such|exist/i);

  // A relative path is refused, never looked up in the program's folder.
  await field.fill('test');
  await field.press('Enter');
  await expect(error).toContainText('not a full path');

  // Going to a real folder clears the error; adding it closes the browser.
  await field.fill(photos);
  await field.press('Enter');
  await expect(error).toHaveCount(0);
  await browser.getByTestId('folder-browser-add').click();
  await expect(browser).toHaveCount(0);
  await expect(page.getByTestId('folder-item')).toHaveCount(1);

  // The same folder twice is a conflict, shown in the browser, which stays open.
  await page.getByTestId('add-folder-button').click();
  await field.fill(photos);
  await field.press('Enter');
  await expect(browser.getByTestId('folder-browser-current')).toHaveText(photos);
  await browser.getByTestId('folder-browser-add').click();
  await expect(error).toContainText('already in the library');
  await browser.getByRole('button', { name: 'Cancel' }).click();
  await expect(browser).toHaveCount(0);
  await expect(page.getByTestId('folder-item')).toHaveCount(1);

  // Remove: cancel keeps it, confirm removes it and the grid empties.
  await page.getByTestId('folder-item').hover();
  await page.getByTestId('folder-remove').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  await expect(page.getByTestId('folder-item')).toHaveCount(1);
  await page.getByTestId('folder-item').hover();
  await page.getByTestId('folder-remove').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('folder-item')).toHaveCount(0);
  await expect(page.getByTestId('empty-library')).toBeVisible({ timeout: 20_000 });
});

test('the sidebar filters the grid by folder', async ({ page, host, photos }) => {
  const second = scratchLibrary(['pets/chelsea.jpg', 'sport/messi5.jpg']);
  try {
    await page.goto(host.url);
    for (const dir of [photos, second.dir]) await addFolderThroughBrowser(page, dir);
    await expect(page.getByTestId('folder-item')).toHaveCount(2);
    const total = SAMPLE_FILES.length + 2;
    await expect(page.getByTestId('library-count')).toHaveText(`${total} photos`, { timeout: 30_000 });

    await page
      .getByTestId('folder-item')
      .filter({ hasText: basename(second.dir) })
      .getByRole('button')
      .first()
      .click();
    await expect(page.getByTestId('library-count')).toHaveText('2 photos');
    await expect(page.getByTestId('photo-cell')).toHaveCount(2);
    await page.getByTestId('photo-cell').first().click();
    await expect(page.getByTestId('viewer-position')).toHaveText('1 of 2');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: /^All photos/ }).click();
    await expect(page.getByTestId('library-count')).toHaveText(`${total} photos`);
    // Only the rows on screen are in the DOM (the grid is virtual): the count above is the check.
    await expect(page.getByTestId('photo-cell').first()).toBeVisible();

    await page.getByTestId('rescan').click();
    await expect(page.getByTestId('notices')).toContainText(/Rescan (queued \d+ files?|found nothing new)/);
  } finally {
    second.remove();
  }
});

test('a folder without photos says so once the scan is done', async ({ page, host }) => {
  const empty = mkdtempSync(join(tmpdir(), 'shoebox-e2e-empty-'));
  writeFileSync(join(empty, 'notes.txt'), 'not a photo');
  try {
    await page.goto(host.url);
    await addFolderThroughBrowser(page, empty);
    await expect(page.getByTestId('empty-folder')).toContainText('No photos found', { timeout: 20_000 });
    await expect(page.getByTestId('library-count')).toHaveText('0 photos');
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
