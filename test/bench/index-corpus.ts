/**
 * @file Seeded benchmark corpus for `bench:index`: 12 MP JPEGs with EXIF (capture date, camera,
 * a unique id), each file distinct in content.
 *
 * Runs under node (tsx). Eight textured 4000×3000 bases are made from the sample library (upscaled plus
 * seeded grain, so they compress and decode like camera photos, ~3–5 MB); every corpus file is one base
 * with its own EXIF block spliced in after the JPEG SOI marker, so hashes differ while decode cost stays
 * realistic. Files are cached under the corpus folder and reused when present.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { rng } from './bench-helpers';

const SAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../assets/sample-library');
const BASES = [
  'food/fruits.jpg',
  'sport/messi5.jpg',
  'animals/baboon.jpg',
  'places/building.jpg',
  'animals/butterfly.jpg',
  'food/orange.jpg',
  'places/home.jpg',
  '2019 trip/astronaut.jpg',
];

/** An EXIF APP1 segment: IFD0 Make/Model/Orientation, Exif IFD DateTimeOriginal + ImageUniqueID. */
export function exifSegment(make: string, model: string, date: string, uniqueId: string): Buffer {
  const asciiz = (s: string) => Buffer.from(s + '\0', 'latin1');
  const makeB = asciiz(make),
    modelB = asciiz(model),
    dateB = asciiz(date),
    idB = asciiz(uniqueId);
  const ifd0Count = 4,
    exifCount = 2;
  const ifd0At = 8;
  const exifAt = ifd0At + 2 + ifd0Count * 12 + 4;
  let dataAt = exifAt + 2 + exifCount * 12 + 4;
  const tiff = Buffer.alloc(dataAt + makeB.length + modelB.length + dateB.length + idB.length);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifd0At, 4);
  const entry = (at: number, i: number, tag: number, type: number, count: number, value: number) => {
    const o = at + 2 + i * 12;
    tiff.writeUInt16LE(tag, o);
    tiff.writeUInt16LE(type, o + 2);
    tiff.writeUInt32LE(count, o + 4);
    if (type === 3) tiff.writeUInt16LE(value, o + 8);
    else tiff.writeUInt32LE(value, o + 8);
  };
  const put = (b: Buffer) => {
    const at = dataAt;
    b.copy(tiff, at);
    dataAt += b.length;
    return at;
  };
  tiff.writeUInt16LE(ifd0Count, ifd0At);
  entry(ifd0At, 0, 0x010f, 2, makeB.length, put(makeB));
  entry(ifd0At, 1, 0x0110, 2, modelB.length, put(modelB));
  entry(ifd0At, 2, 0x0112, 3, 1, 1);
  entry(ifd0At, 3, 0x8769, 4, 1, exifAt);
  tiff.writeUInt16LE(exifCount, exifAt);
  entry(exifAt, 0, 0x9003, 2, dateB.length, put(dateB));
  entry(exifAt, 1, 0xa420, 2, idB.length, put(idB));
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

async function makeBases(seed: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const rand = rng(seed);
  for (const name of BASES) {
    const { data, info } = await sharp(join(SAMPLE, name))
      .resize(4000, 3000, { fit: 'cover' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i]! + Math.round((rand() - 0.5) * 28)));
    out.push(
      await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  }
  return out;
}

/** Makes (or reuses) `count` distinct 12 MP JPEGs named `<prefix>NNNNN.jpg` under `dir`, spread over subfolders. */
export async function ensureCorpus(
  dir: string,
  count: number,
  seed: number,
  prefix: string,
  bases?: Buffer[],
): Promise<{ files: string[]; bytes: number; bases: Buffer[] }> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) files.push(join(dir, `f${Math.floor(i / 250)}`, `${prefix}${String(i).padStart(5, '0')}.jpg`));
  const have = existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((n) => String(n).endsWith('.jpg')).length : 0;
  const b = bases ?? (have === count ? [] : await makeBases(seed));
  let bytes = 0;
  if (have !== count) {
    const rand = rng(seed + 1);
    const cams: [string, string][] = [
      ['Canon', 'Canon EOS R6'],
      ['NIKON CORPORATION', 'NIKON Z 6'],
      ['SONY', 'ILCE-7M4'],
      ['Apple', 'iPhone 15 Pro'],
    ];
    for (let i = 0; i < count; i++) {
      mkdirSync(join(files[i]!, '..'), { recursive: true });
      const base = b[i % b.length]!;
      const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(rand() * 3650) * 86400_000 + Math.floor(rand() * 86400) * 1000);
      const date = day.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');
      const [make, model] = cams[i % cams.length]!;
      const jpeg = Buffer.concat([
        base.subarray(0, 2),
        exifSegment(make, model, date, `${prefix}-${seed}-${i}`.padEnd(32, '0')),
        base.subarray(2),
      ]);
      writeFileSync(files[i]!, jpeg);
      utimesSync(files[i]!, day, day);
      bytes += jpeg.length;
    }
  }
  return { files, bytes, bases: b };
}

// CLI: node --import tsx test/bench/index-corpus.ts <dir> <count> <seed> <prefix>  (the bench runs it in a
// child process so the corpus generation's memory does not count in the indexer's peak RSS).
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [dir, count, seed, prefix] = process.argv.slice(2);
  const r = await ensureCorpus(resolve(dir!), Number(count), Number(seed), prefix ?? 'img');
  console.log(JSON.stringify({ files: r.files.length, bytes: r.bytes }));
}
