/**
 * @file Accessibility, checked by axe-core (WCAG 2.1 A and AA, colour contrast included) on every page
 * in the light and the dark theme, with photos in the library, and on the dialogs a user meets first
 * (the viewer, the folder browser, the shortcuts list); and the skip link, the first thing Tab reaches,
 * which takes the keyboard to the photo grid.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, startHost, test, type RunningHost } from './fixtures';

const PAGES = ['library', 'map', 'ask', 'activity', 'tags', 'models', 'settings', 'about'] as const;
const THEMES = ['light', 'dark'] as const;

/** Axe's violations on the page as it is now, one line per failing element, for a readable failure. */
async function violations(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include) builder = builder.include(include);
  const result = await builder.analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? v.help}`),
  );
}

let host: RunningHost;
test.beforeEach(async ({ photos }) => {
  host = await startHost({ library: photos });
});
test.afterEach(async () => {
  await host.stop();
});

for (const theme of THEMES) {
  test(`every page passes axe in the ${theme} theme`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    await page.goto(host.url);
    await expect(page.getByTestId('thumb')).toHaveCount(5, { timeout: 45_000 });
    const found: Record<string, string[]> = {};
    for (const p of PAGES) {
      await page.goto(`${host.origin}/#/${p}`);
      await expect(page.getByTestId(`nav-${p}`)).toHaveAttribute('aria-current', 'page');
      // Pages load their data on demand: wait until nothing says it is loading.
      await expect(page.locator('.content [aria-busy="true"], .content .spinner')).toHaveCount(0, { timeout: 20_000 });
      const v = await violations(page);
      if (v.length) found[p] = v;
    }
    expect(found).toEqual({});
  });

  test(`the viewer, the folder browser and the shortcuts pass axe in the ${theme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    await page.goto(host.url);
    await expect(page.getByTestId('thumb')).toHaveCount(5, { timeout: 45_000 });
    const found: Record<string, string[]> = {};

    await page.getByTestId('photo-cell').first().click();
    await expect(page.getByTestId('metadata-panel')).toBeVisible();
    found['viewer'] = await violations(page, '[data-testid=viewer]');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('viewer')).toHaveCount(0);

    await page.getByTestId('add-folder-button').click();
    await expect(page.getByTestId('folder-browser-current')).toHaveText(/^\//);
    found['folder browser'] = await violations(page, '[data-testid=folder-browser]');
    await page.keyboard.press('Escape');

    await page.getByTestId('shortcuts-button').click();
    await expect(page.getByTestId('shortcuts')).toBeVisible();
    found['shortcuts'] = await violations(page, '[data-testid=shortcuts]');
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length))).toEqual({});
  });
}

test('the skip link is the first stop for Tab and takes the keyboard to the photos', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('thumb')).toHaveCount(5, { timeout: 45_000 });
  await page.keyboard.press('Tab');
  const skip = page.getByTestId('skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toHaveText('Skip to the photos');
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('photo-grid').locator(':focus')).toHaveCount(1);
  // The grid has the keyboard: Enter opens the focused photo.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('viewer')).toBeVisible();
});

test('the shortcuts list is one visible click away', async ({ page }) => {
  await page.goto(host.url);
  const button = page.getByTestId('shortcuts-button');
  await expect(button).toBeVisible();
  await expect(button).toHaveText(/Keyboard shortcuts/);
  await button.click();
  await expect(page.getByTestId('shortcuts')).toBeVisible();
  await expect(page.getByTestId('shortcuts')).toContainText('This list');
});
