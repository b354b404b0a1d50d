/**
 * @file Playwright global setup: builds main, preload and the renderer once before the end-to-end
 * tests (see [Note: E2E browser] in playwright.config.ts). Set SHOEBOX_E2E_SKIP_BUILD=1 to test an
 * existing build as it is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export default function globalSetup(): void {
  const root = resolve(import.meta.dirname, '../..');
  if (process.env['SHOEBOX_E2E_SKIP_BUILD'] !== '1') {
    execFileSync(process.execPath, [resolve(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  for (const f of ['out/main/cli.js', 'out/renderer/index.html']) {
    if (!existsSync(resolve(root, f))) throw new Error(`${f} is missing: the build did not produce it`);
  }
  if (!existsSync(process.env['SHOEBOX_CHROMIUM'] ?? '/usr/bin/chromium')) {
    throw new Error('Chromium is not installed at /usr/bin/chromium: run `apt-get install -y chromium` (or set SHOEBOX_CHROMIUM).');
  }
}
