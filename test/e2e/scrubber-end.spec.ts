/**
 * @file End-to-end: the date scrubber's End puts the grid at its very end and keeps it there when the view
 * gets shorter (a banner shows, the window shrinks) and when the content grows (rows re-packing as the
 * metadata step reads the photos' shapes); Home puts it at the very top. See [Note: Holding the end] in
 * renderer/src/features/library/use-end-hold.ts.
 */
import type { Page } from '@playwright/test';
import { expect, startHost, test, type RunningHost } from './fixtures';
import { generatedLibrary } from './generated-library';
import { distanceToEnd, shapeOf } from './grid-view';
import { hostCall, waitForSteps } from './host-api';

/** One a day back from 30 June 2024: the oldest month (September 2023) has a single photo, so the month at
 * the top of a view at the end is an earlier one than End's. */
const TOTAL = 275;

/**
 * Runs `body` on a library of TOTAL generated photos: with the metadata step finished (no re-pack of the
 * rows after it: [Note: E2E waits on background work] in ./host-api.ts), or with processing paused before
 * the page opens (every cell a square until it is resumed).
 */
async function withLibrary(page: Page, paused: boolean, body: (host: RunningHost) => Promise<void>): Promise<void> {
  const lib = await generatedLibrary(TOTAL);
  const host = await startHost({ library: lib.dir });
  try {
    if (paused) await hostCall(host, 'jobs:pause');
    await page.goto(host.url);
    await expect(page.getByTestId('library-count')).toHaveText(`${TOTAL} photos`, { timeout: 60_000 });
    if (!paused) await waitForSteps(host, ['metadata'], TOTAL);
    await body(host);
  } finally {
    await host.stop();
    lib.remove();
  }
}

const grid = (page: Page) => page.getByTestId('photo-grid');
const track = (page: Page) => page.getByRole('slider', { name: 'Jump to a date' });
const cell = (page: Page, index: number) => page.locator(`[data-testid=photo-cell][data-index="${index}"]`);

test('the toolbar keeps one row as the month it names changes, in a wide and a narrower window', async ({ page }) => {
  test.setTimeout(120_000);
  await withLibrary(page, false, async () => {
    const toolbar = page.locator('.library-toolbar');
    const month = toolbar.locator('.toolbar-month');
    await expect(month).toHaveText('June 2024');
    const height = async () => (await toolbar.boundingBox())!.height;
    const oneRow = await height(); // 1280 px wide: everything fits
    // 1200 px: the title, the count and the month broke onto two lines here, a toolbar 26 px taller (and a
    // grid as much shorter), as the space or the month's name changed ([Note: One-line toolbar] in shell.css).
    await page.setViewportSize({ width: 1200, height: page.viewportSize()!.height });
    await expect.poll(height).toBe(oneRow);
    await track(page).focus();
    await page.keyboard.press('End');
    await expect(month).not.toHaveText('June 2024');
    expect(await height()).toBe(oneRow);
    await expect(toolbar.locator('h1')).toHaveJSProperty('scrollWidth', await toolbar.locator('h1').evaluate((el) => el.clientWidth));
  });
});

test("the grid's own End goes to the very end too, and holds it when the view gets shorter", async ({ page }) => {
  test.setTimeout(120_000);
  await withLibrary(page, false, async () => {
    const toEnd = distanceToEnd(grid(page));
    await cell(page, 0).focus();
    await page.keyboard.press('End');
    await expect(cell(page, TOTAL - 1)).toBeFocused();
    // Its bottom padding in view as well (the last row alone left the view 16 px short of the end).
    await expect.poll(toEnd).toBeLessThanOrEqual(2);
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: viewport.width, height: viewport.height - 26 });
    await expect.poll(toEnd, { timeout: 5000 }).toBeLessThanOrEqual(2);
    await expect(cell(page, TOTAL - 1)).toBeInViewport();
  });
});

