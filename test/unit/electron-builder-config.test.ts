/**
 * Packaging cannot run here (electron-builder downloads Electron), so this checks electron-builder.yml
 * for what the app needs: the three desktop targets, native addons unpacked from the asar, only the
 * target platform's onnxruntime binaries, better-sqlite3 rebuilt for Electron, and Electron pinned.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface PlatformConfig {
  target: string[];
  files: string[];
}
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as {
  asar: boolean;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  linux: PlatformConfig;
  win: PlatformConfig;
  mac: PlatformConfig;
};
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  main: string;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

describe('electron-builder.yml', () => {
  it('targets Linux AppImage+deb, Windows nsis and macOS dmg', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
  });

  it('packs the built app and unpacks every native addon from the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toContain('out/**');
    for (const mod of ['better-sqlite3', 'sharp', 'onnxruntime-node']) {
      expect(config.asarUnpack.some((p: string) => p.includes(mod))).toBe(true);
    }
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('ships only the target platform onnxruntime binaries', () => {
    expect(config.files).toContain('!node_modules/onnxruntime-node/bin/napi-v*/**');
    expect(config.linux.files.join()).toMatch(/bin\/napi-v\*\/linux\/\$\{arch\}/);
    expect(config.win.files.join()).toMatch(/bin\/napi-v\*\/win32\/\$\{arch\}/);
    expect(config.mac.files.join()).toMatch(/bin\/napi-v\*\/darwin\/\$\{arch\}/);
    expect(config.linux.files.join()).not.toMatch(/win32|darwin/);
  });

  it('rebuilds native modules for Electron and pins Electron', () => {
    expect(config.npmRebuild).toBe(true);
    expect(pkg.devDependencies['electron']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(pkg.devDependencies['electron']!.split('.')[0])).toBeGreaterThanOrEqual(42);
    expect(pkg.main).toBe('out/main/index.js');
    // electron must not be a runtime dependency, or electron-builder refuses to package.
    expect(pkg.dependencies['electron']).toBeUndefined();
  });
});
