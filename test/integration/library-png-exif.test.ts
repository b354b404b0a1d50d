/**
 * @file A PNG's eXIf chunk past byte 512, where exifr's own chunk walk stops ([Note: PNG eXIf past exifr's
 * first read] in main/library/png-exif.ts): capture time, GPS, rating and orientation are read from the
 * generated fixtures (after an iCCP chunk, after the image data), end to end through indexing too; damaged,
 * truncated, endless and huge PNGs give warnings, not errors, and bounded reads.
 */
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import exifr from 'exifr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOf } from '../../main/library/formats';
import { readMetadata } from '../../main/library/metadata';
import { MAX_PNG_CHUNKS, MAX_PNG_EXIF_BYTES, readPngExifChunk } from '../../main/library/png-exif';
import { FIXTURES, makeHarness } from './helpers/library-harness';

const png = formatOf('x.png')!;
const AFTER_ICCP = join(FIXTURES, 'metadata/exif after iccp.png');
const AFTER_IDAT = join(FIXTURES, 'metadata/exif after idat.png');
/** What make-library-fixtures.ts writes into both fixtures' eXIf chunk. */
const EXPECTED = { taken_at: '2021-03-04T05:06:07', taken_offset: '+02:00', xmp_rating: 4 };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-png-exif-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A chunk with a correct CRC. */
const chunk = (type: string, data: Buffer) => {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  td.copy(out, 4);
  out.writeUInt32BE(crc32(td), 8 + data.length);
  return out;
};
const write = (name: string, data: Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const fixtureBytes = readFileSync(AFTER_ICCP);
/** Where the fixture's eXIf chunk starts (its length field). */
const exifAt = fixtureBytes.indexOf('eXIf', 8, 'latin1') - 4;

describe('PNG eXIf past the first 512 bytes', () => {
  it('is where exifr alone reads nothing (remove png-exif.ts once this fails after an exifr upgrade)', async () => {
    expect(exifAt).toBeGreaterThan(512);
    for (const file of [AFTER_ICCP, AFTER_IDAT]) {
      const tags = (await exifr.parse(file, { tiff: true, exif: true, gps: true, xmp: true })) as Record<string, unknown> | undefined;
      expect(tags?.['DateTimeOriginal'], file).toBeUndefined();
    }
  });

  it('reads date, offset, GPS, rating and orientation from an eXIf chunk after an ICC profile', async () => {
    const m = await readMetadata(AFTER_ICCP, png);
    expect(m).toMatchObject({ ...EXPECTED, orientation: 6, width: 16, height: 24 });
    expect(m.gps_lat).toBeCloseTo(48.85817, 4);
    expect(m.gps_lon).toBeCloseTo(2.2945, 4);
    expect(m.warnings).toEqual([]);
  });

  it('reads an eXIf chunk after the image data, but not its orientation, which decoders ignore there', async () => {
    expect((await sharp(AFTER_IDAT).metadata()).orientation).toBeUndefined();
    const m = await readMetadata(AFTER_IDAT, png);
    expect(m).toMatchObject({ ...EXPECTED, orientation: null, width: 24, height: 16 });
    expect(m.gps_lat).toBeCloseTo(48.85817, 4);
    expect(m.warnings).toEqual([]);
  });

  it('indexes both with their EXIF date, place, rating, and thumbnails that match the stored size', async () => {
    const h = makeHarness();
    try {
      mkdirSync(h.photosDir, { recursive: true });
      cpSync(join(FIXTURES, 'metadata'), h.photosDir, { recursive: true });
      await h.lib.addFolder(h.photosDir);
      await h.lib.whenIdle();
      const items = new Map(h.lib.page({ offset: 0, limit: 10 }).items.map((p) => [p.name, p]));
      for (const [name, size] of [
        ['exif after iccp.png', [16, 24]],
        ['exif after idat.png', [24, 16]],
      ] as const) {
        const item = items.get(name)!;
        expect(item, name).toBeDefined();
        const p = h.lib.getPhoto(item.id)!;
        expect(p, name).toMatchObject({ takenAt: '2021-03-04T05:06:07', takenAtSource: 'exif', rating: 4, ratingSource: 'file' });
        expect(p.gps?.lat, name).toBeCloseTo(48.85817, 4);
        expect([item.width, item.height], name).toEqual(size);
        const t = await sharp(h.lib.cachePath(item.thumb!)!).metadata();
        expect(Math.sign(t.width - t.height), name).toBe(Math.sign(size[0] - size[1]));
      }
    } finally {
      await h.dispose();
    }
  }, 60_000);
});

describe('damaged PNGs give warnings, not errors', () => {
  it('a file cut inside the eXIf chunk', async () => {
    const m = await readMetadata(write('cut.png', fixtureBytes.subarray(0, exifAt + 40)), png);
    expect(m.taken_at).toBeNull();
    expect(m.warnings.join('\n')).toMatch(/truncated PNG: its eXIf chunk at byte \d+ claims \d+ bytes, past the file's end/);
  });

  it('an eXIf chunk whose CRC does not match', async () => {
    const bad = Buffer.from(fixtureBytes);
    bad.writeUInt8(bad.readUInt8(exifAt + 8 + 100) ^ 0xff, exifAt + 8 + 100);
    const m = await readMetadata(write('crc.png', bad), png);
    expect(m.taken_at).toBeNull();
    expect(m.warnings.join('\n')).toMatch(/eXIf chunk at byte \d+ fails its CRC check/);
  });

  it('an eXIf chunk that holds no TIFF, a broken chunk header, and a file that is not a PNG', async () => {
    const head = fixtureBytes.subarray(0, 33); // signature + IHDR
    const notTiff = await readMetadata(
      write('not-tiff.png', Buffer.concat([head, chunk('eXIf', Buffer.from('Exif\0\0MM')), chunk('IEND', Buffer.alloc(0))])),
      png,
    );
    expect(notTiff.warnings.join('\n')).toMatch(/does not hold TIFF data/);
    const lengthOff = Buffer.from(fixtureBytes);
    lengthOff.writeUInt32BE(0xfffffff0, 33); // the iCCP chunk's length
    expect((await readMetadata(write('length.png', lengthOff), png)).warnings.join('\n')).toMatch(
      /malformed PNG: no valid chunk header at byte 33/,
    );
    const random = await readMetadata(write('random.png', Buffer.alloc(2000, 7)), png);
    expect(random).toMatchObject({ taken_at: null });
    expect(random.warnings.join('\n')).toMatch(/not a PNG file/);
  });

  it('after the image data: a cut eXIf chunk, or bytes that only look like one, are not read', async () => {
    const idatBytes = readFileSync(AFTER_IDAT);
    const at = idatBytes.indexOf('eXIf', 8, 'latin1') - 4;
    const cut = await readMetadata(write('cut-after-idat.png', idatBytes.subarray(0, at + 40)), png);
    expect(cut).toMatchObject({ taken_at: null, width: 24, height: 16 });
    // A text chunk after the image data holding "eXIf" and a TIFF header but no matching CRC.
    const lookalike = Buffer.concat([
      idatBytes.subarray(0, at),
      chunk('tEXt', Buffer.from('Comment\0\0\0\0\x10eXIfMM\0*\0\0\0\x08', 'latin1')),
    ]);
    const fake = await readPngExifChunk(write('lookalike.png', Buffer.concat([lookalike, chunk('IEND', Buffer.alloc(0))])));
    expect(fake).toEqual({ exif: null, afterImageData: false, problem: null });
  });

  it('gives up after MAX_PNG_CHUNKS chunks of a file with no end', async () => {
    const filler = chunk('tEXt', Buffer.alloc(0));
    const endless = write('endless.png', Buffer.concat([fixtureBytes.subarray(0, 33), ...Array<Buffer>(MAX_PNG_CHUNKS + 5).fill(filler)]));
    const r = await readPngExifChunk(endless);
    expect(r).toEqual({ exif: null, afterImageData: false, problem: `gave up looking for an eXIf chunk after ${MAX_PNG_CHUNKS} chunks` });
  });

  it('reads an eXIf chunk past 2 GB of image data without reading the data, and refuses an oversized one', async () => {
    const exif = fixtureBytes.subarray(exifAt, exifAt + 12 + fixtureBytes.readUInt32BE(exifAt));
    // A sparse file: IHDR, an IDAT claiming 2^31 - 1 bytes (never written, never read), then eXIf and IEND.
    const idatLength = 0x7fffffff;
    const huge = join(dir, 'huge.png');
    const fd = openSync(huge, 'w');
    try {
      const idatHead = Buffer.alloc(8);
      idatHead.writeUInt32BE(idatLength, 0);
      idatHead.write('IDAT', 4, 'latin1');
      writeSync(fd, Buffer.concat([fixtureBytes.subarray(0, 33), idatHead]), 0, undefined, 0);
      writeSync(fd, Buffer.concat([exif, chunk('IEND', Buffer.alloc(0))]), 0, undefined, 33 + 12 + idatLength);
    } finally {
      closeSync(fd);
    }
    const t0 = performance.now();
    const r = await readPngExifChunk(huge);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r).toMatchObject({ afterImageData: true, problem: null });
    expect(r.exif?.equals(exif.subarray(8, -4))).toBe(true);
    expect((await readMetadata(huge, png)).taken_at).toBe(EXPECTED.taken_at);

    const oversized = Buffer.alloc(8);
    oversized.writeUInt32BE(MAX_PNG_EXIF_BYTES + 1, 0);
    oversized.write('eXIf', 4, 'latin1');
    const big = join(dir, 'big-exif.png');
    writeFileSync(
      big,
      Buffer.concat([fixtureBytes.subarray(0, 33), oversized, Buffer.alloc(MAX_PNG_EXIF_BYTES + 1 + 4), chunk('IEND', Buffer.alloc(0))]),
    );
    expect((await readPngExifChunk(big)).problem).toMatch(/eXIf chunk at byte 33 is \d+ bytes, over the \d+-byte limit/);
  });
});
