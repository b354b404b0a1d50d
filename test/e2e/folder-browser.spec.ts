/**
 * @file The headless host's folder browser ([Note: Folder browser] in preload/contract/folders.ts), as
 * a user meets it: it opens at home, hides dot-folders until asked, walks folders with the keyboard,
 * expands `~`, offers home, the computer's root and recent folders, and adds the chosen folder.
 * The host runs with HOME pointing at a scratch folder so what "home" holds is known.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, scratchLibrary, startHost, test, type RunningHost } from './fixtures';

let home: string;
let host: RunningHost;
test.beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'shoebox-e2e-home-'));
  const photos = scratchLibrary(['animals/baboon.jpg', 'food/orange.jpg']);
  mkdirSync(join(home, 'Pictures'));
  mkdirSync(join(home, 'Documents'));
  mkdirSync(join(home, '.secret'));
  // The scratch photos become ~/Pictures/2019.
  renameSync(photos.dir, join(home, 'Pictures', '2019'));
  host = await startHost({ env: { HOME: home } });
});
test.afterEach(async () => {
  await host.stop();
  rmSync(home, { recursive: true, force: true });
});

test('walk from home with the keyboard, show hidden folders, add a folder, find it under Recent', async ({ page }) => {
  await page.goto(host.url);
  await page.getByTestId('add-folder-button').click();
  const browser = page.getByTestId('folder-browser');
  const current = browser.getByTestId('folder-browser-current');
  const entries = browser.getByTestId('folder-entry');
  await expect(current).toHaveText(home);
  await expect(entries).toHaveText(['Documents', 'Pictures']);
  await expect(browser).toContainText('1 hidden folder not shown');

  await browser.getByTestId('folder-browser-hidden').check();
  await expect(entries).toHaveText(['.secret', 'Documents', 'Pictures']);
  await browser.getByTestId('folder-browser-hidden').uncheck();
  await expect(entries).toHaveText(['Documents', 'Pictures']);

  // Keyboard: the list takes focus, a letter jumps, Enter opens, Backspace goes up.
  const list = browser.getByTestId('folder-entries');
  await list.focus();
  await page.keyboard.press('p');
  await expect(entries.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(browser.getByTestId('folder-browser-add')).toHaveText('Add “Pictures”');
  await page.keyboard.press('Enter');
  await expect(current).toHaveText(join(home, 'Pictures'));
  await expect(entries).toHaveText(['2019']);
  await page.keyboard.press('Backspace');
  await expect(current).toHaveText(home);
  await expect(list).toBeFocused();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await expect(current).toHaveText(join(home, 'Pictures'));
  await page.keyboard.press('ArrowDown');
  await expect(browser.getByTestId('folder-browser-add')).toHaveText('Add “2019”');
  await browser.getByTestId('folder-browser-add').click();
  await expect(browser).toHaveCount(0);
  await expect(page.getByTestId('folder-item')).toHaveCount(1);
  await expect(page.getByTestId('folder-item').locator('button[title]')).toHaveAttribute('title', join(home, 'Pictures', '2019'));
  await expect(page.getByTestId('photo-cell')).toHaveCount(2, { timeout: 30_000 });

  // Reopened: places offer home, the computer, and the folder the last one was added from.
  await page.getByTestId('add-folder-button').click();
  const places = browser.getByRole('navigation', { name: 'Places' });
  await expect(places.getByRole('button', { name: 'Home' })).toBeVisible();
  await expect(places.getByRole('button', { name: 'Computer' })).toBeVisible();
  await places.getByRole('heading', { name: 'Recent' }).waitFor();
  await places.getByRole('button', { name: 'Pictures' }).click();
  await expect(current).toHaveText(join(home, 'Pictures'));
  await places.getByRole('button', { name: 'Computer' }).click();
  await expect(current).toHaveText('/');
  await expect(browser.getByTestId('folder-browser-up')).toBeDisabled();

  // ~ means home, typed or with a path after it.
  await browser.getByTestId('folder-browser-path').fill('~/Documents');
  await browser.getByTestId('folder-browser-path').press('Enter');
  await expect(current).toHaveText(join(home, 'Documents'));
  await expect(browser.getByText('No folders in here.')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(browser).toHaveCount(0);
  await expect(page.getByTestId('folder-item')).toHaveCount(1);
});