test('End holds the view at the very end when the view gets shorter (a banner shows, the window shrinks)', async ({ page }) => {
  test.setTimeout(120_000);
  await withLibrary(page, false, async () => {
    const toEnd = distanceToEnd(grid(page));
    await track(page).focus();
    await page.keyboard.press('End');
    // The oldest month's longer name wrapped the toolbar here (26 px off the grid's bottom just after End
    // landed) until the month label kept to one line; the view gets 26 px shorter for certain here, as a
    // banner showing above the grid makes it: neither is a scroll nor a change of the content's height.
    await expect.poll(toEnd).toBeLessThanOrEqual(2);
    const viewport = page.viewportSize()!;
    const height = () => grid(page).evaluate((el) => el.clientHeight);
    const before = await height();
    await page.setViewportSize({ width: viewport.width, height: viewport.height - 26 });
    await expect.poll(height).toBe(before - 26);
    await expect.poll(toEnd, { timeout: 5000 }).toBeLessThanOrEqual(2);
    await expect(cell(page, TOTAL - 1)).toBeInViewport();
    // The scrubber still names End's month: the view moved with the end, not away from it.
    await expect(track(page)).toHaveAttribute('aria-valuetext', 'September 2023');
  });
});

test('End holds the view at the end when the content grows before the browser reports the scroll', async ({ page }) => {
  test.setTimeout(120_000);
  await withLibrary(page, false, async () => {
    const toEnd = distanceToEnd(grid(page));
    await track(page).focus();
    await page.keyboard.press('ArrowDown');
    await expect(track(page)).toHaveAttribute('aria-valuenow', '1');
    await expect.poll(toEnd).toBeGreaterThan(100);

    // A re-pack that lands between the key press and the browser's report of the scroll (a frame later),
    // made certain: the content grows by 300 px in the key press's own task (React sets its height again
    // only when the layout's changes, and the metadata step has finished).
    const writtenShort = await grid(page).evaluate((el) => {
      const slider = document.querySelector('[role=slider]')!;
      slider.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true, cancelable: true }));
      const short = el.scrollHeight - el.clientHeight - el.scrollTop;
      const content = el.firstElementChild as HTMLElement;
      content.style.height = `${parseFloat(content.style.height) + 300}px`;
      return Math.round(short);
    });
    expect(writtenShort).toBe(0); // End reached the end of the content as it was
    await expect.poll(toEnd, { timeout: 5000 }).toBeLessThanOrEqual(2);
    await page.waitForTimeout(1000); // and stays there
    expect(await toEnd()).toBeLessThanOrEqual(2);
    await expect(cell(page, TOTAL - 1)).toBeInViewport();
  });
});

test('End stays at the very end while the rows re-pack under it, and Home goes to the very top', async ({ page }) => {
  test.setTimeout(120_000);
  // Processing held: every cell is a square until the metadata step reads its photo's shape (3:2 here),
  // which is let go only once End has put the view at the end, so the rows re-pack under it for certain.
  await withLibrary(page, true, async (host) => {
    const toEnd = distanceToEnd(grid(page));
    const last = cell(page, TOTAL - 1);
    const shape = shapeOf(last);
    await track(page).focus();
    await page.keyboard.press('End');
    await expect.poll(toEnd).toBeLessThanOrEqual(2);
    await expect(last).toBeInViewport();
    expect(await shape()).toBe(1);

    await hostCall(host, 'jobs:resume');
    await waitForSteps(host, ['metadata'], TOTAL);
    // Re-packed: the last photo has its own shape now, and the view is still at the very end.
    await expect.poll(shape, { timeout: 30_000 }).toBe(1.5);
    await expect.poll(toEnd).toBeLessThanOrEqual(2);
    await expect(last).toBeInViewport();
    await expect(track(page)).toHaveAttribute('aria-valuetext', 'September 2023');

    await track(page).focus();
    await page.keyboard.press('Home');
    await expect.poll(() => grid(page).evaluate((el) => el.scrollTop)).toBe(0);
    await expect(cell(page, 0)).toBeInViewport();
  });
});
