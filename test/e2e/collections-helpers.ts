/**
 * @file Helpers shared by the collections end-to-end specs (collections.spec.ts, trash.spec.ts): a host
 * on a scratch copy of sample photos, ticking photos in the grid, the selection bar's actions, and
 * reading the cells' favourite and rating badges.
 */
import type { Locator, Page } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, SAMPLE_FILES, scratchLibrary, startHost, type RunningHost } from './fixtures';

export interface Library {
  host: RunningHost;
  dir: string;
  close: () => Promise<void>;
}

/**
 * A host serving a scratch copy of `files` (`prepare` may add other files first), the page on its
 * library with every photo shown.
 */
export async function openLibrary(page: Page, files: string[] = SAMPLE_FILES, prepare?: (dir: string) => void): Promise<Library> {
  const lib = scratchLibrary(files);
  prepare?.(lib.dir);
  const host = await startHost({ library: lib.dir });
  const close = async () => {
    await host.stop();
    lib.remove();
  };
  try {
    await page.goto(host.url);
    await expectPhotoCount(page, files.length);
    // The grid re-sorts as the scan reads capture dates; a tick lands on an index, so wait for the final order.
    if (files === SAMPLE_FILES) await expect.poll(() => cellNames(page), { timeout: 30_000 }).toEqual(SAMPLE_ORDER);
  } catch (err) {
    await close();
    throw err;
  }
  return { host, dir: lib.dir, close };
}

/** The sample photos newest first, by the capture dates in their EXIF. */
export const SAMPLE_ORDER = ['orange.jpg', 'coffee.png', 'butterfly.jpg', 'baboon.jpg', 'astronaut.jpg'];

/** The file names of the cells on screen, in grid order. */
export function cellNames(page: Page): Promise<string[]> {
  return page.getByTestId('photo-cell').evaluateAll((cells) =>
    cells
      .map((c) => [Number(c.getAttribute('data-index')), (c.getAttribute('aria-label') ?? '').split(',')[0] ?? ''] as const)
      .sort((x, y) => x[0] - y[0])
      .map(([, name]) => name),
  );
}

/** The toolbar's count and the number of cells agree on `n` photos. */
export async function expectPhotoCount(page: Page, n: number): Promise<void> {
  await expect(page.getByTestId('library-count')).toHaveText(`${n} ${n === 1 ? 'photo' : 'photos'}`, { timeout: 45_000 });
  await expect(page.getByTestId('photo-cell')).toHaveCount(n);
}

export const cellAt = (page: Page, index: number): Locator => page.locator(`[data-testid=photo-cell][data-index="${index}"]`);

/**
 * The cell of the photo whose file is named `name`. Tests find photos by name: an index (or the id read
 * at one) can point at another photo after the scan has read the capture dates and re-sorted the grid.
 */
export const cellNamed = (page: Page, name: string): Locator => page.locator(`[data-testid=photo-cell][aria-label^="${name},"]`);

/** Ticks the photo at `index` (or that cell) with its check, as a pointer user does. */
export async function tick(page: Page, at: number | Locator): Promise<void> {
  const cell = typeof at === 'number' ? cellAt(page, at) : at;
  await cell.hover();
  await cell.getByTestId('cell-check').click();
  await expect(cell).toHaveAttribute('aria-selected', 'true');
}

/** The selection bar, after checking it counts `n`. */
export async function selectionBar(page: Page, n: number): Promise<Locator> {
  const bar = page.getByTestId('selection-bar');
  await expect(bar.getByTestId('selection-count')).toHaveText(`${n} selected`);
  return bar;
}

/** Opens a sidebar collection ('favourites', 'albums', 'hidden', 'trash'). */
export async function openCollection(page: Page, kind: 'favourites' | 'albums' | 'hidden' | 'trash'): Promise<void> {
  await page.getByTestId(`collection-${kind}`).click();
}

/** Opens "All photos" in the sidebar's folder list. */
export async function openAllPhotos(page: Page): Promise<void> {
  await page
    .getByTestId('folders')
    .getByRole('button', { name: /^All photos/ })
    .click();
}

/** Opens a photo in the viewer and closes it: the grid's focus ring is on it, without a selection. */
export async function focusCell(page: Page, cell: Locator): Promise<void> {
  await cell.click();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('viewer')).toHaveCount(0);
  await expect(cell).toBeFocused();
}

/** Every file under `dir` with its size and mtime: what "untouched" is checked against. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out[relative(dir, p)] = `${s.size}:${s.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}
