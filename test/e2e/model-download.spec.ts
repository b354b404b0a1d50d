/**
 * @file End-to-end: downloading a model from the Models page, with the progress bar fed by
 * `models:progress` events, and cancelling one. The download server is a local HTTP server in this
 * test that serves the tiny random-weight fixture bundle under a catalog id, slowly enough (about
 * 1 MB/s) for progress to be seen; the host is pointed at it with SHOEBOX_MODEL_BASE_URL.
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { expect, root, startHost, test } from './fixtures';

const TINY = join(root, 'test/fixtures/models/tiny-internvl');
const ID = 'internvl3-1b';

/** Serves the fixture bundle as model `ID`, in 32 KiB chunks every 30 ms. */
async function startBundleServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const manifest = JSON.parse(readFileSync(join(TINY, 'manifest.json'), 'utf8')) as { id: string };
  manifest.id = ID;
  const manifestText = JSON.stringify(manifest, null, 2);
  const server: Server = createServer((req, res) => {
    const prefix = `/${ID}/`;
    const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    if (!url.startsWith(prefix)) return void res.writeHead(404).end();
    const rel = normalize(url.slice(prefix.length));
    if (rel === 'manifest.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(manifestText);
    if (rel.startsWith('..')) return void res.writeHead(403).end();
    const file = join(TINY, rel);
    let body: Buffer;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      body = readFileSync(file);
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      const next = Math.min(body.length, at + 32 * 1024);
      res.write(body.subarray(at, next));
      at = next;
      if (at >= body.length) {
        clearInterval(timer);
        res.end();
      }
    }, 30);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test('download a model with live progress, and cancel one', async ({ page }, testInfo) => {
  const bundles = await startBundleServer();
  const host = await startHost({ env: { SHOEBOX_MODEL_BASE_URL: bundles.url } });
  try {
    await page.goto(host.url);
    await page.getByTestId('nav-models').click();
    const card = page.locator(`[data-testid=model-item][data-model-id="${ID}"]`);
    await expect(card).toContainText('Not installed');

    // Start, see the bar, cancel: back to not installed with a Download button.
    await card.getByRole('button', { name: 'Download' }).click();
    await expect(card.getByTestId('model-progress')).toBeVisible();
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect(card.getByTestId('model-progress')).toHaveCount(0);
    await expect(card.getByRole('button', { name: /Download/ })).toBeVisible();
    await expect(card).toContainText('Not installed');

    // Start again and let it finish; record the progress values the bar showed on the way.
    await card.getByRole('button', { name: /Download/ }).click();
    const bar = card.getByTestId('model-progress');
    await expect(bar).toBeVisible();
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          // The bar goes away when the download ends: do not wait for it.
          const v = (await bar.count()) > 0 ? await bar.getAttribute('aria-valuenow', { timeout: 100 }).catch(() => null) : null;
          if (v !== null) seen.add(v);
          if (seen.size === 2) await page.screenshot({ path: testInfo.outputPath('model-download.png') });
          return (await card.textContent()) ?? '';
        },
        { timeout: 45_000, intervals: [100] },
      )
      .toContain('Installed');
    expect(seen.size, `progress values seen: ${[...seen].join(', ')}`).toBeGreaterThan(1);
    await expect(card).toContainText('Demo');
    await expect(card.getByRole('button', { name: 'Delete' })).toBeVisible();
  } finally {
    await host.stop();
    await bundles.close();
  }
});
