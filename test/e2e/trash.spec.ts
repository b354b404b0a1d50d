/**
 * @file End-to-end: "Move to Trash" in a browser against a real headless host, on a scratch folder.
 * The confirmation names the count and the folder; the file goes to the (throwaway) OS trash and
 * nothing else in the folder changes; Undo, Ctrl+Z and Recently removed's Restore bring files back
 * byte for byte; a read-only folder is refused with the reason. The host's trash is
 * `$XDG_DATA_HOME/Trash` inside its data folder (test/e2e/fixtures.ts), never the user's.
 */
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  cellNamed,
  expectPhotoCount,
  openAllPhotos,
  openCollection,
  openLibrary,
  selectionBar,
  snapshot,
  tick,
} from './collections-helpers';
import { expect, SAMPLE_FILES, sampleLibrary, test } from './fixtures';

const without = (files: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(files).filter(([k]) => !names.includes(k)));

/** A note and a sidecar-looking file beside the photos: other files that must never be touched. */
const addOtherFiles = (dir: string) => {
  writeFileSync(join(dir, 'animals', 'notes.txt'), 'not a photo\n');
  writeFileSync(join(dir, 'food', 'orange.jpg.json'), '{"keep": true}\n');
};

test('move to the trash after a confirmation, undo, and restore from Recently removed', async ({ page }) => {
  const lib = await openLibrary(page, SAMPLE_FILES, addOtherFiles);
  const trashFiles = join(lib.host.dataDir, 'xdg-data', 'Trash', 'files');
  try {
    const before = snapshot(lib.dir);
    const original = readFileSync(join(sampleLibrary, 'animals/baboon.jpg'));

    await tick(page, cellNamed(page, 'baboon.jpg'));
    const bar = await selectionBar(page, 1);
    await bar.getByTestId('action-trash').click();
    const dialog = page.getByTestId('trash-dialog');
    await expect(dialog.getByRole('heading')).toHaveText('Move 1 photo to the Trash?');
    // The library folder the file is in, by name.
    await expect(dialog.getByTestId('trash-message')).toContainText(`The original file from ${basename(lib.dir)} will be moved`);
    await expect(dialog.getByTestId('trash-message')).toContainText('Nothing is deleted for good');
    // Cancel first: nothing moves.
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    expect(snapshot(lib.dir)).toEqual(before);

    await bar.getByTestId('action-trash').click();
    await dialog.getByTestId('trash-confirm').click();
    await expectPhotoCount(page, SAMPLE_FILES.length - 1);
    await expect(page.getByTestId('undo-toast')).toContainText('Moved 1 photo to the Trash.');
    // The file is in the throwaway trash; everything else in the folder is as it was.
    expect(existsSync(join(lib.dir, 'animals/baboon.jpg'))).toBe(false);
    const inTrash = readdirSync(trashFiles); // the `trash` package names entries by UUID
    expect(inTrash).toHaveLength(1);
    expect(readFileSync(join(trashFiles, inTrash[0] ?? '')).equals(original)).toBe(true);
    expect(snapshot(lib.dir)).toEqual(without(before, 'animals/baboon.jpg'));

    // Undo puts it back, byte for byte.
    await page.getByTestId('undo-button').click();
    await expectPhotoCount(page, SAMPLE_FILES.length);
    expect(readFileSync(join(lib.dir, 'animals/baboon.jpg')).equals(original)).toBe(true);
    expect(readdirSync(trashFiles)).toEqual([]);
    await expect(page.getByTestId('collections-status')).toHaveText('Restored 1 photo.');

    // Ctrl+Z undoes a move too.
    await tick(page, cellNamed(page, 'coffee.png'));
    await (await selectionBar(page, 1)).getByTestId('action-trash').click();
    await dialog.getByTestId('trash-confirm').click();
    await expectPhotoCount(page, SAMPLE_FILES.length - 1);
    await page.keyboard.press('Control+z');
    await expectPhotoCount(page, SAMPLE_FILES.length);
    expect(existsSync(join(lib.dir, 'coffee.png'))).toBe(true);

    // Two photos; Recently removed restores one.
    await tick(page, cellNamed(page, 'orange.jpg'));
    await tick(page, cellNamed(page, 'butterfly.jpg'));
    await (await selectionBar(page, 2)).getByTestId('action-trash').click();
    await expect(dialog.getByRole('heading')).toHaveText('Move 2 photos to the Trash?');
    await expect(dialog.getByTestId('trash-message')).toContainText(`files from ${basename(lib.dir)} will be moved`);
    await dialog.getByTestId('trash-confirm').click();
    await expectPhotoCount(page, SAMPLE_FILES.length - 2);
    await page.getByTestId('undo-toast').getByRole('button', { name: 'Dismiss' }).click();
    await openCollection(page, 'trash');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Recently removed');
    await expectPhotoCount(page, 2);
    await tick(page, cellNamed(page, 'orange.jpg'));
    const restoreBar = await selectionBar(page, 1);
    await expect(restoreBar.getByTestId('action-trash')).toHaveCount(0);
    await restoreBar.getByTestId('action-restore').click();
    await expectPhotoCount(page, 1);
    expect(existsSync(join(lib.dir, 'food/orange.jpg'))).toBe(true);
    expect(existsSync(join(lib.dir, 'animals/butterfly.jpg'))).toBe(false);
    await openAllPhotos(page);
    await expectPhotoCount(page, SAMPLE_FILES.length - 1);
    expect(snapshot(lib.dir)).toEqual(without(before, 'animals/butterfly.jpg'));
  } finally {
    await lib.close();
  }
});

test('a read-only folder is refused with the reason, and nothing moves', async ({ page }) => {
  test.skip(process.getuid?.() === 0, 'root may write to any folder, so a folder cannot be made read-only for it');
  const lib = await openLibrary(page);
  // The photo is indexed; then its folder becomes read-only.
  const locked = join(lib.dir, '2019 trip');
  chmodSync(locked, 0o555);
  try {
    await tick(page, cellNamed(page, 'astronaut.jpg'));
    await (await selectionBar(page, 1)).getByTestId('action-trash').click();
    const dialog = page.getByTestId('trash-dialog');
    await expect(dialog.getByRole('heading')).toHaveText('Cannot move to the Trash');
    await expect(dialog.getByTestId('trash-refusals')).toContainText('read-only');
    await expect(dialog.getByTestId('trash-confirm')).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(existsSync(join(locked, 'astronaut.jpg'))).toBe(true);
    await expectPhotoCount(page, SAMPLE_FILES.length);
  } finally {
    chmodSync(locked, 0o755);
    await lib.close();
  }
});
