/**
 * @file End-to-end: favourites, ratings, hiding and albums in a browser against a real headless host.
 * Tick photos, act from the selection bar, use `.` and `0`–`5` on the focused photo, and check that
 * the marks survive a reload; hide photos (they leave the grid, the Hidden view brings them back, Undo
 * too); make an album from the selection, add to it, remove from it, rename and delete it, and check
 * that no photo left the library and no file on disk changed.
 */
import {
  cellNamed as cellOf,
  expectPhotoCount,
  focusCell,
  openAllPhotos,
  openCollection,
  openLibrary,
  selectionBar,
  snapshot,
  tick,
} from './collections-helpers';
import AxeBuilder from '@axe-core/playwright';
import { expect, SAMPLE_FILES, startHost, test } from './fixtures';
import { generatedLibrary } from './generated-library';

test('favourite and rate from the selection bar and the keyboard; a reload keeps them', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const lib = await openLibrary(page);
  try {
    const [first, second, third] = ['orange.jpg', 'coffee.png', 'butterfly.jpg'];

    // Tick one photo: the bar counts it and favourites it; the tile shows the heart.
    await tick(page, cellOf(page, first));
    const bar = await selectionBar(page, 1);
    await bar.getByTestId('action-favourite').click();
    await expect(cellOf(page, first).getByTestId('tile-favourite')).toBeVisible();
    await expect(bar.getByTestId('action-favourite')).toHaveText(/Unfavourite/);

    // A second ticked photo: rate both 3 stars from the Rate menu, with the keyboard.
    await tick(page, cellOf(page, second));
    await selectionBar(page, 2);
    await bar.getByTestId('action-rate').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('menuitem', { name: '1 star' })).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('menuitem', { name: '3 stars' })).toBeFocused();
    await page.keyboard.press('Enter');
    for (const id of [first, second]) await expect(cellOf(page, id).getByTestId('tile-rating')).toHaveAttribute('data-rating', '3');
    await expect(cellOf(page, first)).toHaveAccessibleDescription('Favourite, 3 stars');

    // Esc clears the selection; `.` and a digit then act on the focused photo only.
    await page.keyboard.press('Escape');
    await focusCell(page, cellOf(page, third));
    await expect(page.getByTestId('selection-bar')).toHaveCount(0);
    await page.keyboard.press('.');
    await page.keyboard.press('5');
    await expect(cellOf(page, third).getByTestId('tile-favourite')).toBeVisible();
    await expect(cellOf(page, third).getByTestId('tile-rating')).toHaveAttribute('data-rating', '5');
    await expect(page.getByTestId('collections-status')).toHaveText('Rated 1 photo 5 stars.');
    await expect(cellOf(page, second).getByTestId('tile-favourite')).toHaveCount(0);

    // A reload asks the host again: the marks were stored.
    await page.reload();
    await expectPhotoCount(page, SAMPLE_FILES.length);
    await expect(cellOf(page, first).getByTestId('tile-favourite')).toBeVisible();
    await expect(cellOf(page, first).getByTestId('tile-rating')).toHaveAttribute('data-rating', '3');
    await expect(cellOf(page, second).getByTestId('tile-rating')).toHaveAttribute('data-rating', '3');
    await expect(cellOf(page, third).getByTestId('tile-rating')).toHaveAttribute('data-rating', '5');
    await expect(page.getByTestId('tile-favourite')).toHaveCount(2);

    // The Favourites view shows the two favourites; `.` there takes one out again, and `0` clears a rating.
    await openCollection(page, 'favourites');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Favourites');
    await expectPhotoCount(page, 2);
    await focusCell(page, cellOf(page, first));
    await page.keyboard.press('0');
    await expect(cellOf(page, first).getByTestId('tile-rating')).toHaveCount(0);
    await page.keyboard.press('.');
    await expectPhotoCount(page, 1);
    await openAllPhotos(page);
    await expectPhotoCount(page, SAMPLE_FILES.length);
    await expect(page.getByTestId('tile-favourite')).toHaveCount(1);
    expect(errors).toEqual([]);
  } finally {
    await lib.close();
  }
});

