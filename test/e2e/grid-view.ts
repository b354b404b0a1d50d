/**
 * @file What e2e tests read off the photo grid's view: how far it is from the end of its content, and a
 * cell's shape. Runs in the Playwright test process.
 */
import type { Locator } from '@playwright/test';

/** How far the grid's view is from the very end of its content (CSS px). */
export const distanceToEnd =
  (grid: Locator): (() => Promise<number>) =>
  () =>
    grid.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop);

/** A cell's width over its height to one decimal (a square is 1, a 3:2 photo 1.5), or null while it is not rendered. */
export const shapeOf =
  (cell: Locator): (() => Promise<number | null>) =>
  async () => {
    const box = await cell.boundingBox({ timeout: 1000 }).catch(() => null);
    return box ? Math.round((10 * box.width) / box.height) / 10 : null;
  };
