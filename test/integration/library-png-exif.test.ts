/**
 * @file A PNG's eXIf and XMP chunks past byte 512, where exifr's own chunk walk stops ([Note: PNG eXIf past
 * exifr's first read] in main/library/png-exif.ts): capture time, GPS, rating and orientation, and XMP
 * title, description, keywords, rating and date, are read from the generated fixtures (after an iCCP
 * chunk, after the image data, XMP compressed or not), end to end through indexing too, with exifr's own
 * precedence (EXIF over XMP; a sidecar's rating over both) and without exifr opening the file; damaged,
 * truncated, endless and huge PNGs give warnings, not errors, and bounded reads.
 */
import {
  closeSync,
  cpSync,
  promises as fsPromises,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import exifr from 'exifr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatOf } from '../../main/library/formats';
import { readMetadata } from '../../main/library/metadata';
import { MAX_PNG_CHUNKS, MAX_PNG_EXIF_BYTES, MAX_PNG_XMP_BYTES, PNG_HEAD_BYTES, readPngChunks } from '../../main/library/png-exif';
import { FIXTURES, makeHarness } from './helpers/library-harness';

const png = formatOf('x.png')!;
const AFTER_ICCP = join(FIXTURES, 'metadata/exif after iccp.png');
const AFTER_IDAT = join(FIXTURES, 'metadata/exif after idat.png');
const XMP_AFTER_ICCP = join(FIXTURES, 'metadata/xmp after iccp.png');
const XMP_AFTER_IDAT = join(FIXTURES, 'metadata/xmp after idat.png');
/** What make-library-fixtures.ts writes into both fixtures' eXIf chunk. */
const EXPECTED = { taken_at: '2021-03-04T05:06:07', taken_offset: '+02:00', xmp_rating: 4 };
/** What it writes into both XMP fixtures' iTXt chunk. */
const EXPECTED_XMP = {
  taken_at: '2019-08-09T10:11:12',
  xmp_title: 'Harbour café',
  xmp_description: 'Boats at dawn',
  xmp_keywords: JSON.stringify(['boats', 'sea']),
  xmp_rating: 2,
};

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
    for (const file of [AFTER_ICCP, AFTER_IDAT, XMP_AFTER_ICCP, XMP_AFTER_IDAT]) {
      expect(readFileSync(file).indexOf(file.includes('xmp') ? 'iTXt' : 'eXIf', 8, 'latin1'), file).toBeGreaterThan(512);
      const tags = (await exifr.parse(file, { tiff: true, exif: true, gps: true, xmp: true })) as Record<string, unknown> | undefined;
      expect(tags?.['DateTimeOriginal'], file).toBeUndefined();
      expect(tags?.['Rating'], file).toBeUndefined();
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

  it('indexes them with their EXIF and XMP date, place, rating, and thumbnails that match the stored size', async () => {
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
      for (const name of ['xmp after iccp.png', 'xmp after idat.png']) {
        const p = h.lib.getPhoto(items.get(name)!.id)!;
        expect(p, name).toMatchObject({ takenAt: '2019-08-09T10:11:12', takenAtSource: 'exif', rating: 2, ratingSource: 'file' });
        expect(p.xmp, name).toEqual({ title: 'Harbour café', description: 'Boats at dawn', keywords: ['boats', 'sea'], rating: 2 });
      }
    } finally {
      await h.dispose();
    }
  }, 60_000);
});

/** An iTXt chunk under XMP's keyword: `flag` 1 deflates `text`; `method` is the compression method byte. */
const xmpChunk = (text: string | Buffer, flag = 0, method = 0) =>
  chunk(
    'iTXt',
    Buffer.concat([
      Buffer.from('XML:com.adobe.xmp\0', 'latin1'),
      Buffer.from([flag, method, 0, 0]),
      flag === 1 ? deflateSync(text) : Buffer.from(text),
    ]),
  );
