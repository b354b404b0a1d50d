/**
 * @file End-to-end: the Map page offline. A generated library with GPS photos in Lisbon, Tokyo, Fiji (just
 * west of the antimeridian) and Samoa (just east of it), and some without GPS: the map shows them as
 * clusters and markers over the bundled outlines while no request leaves loopback; a click on a cluster
 * zooms in and one on a photo opens the viewer; Shift+drag around Lisbon, then "Show in library", filters
 * the grid to those photos behind a removable "In this area" chip; an area drawn across the antimeridian
 * takes the photos on both sides of it.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, startHost, test } from './fixtures';
import { gpsLibrary } from './gps-library';

/** `n` fixes scattered (deterministically) within ±`spread`° of a point. */
const around = (lat: number, lon: number, n: number, spread: number): [number, number][] =>
  Array.from({ length: n }, (_, i) => [lat + spread * Math.sin(i * 2.1), lon + spread * Math.cos(i * 1.7)]);

// Distinct cluster sizes, so each place's cluster is found by its count.
const LISBON = around(38.72, -9.14, 12, 0.05);
const TOKYO = around(35.68, 139.69, 8, 0.05);
const FIJI = around(-17.7, 177.9, 4, 0.2);
const SAMOA = around(-13.8, -172.1, 6, 0.2);
const NO_GPS = 5;
const WITH_GPS = LISBON.length + TOKYO.length + FIJI.length + SAMOA.length;
const ALL = WITH_GPS + NO_GPS;

const isLoopback = (url: URL) =>
  url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.protocol === 'data:' || url.protocol === 'blob:';

/** The marker standing for `count` photos. */
const cluster = (page: Page, count: number) => page.locator(`[data-testid=map-marker][data-count="${count}"]`);

/** The middle of a marker on the page, waiting while markers are redrawn (after a move, or new points). */
async function centre(l: Locator): Promise<{ x: number; y: number }> {
  let b: Awaited<ReturnType<Locator['boundingBox']>> = null;
  await expect.poll(async () => (b = await l.boundingBox({ timeout: 1000 }).catch(() => null)) !== null).toBe(true);
  const { x, y, width, height } = b!;
  return { x: x + width / 2, y: y + height / 2 };
}

/** Shift+drag a rectangle on the map from `a` to `b` (page pixels). */
async function shiftDrag(page: Page, a: { x: number; y: number }, b: { x: number; y: number }) {
  await page.keyboard.down('Shift');
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
}

