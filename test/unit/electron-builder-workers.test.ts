/**
 * @file The packaged app's worker entries (electron-builder.yml): the inference worker
 * (out/main/worker.js) and the bundle build's worker thread (out/main/build-worker.js) are treated
 * alike — both inside app.asar with the shared chunks they import, nothing of out/ unpacked — and
 * Electron is recent enough to load a worker thread from the asar (Electron 20 and later, electron/electron#33216).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveBuildWorkerEntry } from '../../main/models/build/build-in-worker';
import { resolveWorkerEntry } from '../../main/inference/worker-client';

const config = parse(readFileSync('electron-builder.yml', 'utf8')) as { asar: boolean; files: string[]; asarUnpack: string[] };
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
const vite = readFileSync('electron.vite.config.ts', 'utf8');

describe('worker entries in the packaged app', () => {
  it('are both bundled into out/main, beside the app entry', () => {
    expect(vite).toMatch(/\bworker: resolve\('native\/worker\.ts'\)/);
    expect(vite).toMatch(/'build-worker': resolve\('main\/models\/build\/build-worker\.ts'\)/);
    expect(config.files).toContain('out/**');
  });

  it('stay inside the asar together: only native addons and their packages are unpacked', () => {
    expect(config.asar).toBe(true);
    for (const pattern of config.asarUnpack) expect(pattern === '**/*.node' || pattern.startsWith('node_modules/'), pattern).toBe(true);
    expect(Number(pkg.devDependencies['electron']!.split('.')[0])).toBeGreaterThanOrEqual(20);
  });

  it('are found the same way: a bundled .js beside the module, else the TS source (dev and tests)', () => {
    expect(resolveWorkerEntry().file).toMatch(/native[/\\]worker\.ts$/);
    expect(resolveBuildWorkerEntry()).toMatchObject({ file: expect.stringMatching(/build-worker\.ts$/), ts: true });
  });
});
