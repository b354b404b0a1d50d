/**
 * @file Finds a PNG's `eXIf` chunk, for the EXIF exifr misses (see the note below), and returns its TIFF
 * bytes for exifr to parse. Never decodes pixels, never writes.
 *
 * Runs in main (metadata.ts). Reads an 8-byte header per chunk up to the image data, then at most the
 * file's last 256 KB, and the eXIf chunk's own bytes: a few small reads whatever the file's size.
 *
 * [Note: PNG eXIf past exifr's first read]
 * Reading a file by path, exifr 7.1.3 reads its first 512 bytes (`firstChunkSizeNode`) and walks the PNG
 * chunks within those bytes only (`findPngChunksInRange(8, file.byteLength)`): an eXIf chunk whose header
 * starts at byte 512 or later is skipped without a word, and one whose header straddles byte 512 ends the
 * walk with a RangeError that exifr keeps in `errors`. That happens to any eXIf after a real ICC profile
 * (an sRGB iCCP chunk is about 3 KB), after text chunks, or after the image data, which the first eXIf
 * specification allowed. No option fixes it within bounds: `icc`, `ihdr` and `chunkLimit` do not move
 * the walk's end; `chunked: false` reads the whole file into memory (a 300 MB PNG, for one date);
 * `firstChunkSize` only moves the limit. So metadata.ts asks this module for the eXIf bytes of every PNG
 * and hands them to exifr, which parses them as the TIFF they are; exifr's own output (XMP included) wins
 * where both have a value. Upstream: https://github.com/MikeKovarik/exifr (src/file-parsers/png.mjs;
 * 7.1.3 is the latest release). The same limit hides XMP in an iTXt chunk past byte 512 (not handled here).
 *
 * The walk stops at the first IDAT: image data comes in thousands of chunks (8 KB each from libpng),
 * and walking them would cost a read each. An eXIf after the image data sits between the last IDAT and
 * IEND, so it is looked for in the file's last 256 KB instead, and taken only when its CRC matches (one
 * whose header lies further from the end, behind large text chunks or with a huge thumbnail, is missed).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** The walk gives up after this many chunks before the image data (files have a handful). */
export const MAX_PNG_CHUNKS = 1000;
/** An eXIf chunk larger than this is not read (JPEG caps EXIF at 64 KB; a PNG's rarely comes close). */
export const MAX_PNG_EXIF_BYTES = 4 * 1024 * 1024;
/** How much of the file's end is searched for an eXIf chunk after the image data. */
export const PNG_TAIL_BYTES = 256 * 1024;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHUNK_TYPE = /^[A-Za-z]{4}$/;

/** What the search found: the eXIf chunk's TIFF bytes, or null with the reason when the file is not sound. */
export interface PngExifChunk {
  exif: Buffer | null;
  /**
   * An eXIf chunk was found after the image data (IDAT), which the first eXIf specification allowed and
   * PNG's third edition does not: decoders (libvips, browsers) then ignore its Orientation, so must we.
   */
  afterImageData: boolean;
  /** Why the search stopped early or the eXIf chunk was unusable; null when nothing is wrong. */
  problem: string | null;
}

/**
 * Finds the eXIf chunk of the PNG at `absPath`: by walking the chunks up to the image data, else in the
 * file's tail. Returns its data, CRC-checked and starting with a TIFF header. Bounded: at most
 * MAX_PNG_CHUNKS header reads, one read of PNG_TAIL_BYTES and one of at most MAX_PNG_EXIF_BYTES. A
 * malformed or truncated file gives a `problem`, not an exception; a file that cannot be read rejects.
 */
