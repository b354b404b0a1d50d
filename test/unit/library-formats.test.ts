/**
 * @file Which files are indexed, and the cache key guard that keeps `cachePath` inside the cache.
 */
import { describe, expect, it } from 'vitest';
import { formatOf, isIgnoredName } from '../../main/library/formats';
import { cacheFile, cacheKey } from '../../main/library/thumbnails';
import { PermanentError, isDecodeError } from '../../main/library/decoders';

describe('formats', () => {
  it('maps extensions case-insensitively to kinds and decoders', () => {
    expect(formatOf('IMG_0001.JPG')).toMatchObject({ kind: 'image', decoder: 'sharp' });
    expect(formatOf('a.heic')).toMatchObject({ kind: 'image', decoder: 'heic' });
    expect(formatOf('a.bmp')).toMatchObject({ decoder: 'bmp' });
    for (const raw of ['cr2', 'cr3', 'nef', 'arw', 'dng', 'raf', 'orf'])
      expect(formatOf(`x.${raw}`)).toMatchObject({ kind: 'raw', decoder: 'raw-preview' });
    expect(formatOf('clip.MOV')).toMatchObject({ kind: 'video', decoder: 'none' });
    expect(formatOf('notes.txt')).toBeNull();
    expect(formatOf('noext')).toBeNull();
  });
  it('skips hidden and NAS cache entries', () => {
    expect(isIgnoredName('.DS_Store')).toBe(true);
    expect(isIgnoredName('@eaDir')).toBe(true);
    expect(isIgnoredName('holiday.jpg')).toBe(false);
  });
});

describe('cache keys', () => {
  it('maps well-formed keys under the cache and refuses anything else', () => {
    const key = cacheKey('0123456789abcdef0123456789abcdef', 't', 1);
    expect(cacheFile('/cache', key)).toBe(`/cache/01/${key}`);
    expect(cacheFile('/cache', 'placeholder-video-1.jpg')).toBe('/cache/placeholder/placeholder-video-1.jpg');
    for (const bad of [
      '../../etc/passwd',
      '0123456789abcdef0123456789abcdef-t1.jpg/../x',
      'x.jpg',
      '',
      '0123456789ABCDEF0123456789ABCDEF-t1.jpg',
    ]) {
      expect(cacheFile('/cache', bad)).toBeNull();
    }
  });
});

describe('isDecodeError', () => {
  it('treats libvips errors about the bytes as permanent and system errors as passing', () => {
    expect(isDecodeError(new Error('VipsJpeg: premature end of JPEG image'))).toBe(true);
    expect(isDecodeError(new Error('Warning treated as error due to failOn setting'))).toBe(true);
    expect(isDecodeError(new PermanentError('x'))).toBe(true);
    expect(isDecodeError(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }))).toBe(false);
    expect(isDecodeError(new Error('Input file is missing: /a.jpg'))).toBe(false);
    expect(isDecodeError('not an error')).toBe(false);
  });
});