test('GPS photos on an offline map; an area filters the grid, across the antimeridian too', async ({ page }) => {
  test.setTimeout(120_000);
  const left: string[] = [];
  // Anything but loopback is recorded and refused (a request to a tile server would hang, not pass).
  await page.route(
    (url) => !isLoopback(url),
    (route) => {
      left.push(route.request().url());
      return route.abort();
    },
  );
  const lib = await gpsLibrary([...LISBON, ...TOKYO, ...FIJI, ...SAMOA, ...Array<null>(NO_GPS).fill(null)]);
  const host = await startHost({ library: lib.dir });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('library-count')).toHaveText(`${ALL} photos`, { timeout: 45_000 });

    await page.getByTestId('nav-map').click();
    await expect(page.getByTestId('map-count')).toHaveText(`${WITH_GPS} photos with a location`, { timeout: 30_000 });
    // The outlines are drawn, and every GPS photo is in exactly one marker or cluster.
    await expect(page.locator('path.map-land').first()).toBeAttached({ timeout: 15_000 });
    const shown = async () => {
      const counts = await page.getByTestId('map-marker').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset['count'])));
      return counts.reduce((a, b) => a + b, 0);
    };
    await expect.poll(shown, { timeout: 15_000 }).toBe(WITH_GPS);
    for (const n of [LISBON.length, TOKYO.length]) await expect(cluster(page, n)).toHaveCount(1);
    // Clusters show a thumbnail of their newest photo, from the host's own media URLs.
    await expect(cluster(page, LISBON.length).locator('img')).toHaveAttribute('src', /\/media\/thumb\//, { timeout: 30_000 });

    const zoom = async () => Number(await page.getByTestId('map-canvas').getAttribute('data-zoom'));
    // A click on the Lisbon cluster zooms in until it splits; a click on one photo opens the viewer.
    await cluster(page, LISBON.length).click();
    await expect(cluster(page, LISBON.length)).toHaveCount(0);
    await expect.poll(() => page.getByTestId('map-marker').count()).toBeGreaterThan(1);
    // Zoom on into Lisbon until a photo stands alone.
    const single = page.locator('[data-testid=map-marker][data-count="1"]').first();
    for (let i = 0; i < 8 && (await single.count()) === 0; i++) {
      const before = await zoom();
      await page.locator('.map-cluster').first().click();
      await expect.poll(zoom).toBeGreaterThan(before);
    }
    await expect(single).toBeVisible();
    await single.click();
    await expect(page.getByTestId('viewer')).toBeVisible();
    await expect(page.getByTestId('viewer-name')).toHaveText(/gps-\d{3}\.jpg/);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('viewer')).toHaveCount(0);

    // Back to the whole map (the page fits every photo when it opens), then Shift+drag around Lisbon.
    await page.getByTestId('nav-library').click();
    await page.getByTestId('nav-map').click();
    await expect.poll(shown, { timeout: 15_000 }).toBe(WITH_GPS);
    const lisbon = await centre(cluster(page, LISBON.length));
    await shiftDrag(page, { x: lisbon.x - 40, y: lisbon.y - 40 }, { x: lisbon.x + 40, y: lisbon.y + 40 });
    await expect(page.getByTestId('map-selection-count')).toHaveText(`${LISBON.length} photos in the selected area`);
    await page.getByTestId('map-selection-show').click();
    await expect(page.getByTestId('area-chip')).toBeVisible();
    await expect(page.getByTestId('library-count')).toHaveText(`${LISBON.length} photos`);
    await expect(page.getByTestId('photo-cell')).toHaveCount(LISBON.length);
    // The chip's × shows every photo again.
    await page.getByTestId('area-chip-remove').click();
    await expect(page.getByTestId('area-chip')).toHaveCount(0);
    await expect(page.getByTestId('library-count')).toHaveText(`${ALL} photos`);

    // Pan until the date line is in the middle: Fiji (178° E) and Samoa (172° W) side by side.
    await page.getByTestId('nav-map').click();
    await expect.poll(shown, { timeout: 15_000 }).toBe(WITH_GPS);
    const map = (await page.getByTestId('map-canvas').boundingBox())!;
    const mid = { x: map.x + map.width / 2, y: map.y + map.height / 2 };
    const tokyo = await centre(cluster(page, TOKYO.length));
    const perDegree = (tokyo.x - lisbon.x) / (139.69 - -9.14);
    const dateLineX = lisbon.x + (180 - -9.14) * perDegree;
    await page.mouse.move(mid.x, mid.y);
    await page.mouse.down();
    await page.mouse.move(mid.x - (dateLineX - mid.x), mid.y, { steps: 12 });
    await page.mouse.up();
    const fiji = cluster(page, FIJI.length);
    const samoa = cluster(page, SAMOA.length);
    await expect(fiji).toBeInViewport();
    await expect(samoa).toBeInViewport();
    // Samoa just east of Fiji, not a world away (retried: markers are redrawn once the pan settles).
    let [f, s] = [mid, mid];
    await expect(async () => {
      [f, s] = [await centre(fiji), await centre(samoa)];
      expect(s.x - f.x).toBeGreaterThan(0);
      expect(s.x - f.x).toBeLessThan(map.width / 2);
    }).toPass({ timeout: 10_000 });
    await shiftDrag(page, { x: f.x - 40, y: Math.min(f.y, s.y) - 40 }, { x: s.x + 40, y: Math.max(f.y, s.y) + 40 });
    const pacific = FIJI.length + SAMOA.length;
    await expect(page.getByTestId('map-selection-count')).toHaveText(`${pacific} photos in the selected area`);
    await page.getByTestId('map-selection-show').click();
    await expect(page.getByTestId('library-count')).toHaveText(`${pacific} photos`);
    await expect(page.getByTestId('photo-cell')).toHaveCount(pacific);

    expect(left, 'requests that left loopback').toEqual([]);
  } finally {
    await host.stop();
    lib.remove();
  }
});
