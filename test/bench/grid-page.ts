/**
 * @file The in-page half of `bench:grid` (./grid.ts): an init script that records animation frames, long
 * tasks and the first thumbnail, and the scenarios run on an open grid (steady wheel, flings, PageDown,
 * End / Home) with what each measures. Runs in the bench's Node process, driving Chromium over
 * Playwright and CDP; the functions passed to `evaluate` run in the page.
 */
import type { CDPSession, Page } from '@playwright/test';
import { round } from './bench-helpers';

interface BenchState {
  /** requestAnimationFrame timestamps while recording. */
  frames: number[];
  rec: boolean;
  /** [startTime, duration] of each long task. */
  long: [number, number][];
  firstThumb: number | null;
  /** [blank, placeholder only, visible] cells per sample. */
  samples: [number, number, number][];
  sampler: number | null;
}

declare global {
  interface Window {
    __bench?: BenchState;
  }
}

/** Installed before the app loads (page.addInitScript). */
export function instrument(): void {
  const b: BenchState = { frames: [], rec: false, long: [], firstThumb: null, samples: [], sampler: null };
  window.__bench = b;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.long.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long-task API: counts stay 0
  }
  const loop = (t: number) => {
    if (b.rec) b.frames.push(t);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  document.addEventListener(
    'load',
    (e) => {
      const t = e.target;
      if (b.firstThumb === null && t instanceof HTMLImageElement && t.dataset['testid'] === 'thumb' && t.naturalWidth > 0)
        b.firstThumb = performance.now();
    },
    true,
  );
}

export interface FrameStats {
  fps: number;
  pctOver: number;
  longTasks: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records frames and long tasks while `drive` runs. */
async function recording(page: Page, drive: () => Promise<void>): Promise<FrameStats> {
  const t0 = await page.evaluate(() => {
    window.__bench!.frames = [];
    window.__bench!.rec = true;
    return performance.now();
  });
  await drive();
  const { frames, long } = await page.evaluate((since) => {
    const b = window.__bench!;
    b.rec = false;
    return { frames: b.frames, long: b.long.filter(([s]) => s >= since).length };
  }, t0);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  const span = (frames.at(-1)! - frames[0]!) / 1000;
  return {
    fps: round(gaps.length / span, 1),
    pctOver: round((100 * gaps.filter((g) => g > 17).length) / Math.max(1, gaps.length), 1),
    longTasks: long,
  };
}

/** Wheel events of `deltaY` every `everyMs` for `durationMs`, over the grid, not waiting on each. */
async function wheel(cdp: CDPSession, at: { x: number; y: number }, deltaY: number, everyMs: number, durationMs: number): Promise<void> {
  const sent: Promise<unknown>[] = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    sent.push(cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: at.x, y: at.y, deltaX: 0, deltaY }));
    await sleep(everyMs);
  }
  await Promise.all(sent);
}

/**
 * Starts sampling (every 100 ms) the visible cells: blank (neither thumbnail nor placeholder, or not
 * rendered at all), placeholder only, all.
 */
function startSampling(page: Page): Promise<void> {
  return page.evaluate(() => {
    const b = window.__bench!;
    b.samples = [];
    b.sampler = window.setInterval(() => {
      const grid = document.querySelector('[data-testid=photo-grid]');
      if (!grid) return;
      const box = grid.getBoundingClientRect();
      let blank = 0;
      let placeholder = 0;
      let visible = 0;
      let cellHeight = 0;
      let columns = 0;
      // Rows not rendered yet (the view outran React) are blank too: the viewport height no row covers,
      // in cells.
      const spans: [number, number][] = [];
      for (const row of Array.from(grid.querySelectorAll<HTMLElement>('.grid-row'))) {
        const r = row.getBoundingClientRect();
        if (r.bottom > box.top && r.top < box.bottom) spans.push([Math.max(r.top, box.top), Math.min(r.bottom, box.bottom)]);
        columns = Math.max(columns, row.childElementCount);
      }
      spans.sort((x, y) => x[0] - y[0]);
      let covered = 0;
      let reach = box.top;
      for (const [top, bottom] of spans) {
        covered += Math.max(0, bottom - Math.max(top, reach));
        reach = Math.max(reach, bottom);
      }
      for (const cell of Array.from(grid.querySelectorAll<HTMLElement>('[data-testid=photo-cell]'))) {
        const r = cell.getBoundingClientRect();
        cellHeight = Math.max(cellHeight, r.height);
        if (r.bottom <= box.top || r.top >= box.bottom) continue;
        visible++;
        const img = cell.querySelector<HTMLImageElement>('img[data-testid=thumb]');
        if (img?.complete && img.naturalWidth > 0) continue;
        if (cell.style.backgroundImage) placeholder++;
        else blank++;
      }
      const uncovered = cellHeight > 0 ? Math.round(((box.height - covered) / cellHeight) * columns) : 0;
      blank += uncovered;
      visible += uncovered;
      b.samples.push([blank, placeholder, visible]);
    }, 100);
  });
}

