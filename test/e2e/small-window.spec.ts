/**
 * @file Shoebox in an 800×600 window: the sidebar folds into a drawer behind a Menu button, the grid
 * gets the whole width, nothing overflows sideways, and the viewer's details panel lies over the photo
 * instead of squeezing it. Screenshots of each state are attached to the test (test-results/ and the
 * report) for a person to look at, in both themes.
 */
import type { Page, TestInfo } from '@playwright/test';
import { expect, startHost, test, type RunningHost } from './fixtures';

test.use({ viewport: { width: 800, height: 600 } });

let host: RunningHost;
test.beforeEach(async ({ photos }) => {
  host = await startHost({ library: photos });
});
test.afterEach(async () => {
  await host.stop();
});

/** A screenshot kept as a test artefact (test-results/<test>/<name>.png) and attached to the report. */
async function shot(page: Page, info: TestInfo, name: string) {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await info.attach(name, { path, contentType: 'image/png' });
}

/** Nothing is wider than the window: no sideways scrolling, no element poking out to the right. */
async function expectNoOverflow(page: Page) {
  const { scrollWidth, innerWidth, outside } = await page.evaluate(() => {
    const w = window.innerWidth;
    const wide = Array.from(document.querySelectorAll<HTMLElement>('.content *')).filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > w + 1 && getComputedStyle(el).visibility !== 'hidden';
    });
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: w,
      outside: wide.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    };
  });
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  expect(outside).toEqual([]);
}

for (const theme of ['light', 'dark'] as const) {
  test(`800×600 (${theme}): drawer sidebar, full-width grid, overlaid viewer panel`, async ({ page }, info) => {
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    await page.goto(host.url);
    await expect(page.getByTestId('thumb')).toHaveCount(5, { timeout: 45_000 });

    // The sidebar is folded away; the grid starts at the left edge and fills the width.
    const sidebar = page.getByRole('complementary', { name: 'Sidebar' });
    await expect(sidebar).toBeHidden();
    const toggle = page.getByTestId('nav-toggle');
    await expect(toggle).toBeVisible();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    const grid = page.getByTestId('photo-grid');
    await expect(grid).toBeInViewport();
    const box = (await grid.boundingBox())!;
    expect(box.x).toBeLessThan(4);
    expect(box.width).toBeGreaterThan(780);
    await expect(page.getByTestId('photo-cell').first()).toBeInViewport();
    await expectNoOverflow(page);
    await shot(page, info, `library-${theme}`);

    // The Menu opens the sidebar over the page; choosing a page closes it.
    await toggle.click();
    await expect(sidebar).toBeVisible();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(sidebar).toBeInViewport({ ratio: 1 });
    await shot(page, info, `drawer-${theme}`);
    await page.getByTestId('nav-models').click();
    await expect(sidebar).toBeHidden();
    await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
    await expectNoOverflow(page);
    await shot(page, info, `models-${theme}`);

    // Esc closes the drawer too.
    await toggle.click();
    await expect(sidebar).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(sidebar).toBeHidden();

    for (const p of ['activity', 'settings', 'about', 'tags', 'ask']) {
      await page.goto(`${host.origin}/#/${p}`);
      await expect(page.getByTestId(`nav-${p}`)).toHaveAttribute('aria-current', 'page');
      await expectNoOverflow(page);
    }

    // The viewer: the photo keeps the whole width, the details panel lies over its right side.
    await page.goto(`${host.origin}/#/library`);
    await page.getByTestId('photo-cell').first().click();
    const panel = page.getByTestId('metadata-panel');
    await expect(panel).toBeVisible();
    const area = (await page.getByTestId('viewer-area').boundingBox())!;
    const panelBox = (await panel.boundingBox())!;
    expect(area.width).toBeGreaterThan(780);
    expect(panelBox.x + panelBox.width).toBeLessThanOrEqual(801);
    expect(panelBox.x).toBeGreaterThan(400);
    // No control of the viewer's bar hides under the panel.
    for (const control of await page.getByTestId('viewer').locator('.viewer-bar button').all()) {
      const b = (await control.boundingBox())!;
      expect(b.x + b.width, await control.innerText()).toBeLessThanOrEqual(panelBox.x);
    }
    await shot(page, info, `viewer-${theme}`);
  });
}

test('at 1280×800 the sidebar stays beside the page, without a Menu button', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(host.url);
  await expect(page.getByRole('complementary', { name: 'Sidebar' })).toBeInViewport();
  await expect(page.getByTestId('nav-toggle')).toBeHidden();
});
