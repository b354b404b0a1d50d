/**
 * @file End-to-end: the renderer's Electron path without Electron (its binary cannot run here). A
 * stand-in `window.shoebox` bridge, installed before the page loads, carries `invoke` / `subscribe`
 * over the real host's WebSocket and answers `pickFolder()` with a scratch folder, so the UI takes
 * its desktop branch: an "Add folder…" button that opens the picker instead of a path field.
 */
import { expect, SAMPLE_FILES, test } from './fixtures';

test('with a preload bridge, Add folder opens the picker and the library fills', async ({ page, host, photos }) => {
  await page.addInitScript((pickedPath: string) => {
    type Listener = (event: string, payload: unknown) => void;
    const listeners = new Set<Listener>();
    const pending = new Map<number, (reply: unknown) => void>();
    let nextId = 1;
    const socket = new WebSocket(`ws://${location.host}/api`);
    const opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()));
    socket.addEventListener('message', (ev: MessageEvent<string>) => {
      const frame = JSON.parse(ev.data) as { id?: number; event?: string; payload?: unknown };
      if (typeof frame.id === 'number') pending.get(frame.id)?.(frame);
      else if (frame.event) for (const l of listeners) l(frame.event, frame.payload);
    });
    const w = window as unknown as { shoebox: unknown; pickCount: number };
    w.pickCount = 0;
    w.shoebox = {
      async invoke(method: string, args: unknown) {
        await opened;
        const id = nextId++;
        return new Promise((resolve) => {
          pending.set(id, (frame) => {
            pending.delete(id);
            const { ok, result, error } = frame as { ok: boolean; result: unknown; error: unknown };
            resolve(ok ? { ok, result } : { ok, error });
          });
          socket.send(JSON.stringify({ id, method, args }));
        });
      },
      subscribe(listener: Listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      pickFolder() {
        w.pickCount++;
        return Promise.resolve(pickedPath);
      },
    };
  }, photos);

  await page.goto(host.url);
  await expect(page.getByTestId('empty-library')).toBeVisible();
  await expect(page.getByTestId('add-folder-button')).toBeVisible();

  // The empty state's call to action opens the native picker straight away, never the host's browser.
  await page.getByTestId('empty-add-folder').click();
  await expect(page.getByTestId('folder-item')).toHaveCount(1);
  await expect(page.getByTestId('folder-browser')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { pickCount: number }).pickCount)).toBe(1);
  await expect(page.getByTestId('thumb')).toHaveCount(SAMPLE_FILES.length, { timeout: 45_000 });

  // Picking the same folder again is a conflict, shown next to the button.
  await page.getByTestId('add-folder-button').click();
  await expect(page.getByTestId('add-folder-error')).toBeVisible();
  await expect(page.getByTestId('folder-item')).toHaveCount(1);
});
