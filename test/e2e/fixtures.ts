/**
 * @file End-to-end fixtures: a real headless host (`node out/main/cli.js serve`) per test with its own
 * data folder, and a scratch photo folder copied from assets/sample-library (originals are never used
 * in place, so a test can never write to them).
 *
 * The host prints `SHOEBOX_READY {"url","port","token"}` on stdout once it listens; the fixture waits
 * for that line, and kills the host (and removes its folders) when the test ends.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const sampleLibrary = join(root, 'assets/sample-library');

export interface RunningHost {
  /** The URL with the token, as printed. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  /** Everything the host wrote to stderr so far (for failure messages). */
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `shoebox serve` on a free port with a fresh data folder; resolves once it is ready. */
export async function startHost(
  options: { library?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<RunningHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoebox-e2e-data-'));
  const args = [join(root, 'out/main/cli.js'), 'serve', '--port', '0', '--data-dir', dataDir];
  if (options.library) args.push('--library', options.library);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // XDG_DATA_HOME inside the data folder: "Move to Trash" in a test fills a throwaway trash, never the
    // user's (the host's `trash` package and trash-locate.ts both read it), and it goes with the folder.
    env: {
      ...process.env,
      SHOEBOX_DATA_DIR: dataDir,
      XDG_DATA_HOME: join(dataDir, 'xdg-data'),
      SHOEBOX_LOG: process.env['SHOEBOX_LOG'] ?? 'warn',
      ...options.env,
    },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const ready = await new Promise<{ url: string; port: number; token: string }>((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`host not ready after ${options.timeoutMs ?? 30_000} ms\nstdout: ${out}\nstderr: ${stderr}`)),
      options.timeoutMs ?? 30_000,
    );
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('SHOEBOX_READY '));
      if (!line) return;
      clearTimeout(timer);
      try {
        resolveReady(JSON.parse(line.slice('SHOEBOX_READY '.length)) as { url: string; port: number; token: string });
      } catch (err) {
        reject(new Error(`unreadable ready line ${line}: ${String(err)}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`host exited (${code ?? signal}) before it was ready\nstdout: ${out}\nstderr: ${stderr}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { ...ready, origin: `http://127.0.0.1:${ready.port}`, dataDir, stderr: () => stderr, stop };
}

/** Copies the named files (paths under assets/sample-library) into a fresh scratch folder. */
export function scratchLibrary(files: string[]): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-e2e-photos-'));
  for (const f of files) {
    const target = join(dir, f);
    mkdirSync(resolve(target, '..'), { recursive: true });
    cpSync(join(sampleLibrary, f), target);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The tiny random-weight InternVL bundle (usable only with SHOEBOX_DEMO_MODEL=1). */
export const TINY_BUNDLE = join(root, 'test/fixtures/models/tiny-internvl');

/** On the Models page: imports the tiny bundle and makes it the active model. */
export async function importAndSelectTinyModel(page: Page): Promise<void> {
  await page.getByTestId('import-path').fill(TINY_BUNDLE);
  await page.getByRole('button', { name: 'Import' }).click();
  const tiny = page.locator('[data-testid=model-item][data-model-id="tiny-internvl"]');
  await expect(tiny).toContainText('Installed', { timeout: 30_000 });
  await tiny.getByRole('button', { name: 'Use this model' }).click();
  await expect(tiny).toContainText('Active');
}

/**
 * Adds a folder as a user of the headless host does: "Add folder…" (or the empty library's call to
 * action, `via`), the folder browser, its path typed and opened, then "Add". Waits until it is listed.
 */
export async function addFolderThroughBrowser(page: Page, path: string, via = 'add-folder-button'): Promise<void> {
  const before = await page.getByTestId('folder-item').count();
  await page.getByTestId(via).click();
  const browser = page.getByTestId('folder-browser');
  await browser.getByTestId('folder-browser-path').fill(path);
  await browser.getByTestId('folder-browser-path').press('Enter');
  await expect(browser.getByTestId('folder-browser-current')).toHaveText(path);
  await browser.getByTestId('folder-browser-add').click();
  await expect(browser).toHaveCount(0);
  await expect(page.getByTestId('folder-item')).toHaveCount(before + 1);
}

/** Five photos in three folders, with a space in a folder name (URL encoding) and a PNG. */
export const SAMPLE_FILES = ['animals/baboon.jpg', 'animals/butterfly.jpg', 'food/orange.jpg', '2019 trip/astronaut.jpg', 'coffee.png'];

export const test = base.extend<{ photos: string; host: RunningHost }>({
  // Playwright reads a fixture's dependencies from this destructuring; these two have none.
  // eslint-disable-next-line no-empty-pattern
  photos: async ({}, use) => {
    const lib = scratchLibrary(SAMPLE_FILES);
    await use(lib.dir);
    lib.remove();
  },
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use, testInfo) => {
    const host = await startHost();
    await use(host);
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('host-stderr', { body: host.stderr(), contentType: 'text/plain' });
    await host.stop();
  },
});

export { expect };