export async function readPngExifChunk(absPath: string): Promise<PngExifChunk> {
  const fh = await open(absPath, 'r');
  const none = (problem: string | null): PngExifChunk => ({ exif: null, afterImageData: false, problem });
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(8);
    const readAt = async (buf: Buffer, pos: number) => (await fh.read(buf, 0, buf.length, pos)).bytesRead === buf.length;
    if (!(await readAt(head, 0)) || !head.equals(SIGNATURE)) return none('not a PNG file (no PNG signature)');
    let pos = SIGNATURE.length;
    for (let n = 0; n < MAX_PNG_CHUNKS; n++) {
      if (pos + 12 > size || !(await readAt(head, pos))) return none(`truncated PNG: it ends at byte ${size} without an IEND chunk`);
      const length = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      // The spec caps a chunk at 2^31-1 bytes; a type outside A-Z/a-z means the chunk boundaries are lost.
      if (!CHUNK_TYPE.test(type) || length > 0x7fffffff) return none(`malformed PNG: no valid chunk header at byte ${pos}`);
      const end = pos + 12 + length;
      if (end > size) return none(`truncated PNG: its ${type} chunk at byte ${pos} claims ${length} bytes, past the file's end (${size})`);
      if (type === 'eXIf') return { ...(await exifAt(readAt, pos, length)), afterImageData: false };
      if (type === 'IEND') return none(null);
      if (type === 'IDAT') return await exifInTail(fh, pos, size);
      pos = end;
    }
    return none(`gave up looking for an eXIf chunk after ${MAX_PNG_CHUNKS} chunks`);
  } finally {
    await fh.close();
  }
}

type ReadAt = (buf: Buffer, pos: number) => Promise<boolean>;
type Found = { exif: Buffer | null; problem: string | null };

/**
 * An eXIf chunk between `imageData` (the first IDAT) and the end of the file, looked for in the last
 * PNG_TAIL_BYTES: a candidate counts only if it lies wholly in the file and its CRC matches, which
 * compressed image data that happens to hold the bytes "eXIf" will not (odds of 1 in 2^32).
 */
async function exifInTail(fh: FileHandle, imageData: number, size: number): Promise<PngExifChunk> {
  const start = Math.max(imageData, size - PNG_TAIL_BYTES);
  const tail = Buffer.alloc(size - start);
  if ((await fh.read(tail, 0, tail.length, start)).bytesRead !== tail.length)
    return { exif: null, afterImageData: false, problem: 'cannot read the end of the PNG' };
  for (let i = tail.indexOf('eXIf', 4, 'latin1'); i !== -1; i = tail.indexOf('eXIf', i + 1, 'latin1')) {
    const length = tail.readUInt32BE(i - 4);
    if (i + 4 + length + 4 > tail.length) continue;
    if (crc32(tail.subarray(i, i + 4 + length)) !== tail.readUInt32BE(i + 4 + length)) continue;
    const data = tail.subarray(i + 4, i + 4 + length);
    if (isTiff(data)) return { exif: data, afterImageData: true, problem: null };
    return { exif: null, afterImageData: true, problem: `the eXIf chunk at byte ${start + i - 4} does not hold TIFF data` };
  }
  // A large eXIf chunk whose header lies before the tail, or none at all (the usual case): no problem to report.
  return { exif: null, afterImageData: false, problem: null };
}

const isTiff = (data: Buffer) => {
  const order = data.toString('latin1', 0, 4);
  return order === 'II*\0' || order === 'MM\0*';
};

/** The eXIf chunk's data at `pos`, when its size is within bounds, its CRC matches and it holds TIFF. */
async function exifAt(readAt: ReadAt, pos: number, length: number): Promise<Found> {
  const bad = (problem: string) => ({ exif: null, problem: `the eXIf chunk at byte ${pos} ${problem}` });
  if (length > MAX_PNG_EXIF_BYTES) return bad(`is ${length} bytes, over the ${MAX_PNG_EXIF_BYTES}-byte limit`);
  // Type, data and CRC: the CRC covers the type and the data.
  const body = Buffer.alloc(4 + length + 4);
  if (!(await readAt(body, pos + 4))) return bad('cannot be read');
  if (crc32(body.subarray(0, 4 + length)) !== body.readUInt32BE(4 + length)) return bad('fails its CRC check (damaged file)');
  const data = body.subarray(4, 4 + length);
  if (!isTiff(data)) return bad('does not hold TIFF data');
  return { exif: data, problem: null };
}