const xmpFixtureBytes = readFileSync(XMP_AFTER_IDAT);
/** The plain XMP packet of the fixtures. */
const fixtureXmp = (() => {
  const at = xmpFixtureBytes.indexOf('iTXt', 8, 'latin1');
  return xmpFixtureBytes.subarray(at + 4 + 22, at + 4 + xmpFixtureBytes.readUInt32BE(at - 4)).toString('utf8');
})();
/** Signature, IHDR, the chunks given, then the fixture's image data and IEND. */
const pngWith = (...chunks: Buffer[]) =>
  Buffer.concat([
    fixtureBytes.subarray(0, 33),
    ...chunks,
    xmpFixtureBytes.subarray(33, xmpFixtureBytes.indexOf('iTXt', 8, 'latin1') - 4),
    chunk('IEND', Buffer.alloc(0)),
  ]);

describe('PNG XMP (iTXt) past the first 512 bytes', () => {
  it('reads title, description, keywords, rating and date from a compressed iTXt after an ICC profile, and a plain one after the image data', async () => {
    for (const file of [XMP_AFTER_ICCP, XMP_AFTER_IDAT]) {
      const m = await readMetadata(file, png);
      expect(m, file).toMatchObject({ ...EXPECTED_XMP, width: 24, height: 16, orientation: null });
      expect(m.warnings, file).toEqual([]);
    }
  });

  it('takes EXIF over XMP where both say something, as exifr does for a file whose chunks it reads itself', async () => {
    const exif = fixtureBytes.subarray(exifAt, exifAt + 12 + fixtureBytes.readUInt32BE(exifAt));
    const xmp =
      '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="2" dc:title="Hi"/>';
    const file = write('both.png', pngWith(exif, xmpChunk(xmp)));
    // Both within the first 512 bytes, so exifr's own reading is the reference.
    expect(readFileSync(file).indexOf('IDAT', 0, 'latin1')).toBeLessThan(512);
    const direct = (await exifr.parse(file, {
      tiff: true,
      exif: true,
      gps: true,
      xmp: true,
      mergeOutput: true,
      reviveValues: false,
    })) as Record<string, unknown>;
    expect(direct).toMatchObject({ Rating: 4, title: 'Hi', DateTimeOriginal: '2021:03:04 05:06:07' });
    const m = await readMetadata(file, png);
    expect(m).toMatchObject({ xmp_rating: 4, xmp_title: 'Hi', taken_at: EXPECTED.taken_at, orientation: 6 });
    expect(m.warnings).toEqual([]);
  });

  it("leaves a sidecar's rating first", async () => {
    const file = write('rated.png', readFileSync(XMP_AFTER_IDAT));
    writeFileSync(
      `${file}.xmp`,
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="5"/></rdf:RDF></x:xmpmeta>',
    );
    expect(await readMetadata(file, png)).toMatchObject({ xmp_rating: 5, xmp_title: EXPECTED_XMP.xmp_title });
  });

  it('does not let exifr open a PNG: the chunk walk is its only read of the file', async () => {
    // exifr opens files through `fs.promises.open` (src/file-readers/FsReader.mjs); the walk imports its own `open`.
    const spy = vi.spyOn(fsPromises, 'open');
    try {
      await readMetadata(join(FIXTURES, 'formats/fruits.jpg'), formatOf('x.jpg')!);
      expect(spy, 'the probe sees exifr open a JPEG').toHaveBeenCalled();
      spy.mockClear();
      for (const file of [AFTER_ICCP, XMP_AFTER_IDAT, join(FIXTURES, 'formats/fruits.png')]) {
        expect((await readMetadata(file, png)).warnings, file).toEqual([]);
      }
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('reads chunks across the end of the first read (PNG_HEAD_BYTES): before the image data, and after 100 KB of it', async () => {
    const exif = fixtureBytes.subarray(exifAt, exifAt + 12 + fixtureBytes.readUInt32BE(exifAt));
    // A text chunk that ends just before the first read does, so that the XMP chunk straddles its end.
    const filler = chunk(
      'tEXt',
      Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.alloc(PNG_HEAD_BYTES - 33 - 12 - 8 - 100, 0x61)]),
    );
    const before = await readMetadata(write('straddle.png', pngWith(filler, xmpChunk(fixtureXmp, 1), exif)), png);
    expect(before).toMatchObject({ ...EXPECTED_XMP, taken_at: EXPECTED.taken_at, xmp_rating: 4, warnings: [] });
    // Image data past the first read, then both chunks: the tail starts inside the first read.
    const idat = chunk('IDAT', Buffer.alloc(100 * 1024, 0x55));
    const after = Buffer.concat([fixtureBytes.subarray(0, 33), idat, xmpChunk(fixtureXmp), exif, chunk('IEND', Buffer.alloc(0))]);
    const r = await readPngChunks(write('after-100k.png', after));
    expect(r).toMatchObject({ png: true, afterImageData: true, xmp: fixtureXmp, problems: [] });
    expect(r.exif?.equals(exif.subarray(8, -4))).toBe(true);
  });

  it('a damaged, oddly compressed or oversized XMP chunk gives a warning; the eXIf beside it is still read', async () => {
    const exif = fixtureBytes.subarray(exifAt, exifAt + 12 + fixtureBytes.readUInt32BE(exifAt));
    const crc = xmpChunk(fixtureXmp);
    crc.writeUInt8(crc.readUInt8(60) ^ 0xff, 60);
    const bomb = xmpChunk(Buffer.alloc(MAX_PNG_XMP_BYTES + 1, 0x20), 1);
    expect(bomb.length).toBeLessThan(64 * 1024);
    for (const [name, bad, message] of [
      ['crc', crc, /XMP iTXt chunk at byte \d+ fails its CRC check/],
      ['method', xmpChunk(fixtureXmp, 1, 7), /XMP iTXt chunk at byte \d+ uses an unknown compression \(flag 1, method 7\)/],
      [
        'deflate',
        chunk('iTXt', Buffer.from('XML:com.adobe.xmp\0\x01\0\0\0not zlib at all', 'latin1')),
        /XMP iTXt chunk at byte \d+ cannot be inflated/,
      ],
      ['bomb', bomb, /XMP iTXt chunk at byte \d+ cannot be inflated/],
    ] as const) {
      const m = await readMetadata(write(`${name}.png`, pngWith(bad, exif)), png);
      expect(m, name).toMatchObject({ xmp_title: null, taken_at: EXPECTED.taken_at, xmp_rating: 4 });
      expect(m.warnings.join('\n'), name).toMatch(message);
    }
  });
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
    const fake = await readPngChunks(write('lookalike.png', Buffer.concat([lookalike, chunk('IEND', Buffer.alloc(0))])));
    expect(fake).toEqual({ png: true, exif: null, afterImageData: false, xmp: null, problems: [] });
  });

  it('gives up after MAX_PNG_CHUNKS chunks of a file with no end', async () => {
    const filler = chunk('tEXt', Buffer.alloc(0));
    const endless = write('endless.png', Buffer.concat([fixtureBytes.subarray(0, 33), ...Array<Buffer>(MAX_PNG_CHUNKS + 5).fill(filler)]));
    const r = await readPngChunks(endless);
    expect(r).toEqual({
      png: true,
      exif: null,
      afterImageData: false,
      xmp: null,
      problems: [`gave up looking for metadata chunks after ${MAX_PNG_CHUNKS} chunks`],
    });
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
    const r = await readPngChunks(huge);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r).toMatchObject({ afterImageData: true, problems: [] });
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
    expect((await readPngChunks(big)).problems.join('\n')).toMatch(/eXIf chunk at byte 33 is \d+ bytes, over the \d+-byte limit/);
  });
});
