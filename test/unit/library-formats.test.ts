/**
 * @file Which files are indexed, how their bytes are decoded, and the cache key guard that keeps
 * `cachePath` inside the cache.
 */
import { describe, expect, it } from 'vitest';
import { formatOf, isIgnoredName, sniffFormat, type Format } from '../../main/library/formats';
import { cacheFile, cacheKey } from '../../main/library/thumbnails';
import { isDecodeError } from '../../main/library/decoders';
import { PermanentError } from '../../main/library/jobs';

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

describe('sniffFormat', () => {
  const named = (name: string): Format => formatOf(name)!;
  const bytes = (...parts: (string | number[] | Buffer)[]): Buffer =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  /** An ISO-BMFF `ftyp` box with these brands (major, minor version, compatible...). */
  const ftyp = (major: string, ...compatible: string[]) => {
    const body = bytes('ftyp', major, [0, 0, 0, 0], ...compatible);
    return bytes([0, 0, 0, body.length + 4], body);
  };

  it('decodes by content whatever the extension says', () => {
    expect(sniffFormat(bytes([0xff, 0xd8, 0xff, 0xe0]), named('a.heic'))).toEqual({ kind: 'image', mime: 'image/jpeg', decoder: 'sharp' });
    expect(sniffFormat(bytes('\x89PNG\r\n\x1a\n'), named('a.webp'))).toMatchObject({ mime: 'image/png', decoder: 'sharp' });
    expect(sniffFormat(bytes('GIF89a'), named('a.jpg'))).toMatchObject({ mime: 'image/gif', decoder: 'sharp' });
    expect(sniffFormat(bytes('RIFF', [1, 2, 3, 4], 'WEBP'), named('a.png'))).toMatchObject({ mime: 'image/webp', decoder: 'sharp' });
    expect(sniffFormat(bytes('BM', [0, 0, 0, 0]), named('a.jpg'))).toMatchObject({ mime: 'image/bmp', decoder: 'bmp' });
    expect(sniffFormat(ftyp('heic', 'mif1', 'heic'), named('a.jpg'))).toMatchObject({ mime: 'image/heic', decoder: 'heic' });
    expect(sniffFormat(ftyp('heix', 'mif1'), named('a.jpg'))).toMatchObject({ decoder: 'heic' });
    expect(sniffFormat(ftyp('mif1', 'mif1', 'heic'), named('a.jpg'))).toMatchObject({ mime: 'image/heif', decoder: 'heic' });
    // AVIF shares HEIF's container: its brands send it to sharp, not to the HEIC decoder.
    expect(sniffFormat(ftyp('avif', 'mif1', 'avif'), named('a.heic'))).toMatchObject({ mime: 'image/avif', decoder: 'sharp' });
    expect(sniffFormat(ftyp('mif1', 'avif', 'mif1'), named('a.heic'))).toMatchObject({ mime: 'image/avif', decoder: 'sharp' });
    expect(sniffFormat(bytes('II*', [0]), named('a.jpg'))).toMatchObject({ mime: 'image/tiff', decoder: 'sharp' });
  });

  it('keeps the format the name gave when it agrees, for RAW containers, videos and unknown bytes', () => {
    const jpg = named('a.jpg');
    expect(sniffFormat(bytes([0xff, 0xd8, 0xff]), jpg)).toBe(jpg);
    const nef = named('a.nef');
    expect(sniffFormat(bytes('MM', [0, 42]), nef)).toBe(nef); // TIFF-like RAW: the embedded preview route
    expect(sniffFormat(ftyp('crx ', 'crx '), named('a.cr3'))).toBe(named('a.cr3'));
    const mp4 = named('a.mp4');
    expect(sniffFormat(bytes([0xff, 0xd8, 0xff]), mp4)).toBe(mp4);
    expect(sniffFormat(bytes('random bytes here'), jpg)).toBe(jpg);
    expect(sniffFormat(bytes(''), named('a.heic'))).toEqual(named('a.heic'));
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
