/**
 * @file Metadata (issue 3, item 3) from real files: capture time as wall-clock with its offset, GPS,
 * camera, lens, exposure, orientation, dimensions, XMP title/description/keywords/rating.
 */
import { join } from 'node:path';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOf } from '../../main/library/formats';
import { readMetadata } from '../../main/library/metadata';
import { SAMPLE_LIBRARY } from './helpers/library-harness';

const jpg = formatOf('x.jpg')!;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-meta-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readMetadata', () => {
  it('reads capture time with offset, GPS and camera from a real photo', async () => {
    const m = await readMetadata(join(SAMPLE_LIBRARY, '2019 trip/astronaut.jpg'), jpg);
    expect(m).toMatchObject({
      taken_at: '2019-07-20T20:17:40',
      taken_offset: '-04:00',
      camera_make: 'Hasselblad',
      camera_model: '500 EL/M',
      width: 512,
      height: 512,
    });
    expect(m.gps_lat).toBeCloseTo(28.5729, 3);
    expect(m.gps_lon).toBeCloseTo(-80.649, 3);
  });

  it('reads exposure, lens and XMP fields', async () => {
    const file = join(dir, 'exposure.jpg');
    const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4">
        <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harbour at dawn</rdf:li></rdf:Alt></dc:title>
        <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Boats leaving the harbour</rdf:li></rdf:Alt></dc:description>
        <dc:subject><rdf:Bag><rdf:li>boats</rdf:li><rdf:li>sea</rdf:li></rdf:Bag></dc:subject>
      </rdf:Description></rdf:RDF></x:xmpmeta>`;
    await sharp(join(SAMPLE_LIBRARY, 'food/orange.jpg'))
      .withExif({
        IFD0: { Make: 'Canon', Model: 'Canon EOS R6' },
        IFD2: {
          ISOSpeedRatings: '400',
          FNumber: '28/10',
          ExposureTime: '1/250',
          FocalLength: '50/1',
          LensModel: 'RF50mm F1.8 STM',
          DateTimeOriginal: '2023:01:02 03:04:05',
          SubSecTimeOriginal: '25',
          OffsetTimeOriginal: '+09:00',
        },
      })
      .withXmp(xmp)
      .jpeg()
      .toFile(file);
    const m = await readMetadata(file, jpg);
    expect(m).toMatchObject({
      taken_at: '2023-01-02T03:04:05.250',
      taken_offset: '+09:00',
      lens: 'RF50mm F1.8 STM',
      iso: 400,
      f_number: 2.8,
      exposure_time: 0.004,
      focal_length: 50,
      xmp_title: 'Harbour at dawn',
      xmp_description: 'Boats leaving the harbour',
      xmp_rating: 4,
    });
    expect(JSON.parse(m.xmp_keywords!)).toEqual(['boats', 'sea']);
  });

  it('treats missing or broken EXIF as absent, not as an error', async () => {
    // The sample library's photos all carry a date now (scripts/make-sample-library.py); this PNG has no EXIF.
    const bare = join(dir, 'bare.png');
    await sharp({ create: { width: 600, height: 400, channels: 3, background: '#7a5230' } })
      .png()
      .toFile(bare);
    const m = await readMetadata(bare, formatOf('x.png')!);
    expect(m).toMatchObject({ taken_at: null, camera_make: null, gps_lat: null, width: 600, height: 400 });
  });

  it('reads the capture date every sample photo carries, PNGs included (a git checkout resets file times)', async () => {
    const png = await readMetadata(join(SAMPLE_LIBRARY, 'art/starry night.png'), formatOf('x.png')!);
    expect(png.taken_at).toBe('2016-11-05T14:00:00');
    const copied = await readMetadata(join(SAMPLE_LIBRARY, '2019 trip/hubble deep field.jpg'), jpg);
    expect(copied.taken_at).toBe('2019-07-22T22:05:00');
    const files = readdirSync(SAMPLE_LIBRARY, { recursive: true, encoding: 'utf8' }).filter((f) => formatOf(f));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect((await readMetadata(join(SAMPLE_LIBRARY, f), formatOf(f)!)).taken_at, f).not.toBeNull();
  });
});