test('hide photos: they leave the grid, Undo or the Hidden view brings them back', async ({ page }) => {
  const lib = await openLibrary(page);
  try {
    const hidden = 'orange.jpg';
    await tick(page, cellOf(page, hidden));
    const bar = await selectionBar(page, 1);
    await bar.getByTestId('action-hide').click();
    await expectPhotoCount(page, SAMPLE_FILES.length - 1);
    await expect(cellOf(page, hidden)).toHaveCount(0);
    await expect(page.getByTestId('selection-bar')).toHaveCount(0);
    // The bar went away with the focus on it: the keyboard is back in the grid.
    await expect(page.locator('[data-testid=photo-grid] [data-testid=photo-cell]:focus, [data-testid=photo-grid]:focus')).toHaveCount(1);

    // Undo (the toast's button) brings it back; Ctrl+Z after a second hide does too.
    await expect(page.getByTestId('undo-toast')).toContainText('Hid 1 photo');
    await page.getByTestId('undo-button').click();
    await expectPhotoCount(page, SAMPLE_FILES.length);
    await tick(page, cellOf(page, 'coffee.png'));
    await (await selectionBar(page, 1)).getByTestId('action-hide').click();
    await expectPhotoCount(page, SAMPLE_FILES.length - 1);
    await page.keyboard.press('Control+z');
    await expectPhotoCount(page, SAMPLE_FILES.length);

    // Hide two, then bring them back from the Hidden view.
    await tick(page, cellOf(page, hidden));
    await tick(page, cellOf(page, 'baboon.jpg'));
    await (await selectionBar(page, 2)).getByTestId('action-hide').click();
    await expectPhotoCount(page, SAMPLE_FILES.length - 2);
    await openCollection(page, 'hidden');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hidden');
    await expectPhotoCount(page, 2);
    await expect(cellOf(page, hidden)).toHaveCount(1);
    await page.getByTestId('photo-grid').focus();
    await page.keyboard.press('Control+a');
    const hiddenBar = await selectionBar(page, 2);
    await expect(hiddenBar.getByTestId('action-hide')).toHaveText('Unhide');
    await hiddenBar.getByTestId('action-hide').click();
    await expect(page.getByTestId('empty-collection')).toContainText('No hidden photos');
    await openAllPhotos(page);
    await expectPhotoCount(page, SAMPLE_FILES.length);
  } finally {
    await lib.close();
  }
});

test('albums: make one from the selection, add, remove, rename, delete; photos and files stay', async ({ page }) => {
  const lib = await openLibrary(page);
  try {
    const before = snapshot(lib.dir);
    const [a, b, c] = ['orange.jpg', 'coffee.png', 'butterfly.jpg'];

    // "New album…" from the selection bar makes an album with the ticked photos.
    await tick(page, cellOf(page, a));
    await tick(page, cellOf(page, b));
    let bar = await selectionBar(page, 2);
    await bar.getByTestId('action-add-to-album').click();
    await page.getByTestId('album-menu-new').click();
    const dialog = page.getByTestId('name-dialog');
    await expect(dialog.getByTestId('name-input')).toBeFocused();
    await dialog.getByTestId('name-input').fill('Summer');
    await dialog.getByTestId('name-save').click();
    await expect(dialog).toHaveCount(0);
    const entry = page.getByTestId('collection-album');
    await expect(entry).toHaveText(/Summer\s*2/);

    // Add a third photo through the menu's existing album.
    await page.keyboard.press('Escape');
    await tick(page, cellOf(page, c));
    bar = await selectionBar(page, 1);
    await bar.getByTestId('action-add-to-album').click();
    await page.getByTestId('album-menu-item').filter({ hasText: 'Summer' }).click();
    await expect(entry).toHaveText(/Summer\s*3/);

    // The album's view; remove one photo from it: the album shrinks, the library does not.
    await entry.click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Summer');
    await expectPhotoCount(page, 3);
    for (const id of [a, b, c]) await expect(cellOf(page, id)).toHaveCount(1);
    const removed = b;
    await tick(page, cellOf(page, removed));
    await (await selectionBar(page, 1)).getByTestId('action-remove-from-album').click();
    await expectPhotoCount(page, 2);
    await expect(cellOf(page, removed)).toHaveCount(0);
    await expect(page.getByTestId('undo-toast')).toContainText('still in the library');

    // Rename and delete on the Albums page; the confirmation says photos are never deleted.
    await page.getByTestId('collection-albums').click();
    const card = page.getByTestId('album-card');
    await expect(card.getByTestId('album-name')).toHaveText('Summer');
    await expect(card.getByTestId('album-count')).toHaveText('2 photos');
    await card.getByTestId('album-rename').click();
    await expect(dialog.getByTestId('name-input')).toHaveValue('Summer');
    await dialog.getByTestId('name-input').fill('Seaside 2024');
    await page.keyboard.press('Enter');
    await expect(card.getByTestId('album-name')).toHaveText('Seaside 2024');
    await expect(entry).toHaveText(/Seaside 2024\s*2/);
    await card.getByTestId('album-delete').click();
    await expect(page.getByTestId('confirm-dialog')).toContainText('Deleting an album never deletes photos');
    await page.getByTestId('confirm-ok').click();
    await expect(page.getByTestId('albums-empty')).toBeVisible();
    await expect(page.getByTestId('album-create')).toBeFocused();
    await expect(entry).toHaveCount(0);

    await openAllPhotos(page);
    await expectPhotoCount(page, SAMPLE_FILES.length);
    expect(snapshot(lib.dir)).toEqual(before);
  } finally {
    await lib.close();
  }
});

