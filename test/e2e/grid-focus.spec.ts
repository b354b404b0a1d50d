/**
 * @file End-to-end: the wheel is never pinned by a focused photo that scrolled away (issue 14). After the
 * viewer closes with Esc the grid's focus ring sits on the photo last shown; wheeling must still move the
 * view by what the wheel asked for, also after a click on a part of the page that takes no focus. The
 * focus comes back to the photo (scrolled into view) only on keyboard navigation.
 */
import type { Page } from '@playwright/test';
import { expect, startHost, test } from './fixtures';
import { generatedLibrary } from './generated-library';
import { waitForSteps } from './host-api';

/** About 50 rows of photos over 10 month headers at 1280×800: several screens of scrolling. */
const COUNT = 300;
const WHEEL_STEPS = 10;
const WHEEL_DELTA = 300;

const scrollTop = (page: Page) => page.getByTestId('photo-grid').evaluate((el) => Math.round(el.scrollTop));

/** Wheels down over the grid in steps and returns how far the view moved once it settled. */
async function wheelDown(page: Page): Promise<number> {
  const grid = page.getByTestId('photo-grid');
  const box = await grid.boundingBox();
  if (!box) throw new Error('the grid has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const before = await scrollTop(page);
  for (let i = 0; i < WHEEL_STEPS; i++) {
    await page.mouse.wheel(0, WHEEL_DELTA);
    await page.waitForTimeout(50); // a user's wheel: events over half a second, renders in between
  }
  // Settled: two reads 300 ms apart agree (a pull back to the focused photo would show up as a change).
  let last = -1;
  await expect
    .poll(
      async () => {
        const now = await scrollTop(page);
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [300] },
    )
    .toBe(true);
  return last - before;
}

/** Starts a host on a generated library, opens the grid; `run` gets the page; cleans up after. */
async function withLibrary(page: Page, run: () => Promise<void>): Promise<void> {
  const lib = await generatedLibrary(COUNT);
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('library-count')).toHaveText(`${COUNT} photos`, { timeout: 45_000 });
    // The rows re-pack as the metadata step reads each photo's shape (square until then), and a re-pack
    // keeps the top photo in place by moving scrollTop: a wheel measured while it runs is off by that
    // shift. See [Note: E2E waits on background work] in ./host-api.ts.
    await waitForSteps(host, ['metadata'], COUNT);
    const room = await page.getByTestId('photo-grid').evaluate((el) => el.scrollHeight - el.clientHeight);
    expect(room).toBeGreaterThan(2 * WHEEL_STEPS * WHEEL_DELTA); // so no wheel below is cut short by the end
    await run();
  } finally {
    await host.stop();
    lib.remove();
  }
}

/** Opens the photo at `index` in the viewer and closes it with Esc: the focus ring is on its cell. */
async function openAndClose(page: Page, index: number): Promise<void> {
  const cell = page.locator(`[data-testid=photo-cell][data-index="${index}"]`);
  await cell.click();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('viewer')).toHaveCount(0);
  await expect(cell).toBeFocused();
}

test('the wheel moves the grid after the viewer closes; arrow keys bring the focus ring back', async ({ page }) => {
  test.setTimeout(90_000);
  await withLibrary(page, async () => {
    await openAndClose(page, 0);
    // The wheel moves the view all the way, although the focused photo's row leaves the rendered range.
    expect(await wheelDown(page)).toBe(WHEEL_STEPS * WHEEL_DELTA);
    await expect(page.locator('[data-testid=photo-cell][data-index="0"]')).toHaveCount(0);

    // Keyboard navigation brings the focus ring back on screen, from where it was.
    await page.keyboard.press('ArrowRight');
    const next = page.locator('[data-testid=photo-cell][data-index="1"]');
    await expect(next).toBeFocused();
    await expect(next).toBeInViewport();

    // Home goes to the very top: the first month's header shows too.
    await wheelDown(page);
    await page.keyboard.press('Home');
    await expect(page.locator('[data-testid=photo-cell][data-index="0"]')).toBeFocused();
    await expect.poll(() => scrollTop(page)).toBe(0);
    await expect(page.getByTestId('month-header').first()).toBeInViewport();
  });
});

test('a click on a part of the page that takes no focus ends the grid’s claim; the wheel moves', async ({ page }) => {
  test.setTimeout(90_000);
  await withLibrary(page, async () => {
    await openAndClose(page, 1);
    await page.locator('#library-title').click();
    await expect(page.locator('[data-testid=photo-cell][data-index="1"]')).not.toBeFocused();
    expect(await wheelDown(page)).toBe(WHEEL_STEPS * WHEEL_DELTA);
    // Nothing in the grid took the focus back while it scrolled.
    expect(await page.getByTestId('photo-grid').evaluate((grid) => grid.contains(document.activeElement))).toBe(false);
  });
});
