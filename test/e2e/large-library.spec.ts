/**
 * @file End-to-end: a library bigger than one page of the grid's cache (450 distinct generated photos
 * over 15 months, by file time), so pages are fetched on demand as the grid scrolls: End jumps to the
 * oldest photo, the viewer crosses a page boundary with ←, and only the rows on screen are in the DOM.
 */
import { expect, startHost, test } from './fixtures';
import { generatedLibrary } from './generated-library';
import { waitForSteps } from './host-api';

const COUNT = 450;

test('pages load on demand: End, Home and the viewer across a page boundary', async ({ page }) => {
  test.setTimeout(90_000);
  const lib = await generatedLibrary(COUNT);
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('library-count')).toHaveText(`${COUNT} photos`, { timeout: 45_000 });
    // Cells are square until the metadata step reads their shape: the zoom below compares a cell's width
    // before and after, which a re-pack in between would change too ([Note: E2E waits on background work]
    // in ./host-api.ts).
    await waitForSteps(host, ['metadata'], COUNT);
    expect(await page.getByTestId('month-header').count()).toBeGreaterThan(1);
    // Virtual: a few rows on screen, not 450 cells.
    expect(await page.getByTestId('photo-cell').count()).toBeLessThan(120);

    await page.getByTestId('photo-cell').first().focus();
    await page.keyboard.press('End');
    const last = page.locator(`[data-testid=photo-cell][data-index="${COUNT - 1}"]`);
    await expect(last).toBeFocused();
    await expect(last).toHaveAttribute('data-photo-id', /\d+/, { timeout: 15_000 });
    await expect(last.getByTestId('thumb')).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('[data-testid=photo-cell][data-index="0"]')).toHaveCount(0);

    // The viewer walks back over the boundary between the third and second page (index 400 → 399).
    await page.keyboard.press('Home');
    await expect(page.locator('[data-testid=photo-cell][data-index="0"]')).toBeFocused();
    await page.keyboard.press('End');
    await expect(last).toBeFocused();
    for (let i = 0; i < 49; i++) await page.keyboard.press('ArrowLeft');
    await expect(page.locator('[data-testid=photo-cell][data-index="400"]')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('viewer-position')).toHaveText(`401 of ${COUNT}`);
    const name = await page.getByTestId('viewer-name').textContent();
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('viewer-position')).toHaveText(`400 of ${COUNT}`);
    await expect(page.getByTestId('viewer-name')).not.toHaveText(name ?? '');
    await expect(page.getByTestId('viewer-name')).toHaveText(/img-0\d{3}\.png/);
    await page.keyboard.press('Escape');
    const focused = page.locator('[data-testid=photo-cell][data-index="399"]');
    await expect(focused).toBeFocused();

    // + and - zoom the grid; the focused photo stays on screen.
    const width = async () => (await focused.boundingBox({ timeout: 1000 }).catch(() => null))?.width ?? 0;
    // The baseline is read once, so it must be a real one: width() gives 0 when the box is not read
    // within a second (a loaded machine), and no cell ever gets narrower than that.
    await expect(focused).toBeVisible();
    const before = (await focused.boundingBox())?.width ?? 0;
    expect(before).toBeGreaterThan(0);
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await expect.poll(width).toBeGreaterThan(before + 20);
    await expect(focused).toBeInViewport();
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await expect.poll(width).toBeLessThan(before);
    await expect(focused).toBeInViewport();
    await expect(focused).toBeFocused();

    // A re-layout that re-creates the focused cell's row (here a narrower window) keeps the focus.
    await page.setViewportSize({ width: 900, height: 800 });
    await expect(focused).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('[data-testid=photo-cell][data-index="400"]')).toBeFocused();
  } finally {
    await host.stop();
    lib.remove();
  }
});