test('select all over unloaded pages: one small request favourites every photo but the unticked one', async ({ page }) => {
  test.setTimeout(120_000);
  const COUNT = 450; // more than two of the grid's 200-photo pages; most never load
  const lib = await generatedLibrary(COUNT);
  const host = await startHost({ library: lib.dir });
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && sent.push(f.payload)));
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('library-count')).toHaveText(`${COUNT} photos`, { timeout: 60_000 });
    await page.getByTestId('photo-cell').first().focus();
    await page.keyboard.press('Control+a');
    const bar = await selectionBar(page, COUNT);
    // Untick the first photo: the selection is now "all but one".
    const first = page.locator('[data-testid=photo-cell][data-index="0"]');
    const name = ((await first.getAttribute('aria-label')) ?? '').split(',')[0] ?? '';
    await first.click({ modifiers: ['Control'] });
    await selectionBar(page, COUNT - 1);
    await bar.getByTestId('action-favourite').click();
    await expect(page.getByTestId('collections-status')).toHaveText(`Added ${COUNT - 1} photos to Favourites.`);

    const request = sent.find((f) => f.includes('"photos:setFavourite"'));
    expect(request).toBeDefined();
    expect(request!.length).toBeLessThan(400);
    const args = (JSON.parse(request!) as { args: { selection: { all?: boolean; except?: number[] } } }).args;
    expect(args.selection.all).toBe(true);
    expect(args.selection.except).toHaveLength(1);

    await openCollection(page, 'favourites');
    await expect(page.getByTestId('library-count')).toHaveText(`${COUNT - 1} photos`);
    await expect(cellOf(page, name)).toHaveCount(0);
  } finally {
    await host.stop();
    lib.remove();
  }
});

for (const theme of ['light', 'dark'] as const) {
  test(`the selection bar, its menus, the dialogs, badges and the Albums page pass axe in the ${theme} theme`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    const lib = await openLibrary(page);
    const axe = async (include: string) => {
      const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).include(include).analyze();
      return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary ?? v.help}`));
    };
    try {
      await tick(page, cellOf(page, 'orange.jpg'));
      const bar = await selectionBar(page, 1);
      await bar.getByTestId('action-favourite').click();
      await page.keyboard.press('Escape');
      await focusCell(page, cellOf(page, 'orange.jpg'));
      await page.keyboard.press('4');
      await expect(cellOf(page, 'orange.jpg').getByTestId('tile-rating')).toBeVisible();
      await tick(page, cellOf(page, 'coffee.png'));
      await selectionBar(page, 1);
      const found: Record<string, string[]> = {};
      found['grid and bar'] = await axe('.content');
      await bar.getByTestId('action-rate').click();
      found['rate menu'] = await axe('[role=menu]');
      await page.keyboard.press('Escape');
      await bar.getByTestId('action-add-to-album').click();
      await page.getByTestId('album-menu-new').click();
      found['name dialog'] = await axe('[data-testid=name-dialog]');
      await page.getByTestId('name-input').fill('Axe');
      await page.getByTestId('name-save').click();
      await bar.getByTestId('action-trash').click();
      found['trash dialog'] = await axe('[data-testid=trash-dialog]');
      await page.keyboard.press('Escape');
      await page.getByTestId('collection-albums').click();
      await expect(page.getByTestId('album-card')).toHaveCount(1);
      found['albums page'] = await axe('.content');
      found['sidebar'] = await axe('[data-testid=collections]');
      expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({});
    } finally {
      await lib.close();
    }
  });
}
