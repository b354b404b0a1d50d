/**
 * @file End-to-end: issue 9's search UI against a real headless host with the sample photos (no model,
 * so search is lexical and says so). `/` puts the cursor in the field; typing finds photos by folder and
 * file name as you type, with the "only photos" filter as a chip; each result says why it matched; the
 * viewer steps through the results only and gives the focus back to the result on close; × on a chip
 * cuts it out of the query; a query that finds nothing explains why and offers to remove the filter; a
 * too-long query shows the API's error inline and keeps the text; recent searches come back with the
 * keyboard; Esc clears the search (back to the library); Ctrl+K works from another page.
 *
 * Screenshots of the results at 1280×800 and 800×600 in dark mode land in the test's output folder
 * (and in SHOEBOX_E2E_SHOTS=<folder> when set).
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, SAMPLE_FILES, scratchLibrary, startHost, test } from './fixtures';

const SHOTS = process.env['SHOEBOX_E2E_SHOTS'];

async function shot(page: Page, name: string, outputPath: (name: string) => string) {
  await page.screenshot({ path: outputPath(name) });
  if (SHOTS) await page.screenshot({ path: join(SHOTS, name) });
}

test('search as you type: chips, results, the viewer through results, empty state, recents, clear', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const lib = scratchLibrary(SAMPLE_FILES);
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('library-count')).toHaveText(`${SAMPLE_FILES.length} photos`, { timeout: 30_000 });

    // `/` outside a text field puts the cursor in the search field.
    const field = page.getByRole('searchbox', { name: 'Search photos' });
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    await expect(field).toBeFocused();
    await expect(field).toHaveValue('');

    // Results as you type: the folder "animals" holds baboon.jpg and butterfly.jpg; "only photos" is a chip.
    await page.keyboard.type('animals only photos');
    const results = page.getByTestId('search-results').getByTestId('photo-cell');
    await expect(results).toHaveCount(2);
    await expect(page.getByTestId('search-count')).toHaveText('2 results');
    await expect(page.getByTestId('library-count')).toHaveCount(0);
    const chip = page.getByTestId('search-chip');
    await expect(chip).toHaveCount(1);
    await expect(chip).toHaveAttribute('data-kind', 'kind');
    await expect(chip).toContainText('Photos');
    // No model and no embedder: the header says words only, and how much is understood.
    await expect(page.getByTestId('search-mode')).toContainText(/words only/i);
    await expect(page.getByTestId('search-coverage')).toHaveText(`0 of ${SAMPLE_FILES.length} photos understood so far`);
    // Each result shows its score and why it matched, the matched word marked.
    await expect(page.getByTestId('match-score').first()).toHaveText(/^Relevance \d{1,3}%$/);
    await expect(page.getByTestId('match-why').first().locator('mark').first()).toHaveText(/animals/i);
    await expect(page.getByTestId('strictness').getByRole('radio', { name: 'Normal' })).toBeChecked();

    // Clicking the chip selects its words in the field.
    await chip.getByRole('button', { name: /select its words/ }).click();
    await expect(field).toBeFocused();
    expect(await field.evaluate((i: HTMLInputElement) => i.value.slice(i.selectionStart ?? 0, i.selectionEnd ?? 0))).toBe('only photos');

    // Dark mode screenshots of the results, wide and small.
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'search-results-1280x800-dark.png', (n) => testInfo.outputPath(n));
    await page.setViewportSize({ width: 800, height: 600 });
    await expect(results.first()).toBeVisible();
    await expect(field).toBeInViewport();
    await expect(page.getByTestId('sort-date')).toBeInViewport();
    await shot(page, 'search-results-800x600-dark.png', (n) => testInfo.outputPath(n));
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });

    // The viewer steps through the two results, not the five photos of the library.
    await results.first().click();
    await expect(page.getByTestId('viewer-position')).toHaveText('1 of 2');
    const names = [await page.getByTestId('viewer-name').textContent()];
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('viewer-position')).toHaveText('2 of 2');
    names.push(await page.getByTestId('viewer-name').textContent());
    await page.keyboard.press('ArrowRight'); // the last result: stays
    await expect(page.getByTestId('viewer-position')).toHaveText('2 of 2');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('viewer-position')).toHaveText('1 of 2');
    expect(names.sort()).toEqual(['baboon.jpg', 'butterfly.jpg']);
    // Esc closes; the focus is back on the result shown last.
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('viewer')).toHaveCount(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-index') ?? null)).toBe('0');
    await expect(page.getByTestId('search-results')).toBeVisible();

    // × on the chip cuts its words out of the query and searches again.
    await chip.getByTestId('search-chip-remove').click();
    await expect(field).toHaveValue('animals');
    await expect(page.getByTestId('search-chip')).toHaveCount(0);
    await expect(results).toHaveCount(2);

    // Sort by date and the strictness control search again with the same words.
    await page.getByTestId('sort-date').click();
    await expect(page.getByTestId('sort-date')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('grid', { name: 'Search results, newest first' })).toBeVisible();
    await expect(results).toHaveCount(2);
    await page.getByTestId('sort-date').click();
    await expect(page.getByRole('grid', { name: 'Search results, best match first' })).toBeVisible();
    const strictness = page.getByTestId('strictness');
    await strictness.getByText('Loose').click();
    await expect(strictness.getByRole('radio', { name: 'Loose' })).toBeChecked();
    await expect(page.getByTestId('search-count')).toHaveText('2 results');
    await strictness.getByText('Normal').click();
    await expect(strictness.getByRole('radio', { name: 'Normal' })).toBeChecked();

    // Nothing found: what was searched, the filter that narrowed it, and what to try.
    await field.fill('animals videos');
    const empty = page.getByTestId('search-empty');
    await expect(empty).toContainText('No photos match “animals videos”');
    await expect(empty).toContainText('Videos');
    await expect(empty).toContainText('Check the spelling');
    await expect(page.getByTestId('suggest-understanding')).toContainText('file names, dates and places');
    await expect(page.getByTestId('search-count')).toHaveText('No results');
    await page.getByTestId('suggest-remove-filter').click();
    await expect(field).toHaveValue('animals');
    await expect(results).toHaveCount(2);
    await field.fill('zzqxv');
    await expect(empty).toContainText('No photos match “zzqxv”');
    await expect(page.getByTestId('suggest-remove-filter')).toHaveCount(0);
    await shot(page, 'search-empty.png', (n) => testInfo.outputPath(n));

    // A query the API refuses (over 10,000 characters): the error inline, the text kept, no crash.
    const long = 'x'.repeat(10_001);
    await field.fill(long);
    await expect(page.getByTestId('search-count')).toHaveText('Search failed');
    await expect(page.getByTestId('search-error')).toHaveText(/^query is too long/);
    await expect(field).toHaveValue(long);
    await shot(page, 'search-error.png', (n) => testInfo.outputPath(n));

    // Esc clears the search: back to the library; a second Esc leaves the field.
    await field.focus();
    await page.keyboard.press('Escape');
    await expect(field).toHaveValue('');
    await expect(page.getByTestId('search-results')).toHaveCount(0);
    await expect(page.getByTestId('library-count')).toHaveText(`${SAMPLE_FILES.length} photos`);
    await expect(page.getByTestId('photo-cell')).toHaveCount(SAMPLE_FILES.length);
    await page.keyboard.press('Escape');
    await expect(field).not.toBeFocused();

    // Recent searches (the one that led to a photo is remembered): ↓ Enter runs it, Delete forgets it.
    await field.focus();
    const recents = page.getByTestId('recent-search');
    await expect(recents.first()).toHaveText(/animals only photos/);
    await shot(page, 'search-recents.png', (n) => testInfo.outputPath(n));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(field).toHaveValue('animals only photos');
    await expect(results).toHaveCount(2);
    await field.fill('');
    await expect(recents.first()).toBeVisible();
    const before = await recents.count();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Delete');
    await expect(recents).toHaveCount(before - 1);
    await expect(recents.filter({ hasText: 'animals only photos' })).toHaveCount(0);

    // Ctrl+K from another page: back to the library with the cursor in the field.
    await page.getByTestId('nav-activity').click();
    await expect(field).toHaveCount(0);
    await page.keyboard.press('Control+k');
    await expect(field).toBeFocused();
    await expect(page.getByTestId('nav-library')).toHaveAttribute('aria-current', 'page');

    expect(errors).toEqual([]);
  } finally {
    await host.stop();
    lib.remove();
  }
});
