/**
 * Pure pieces of the model manager: the catalog and its URLs, manifest path safety, variant
 * selection, byte formatting, and the settings repository (in-memory SQLite).
 */
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../native/bundle/manifest';
import { openDatabase } from '../../main/db/open';
import { createSettingsRepo } from '../../main/db/settings.repo';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { DiskFullError, formatBytes, isInside, resolveBundlePath, writeAll } from '../../main/models/bundle-files';
import { approxBundleBytes, bundleFileUrl, CATALOG, catalogEntry, normaliseBaseUrl } from '../../main/models/catalog';
import { selectVariants } from '../../main/models/variant-select';
import { makeFakeBundle } from '../integration/helpers/models-fixture';

describe('catalog', () => {
  it('knows the three desktop-sized InternVL models with plausible sizes', () => {
    expect(CATALOG.map((e) => e.id)).toEqual(['internvl3-1b', 'internvl2_5-1b', 'internvl3-2b']);
    const one = catalogEntry('internvl3-1b')!;
    // 0.938B parameters: fp32 ≈ 3.75 GB, q4 well under 1 GB.
    expect(one.approxBytes['fp32']).toBeGreaterThan(3.7e9);
    expect(one.approxBytes['q4']).toBeLessThan(1e9);
    expect(approxBundleBytes(catalogEntry('internvl3-2b')!)).toBeGreaterThan(approxBundleBytes(one));
    expect(catalogEntry('nope')).toBeUndefined();
  });

  it('normalises base URLs and builds file URLs with escaped segments', () => {
    expect(normaliseBaseUrl(' https://example.org/bundles/ ')).toBe('https://example.org/bundles');
    expect(normaliseBaseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(() => normaliseBaseUrl('file:///tmp')).toThrow(/http/);
    expect(() => normaliseBaseUrl('not a url')).toThrow(/not a valid URL/);
    expect(() => normaliseBaseUrl('https://x.org/a?b=1')).toThrow(/query/);
    expect(bundleFileUrl('https://x.org/m', 'internvl3-1b', 'onnx/decoder model.onnx')).toBe(
      'https://x.org/m/internvl3-1b/onnx/decoder%20model.onnx',
    );
  });
});

describe('bundle paths', () => {
  it('accepts plain relative paths and refuses anything that could escape', () => {
    expect(resolveBundlePath('/m/b', 'onnx/x.onnx')).toBe('/m/b/onnx/x.onnx');
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a\\b', '', 'a/\0']) {
      expect(() => resolveBundlePath('/m/b', bad), bad).toThrow(/plain relative path|outside/);
    }
    expect(isInside('/m', '/m/a')).toBe(true);
    expect(isInside('/m', '/m')).toBe(false);
    expect(isInside('/m', '/mm/a')).toBe(false);
    expect(isInside('/m', '/m/../x')).toBe(false);
  });

  it.runIf(existsSync('/dev/full'))('turns ENOSPC into a disk-full error', async () => {
    const fh = await open('/dev/full', 'w');
    try {
      await expect(writeAll(fh, new Uint8Array(4096), '/dev/full')).rejects.toBeInstanceOf(DiskFullError);
      await expect(writeAll(fh, new Uint8Array(4096), '/dev/full')).rejects.toThrow(/Disk full while writing to \/dev/);
    } finally {
      await fh.close();
    }
  });

  it('formats byte counts', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3.75e9)).toBe('3.5 GB');
  });
});

describe('selectVariants', () => {
  const manifest = parseManifest(makeFakeBundle('sel').manifestText);

  it('keeps everything by default', () => {
    const s = selectVariants(manifest);
    expect(s.files).toHaveLength(manifest.files.length);
    expect(Object.keys(s.manifest.variants)).toEqual(['fp32', 'q4']);
  });

  it('drops the files only other variants use, keeps shared ones and the tokenizer', () => {
    // q4 shares fp32's embed_tokens graph (as int8 bundles often do).
    const shared = {
      ...manifest,
      variants: { ...manifest.variants, q4: { ...manifest.variants['q4']!, embed_tokens: 'onnx/embed_tokens.onnx' } },
      files: manifest.files.filter((f) => f.path !== 'onnx/embed_tokens_q4.onnx'),
    };
    const s = selectVariants(shared, ['q4']);
    expect(s.files.map((f) => f.path).sort()).toEqual(
      ['onnx/decoder_model_merged_q4.onnx', 'onnx/embed_tokens.onnx', 'onnx/vision_encoder_q4.onnx', 'tokenizer.json'].sort(),
    );
    expect(s.manifest.files.map((f) => f.path).sort()).toEqual(s.files.map((f) => f.path).sort());
    expect(Object.keys(s.manifest.variants)).toEqual(['q4']);
  });

  it('refuses unknown variants and files without sha256', () => {
    expect(() => selectVariants(manifest, ['int8'])).toThrow(/no variant "int8".*fp32, q4/);
    const noHash = { ...manifest, files: manifest.files.map((f, i) => (i === 0 ? { path: f.path, bytes: f.bytes } : f)) };
    expect(() => selectVariants(noHash)).toThrow(/no sha256 for tokenizer\.json/);
  });
});

describe('settings repo', () => {
  it('gets, sets, overwrites and removes values', () => {
    const db = openDatabase(':memory:');
    const s = createSettingsRepo(db);
    expect(s.get('activeModel')).toBeNull();
    s.set('activeModel', 'a');
    s.set('activeModel', 'b');
    s.set('modelBaseUrl', 'https://x.org');
    expect(s.get('activeModel')).toBe('b');
    expect(s.all()).toEqual({ activeModel: 'b', modelBaseUrl: 'https://x.org' });
    s.set('activeModel', null);
    expect(s.get('activeModel')).toBeNull();
    db.close();
  });
});