async function stopSampling(page: Page): Promise<[number, number, number][]> {
  return page.evaluate(() => {
    const b = window.__bench!;
    if (b.sampler !== null) clearInterval(b.sampler);
    return b.samples;
  });
}

/** ms until every visible cell shows its loaded thumbnail (capped). */
async function timeToFill(page: Page, capMs = 10_000): Promise<number> {
  return page.evaluate(
    (cap) =>
      new Promise<number>((done) => {
        const t0 = performance.now();
        const check = () => {
          const grid = document.querySelector('[data-testid=photo-grid]')!;
          const box = grid.getBoundingClientRect();
          let missing = 0;
          for (const cell of Array.from(grid.querySelectorAll<HTMLElement>('[data-testid=photo-cell]'))) {
            const r = cell.getBoundingClientRect();
            if (r.bottom <= box.top || r.top >= box.bottom) continue;
            const img = cell.querySelector<HTMLImageElement>('img[data-testid=thumb]');
            if (!(img?.complete && img.naturalWidth > 0)) missing++;
          }
          const t = performance.now() - t0;
          if (missing === 0 || t > cap) done(t);
          else requestAnimationFrame(check);
        };
        check();
      }),
    capMs,
  );
}

/** ms until the cell at `index` shows its loaded thumbnail, after `press`. */
async function jump(page: Page, key: 'End' | 'Home', index: number): Promise<number> {
  const t0 = Date.now();
  await page.keyboard.press(key);
  await page.waitForFunction(
    (i) => {
      const img = document.querySelector<HTMLImageElement>(`[data-testid=photo-cell][data-index="${i}"] img[data-testid=thumb]`);
      return img?.complete === true && img.naturalWidth > 0;
    },
    index,
    { timeout: 30_000, polling: 'raf' },
  );
  return Date.now() - t0;
}

/** Every scenario on an open grid, in order; returns the figures under their JSON keys. */
export async function pageMetrics(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const grid = page.getByTestId('photo-grid');
  const box = (await grid.boundingBox())!;
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  await timeToFill(page);
  const total = Number((await page.getByTestId('library-count').textContent())?.replace(/\D/g, '') ?? 0);

  const put = (key: string, s: FrameStats) => {
    out[`fps_${key}`] = s.fps;
    out[`pct_over_17ms_${key}`] = s.pctOver;
    out[`long_tasks_${key}`] = s.longTasks;
  };
  // A steady wheel: 60 px every 33 ms (1,800 px/s) for 4 s.
  put('steady_wheel', await recording(page, () => wheel(cdp, at, 60, 33, 4000)));
  await timeToFill(page);

  // Fast flings: 300 px every 20 ms (15,000 px/s) for 1.5 s. Two for frames, two sampled for blank cells
  // (the sampler's layout reads would cost frames themselves).
  const flings: FrameStats[] = [];
  for (let i = 0; i < 2; i++) {
    flings.push(await recording(page, () => wheel(cdp, at, 300, 20, 1500)));
    await timeToFill(page);
  }
  put('fling', {
    fps: round((flings[0]!.fps + flings[1]!.fps) / 2, 1),
    pctOver: round((flings[0]!.pctOver + flings[1]!.pctOver) / 2, 1),
    longTasks: flings[0]!.longTasks + flings[1]!.longTasks,
  });
  const samples: [number, number, number][] = [];
  const fills: number[] = [];
  for (let i = 0; i < 2; i++) {
    await startSampling(page);
    await wheel(cdp, at, 300, 20, 1500);
    samples.push(...(await stopSampling(page)));
    fills.push(await timeToFill(page));
  }
  const visible = samples.reduce((n, s) => n + s[2], 0);
  out['blank_cells_fling_pct'] = round((100 * samples.reduce((n, s) => n + s[0], 0)) / Math.max(1, visible), 1);
  out['blank_cells_fling_max_pct'] = round(Math.max(0, ...samples.map((s) => (100 * s[0]) / Math.max(1, s[2]))), 1);
  out['placeholder_cells_fling_pct'] = round((100 * samples.reduce((n, s) => n + s[1], 0)) / Math.max(1, visible), 1);
  out['fill_after_stop_ms'] = round(Math.max(...fills), 0);

  // PageDown from a focused cell: 12 presses, 250 ms apart.
  await page.evaluate(() => {
    const grid = document.querySelector('[data-testid=photo-grid]')!;
    const top = grid.getBoundingClientRect().top;
    const cells = Array.from(grid.querySelectorAll<HTMLElement>('[data-testid=photo-cell]'));
    cells.find((c) => c.getBoundingClientRect().top >= top)?.focus();
  });
  put(
    'page_down',
    await recording(page, async () => {
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('PageDown');
        await sleep(250);
      }
    }),
  );

  out['end_ms'] = await jump(page, 'End', total - 1);
  out['home_ms'] = await jump(page, 'Home', 0);
  out['home_scroll_top_px'] = await grid.evaluate((el) => Math.round(el.scrollTop));
  const heap = await page.evaluate(
    () => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
  );
  out['heap_mb'] = round(heap / 2 ** 20, 1);
  out['dom_elements'] = await page.evaluate(() => document.getElementsByTagName('*').length);
  return out;
}
