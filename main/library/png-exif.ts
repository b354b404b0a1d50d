/**
 * @file Finds a PNG's metadata chunks for metadata.ts: the `eXIf` chunk (its TIFF bytes) and the XMP packet
 * of an `iTXt` chunk with keyword "XML:com.adobe.xmp" (inflated when compressed), wherever they are, which
 * exifr alone does not (see the note below). exifr parses what is found. Never decodes pixels, never writes.
 *
 * Runs in main (metadata.ts). One open per PNG: reads the file's first HEAD_BYTES, walks the chunk
 * headers up to the image data within them (a further 26-byte read per header beyond them), then at most
 * the file's last 256 KB, and the bytes of a found chunk that lies outside both: a few reads whatever the
 * file's size, often one.
 *
 * [Note: PNG eXIf past exifr's first read]
 * Reading a file by path, exifr 7.1.3 reads its first 512 bytes (`firstChunkSizeNode`) and walks the PNG
 * chunks within those bytes only (`findPngChunksInRange(8, file.byteLength)`): an eXIf chunk whose header
 * starts at byte 512 or later is skipped without a word, and one whose header straddles byte 512 ends the
 * walk with a RangeError that exifr keeps in `errors`. That happens to any eXIf after a real ICC profile
 * (an sRGB iCCP chunk is about 3 KB), after text chunks, or after the image data, which the first eXIf
 * specification allowed. The same limit hides XMP in an iTXt chunk past byte 512 (after an iCCP chunk, or
 * where Photoshop and ImageMagick put it, after a large one of their own), and exifr never inflates a
 * compressed iTXt (it hands the deflated bytes to its XML parser, which finds nothing). No option fixes
 * it within bounds: `icc`, `ihdr` and `chunkLimit` do not move the walk's end; `chunked: false` reads the
 * whole file into memory (a 300 MB PNG, for one date); `firstChunkSize` only moves the limit. So for a
 * PNG, metadata.ts does not let exifr read the file at all: this module's walk, which already had to open
 * every PNG, finds both chunks (a superset of what exifr's own read finds) and exifr parses their bytes,
 * the eXIf as the TIFF it is and the XMP as a packet. Upstream: https://github.com/MikeKovarik/exifr
 * (src/file-parsers/png.mjs; 7.1.3 is the latest release).
 *
 * The walk stops at the first IDAT: image data comes in thousands of chunks (8 KB each from libpng),
 * and walking them would cost a read each. A chunk after the image data sits between the last IDAT and
 * IEND, so it is looked for in the file's last 256 KB instead, and taken only when its CRC matches (one
 * whose header lies further from the end, behind large text chunks or with a huge thumbnail, is missed).
 * A chunk whose CRC does not match is dropped with a problem, wherever it is: libpng discards a damaged
 * ancillary chunk the same way.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32, inflateSync } from 'node:zlib';

/** The walk gives up after this many chunks before the image data (files have a handful). */
export const MAX_PNG_CHUNKS = 1000;
/** An eXIf chunk larger than this is not read (JPEG caps EXIF at 64 KB; a PNG's rarely comes close). */
export const MAX_PNG_EXIF_BYTES = 4 * 1024 * 1024;
/** An XMP iTXt chunk, or its inflated packet, larger than this is not read (a photo's XMP is a few KB). */
export const MAX_PNG_XMP_BYTES = 4 * 1024 * 1024;
/** How much of the file's end is searched for chunks after the image data. */
export const PNG_TAIL_BYTES = 256 * 1024;
/** The first read: all of a small PNG, and the chunks before the image data of most others. */
export const PNG_HEAD_BYTES = 64 * 1024;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHUNK_TYPE = /^[A-Za-z]{4}$/;
/** The iTXt keyword of an XMP packet, with its terminating NUL. */
const XMP_KEYWORD = Buffer.from('XML:com.adobe.xmp\0', 'latin1');

/** What the walk found in a PNG; every field empty when the file is not a PNG. */
export interface PngChunks {
  /** False when the file does not start with the PNG signature (then nothing else was looked for). */
  png: boolean;
  /** The first eXIf chunk's TIFF bytes, CRC-checked. */
  exif: Buffer | null;
  /**
   * The eXIf chunk was found after the image data (IDAT), which the first eXIf specification allowed and
   * PNG's third edition does not: decoders (libvips, browsers) then ignore its Orientation, so must we.
   */
  afterImageData: boolean;
  /** The XMP packet of the first iTXt chunk with keyword "XML:com.adobe.xmp", CRC-checked and inflated. */
  xmp: string | null;
  /** Why the walk stopped early or a chunk was unusable; empty when nothing is wrong. */
  problems: string[];
}

/** Reads `length` bytes at `pos`: from the head when they lie in it, else from the file; null when short. */
type Bytes = (pos: number, length: number) => Promise<Buffer | null>;

/**
 * Finds the eXIf and XMP chunks of the PNG at `absPath`: by walking the chunks up to the image data, else
 * in the file's tail. Bounded: one read of PNG_HEAD_BYTES, at most MAX_PNG_CHUNKS header reads beyond it,
 * one read of PNG_TAIL_BYTES, and one of each chunk found (at most MAX_PNG_EXIF_BYTES and
 * MAX_PNG_XMP_BYTES). A malformed or truncated file gives `problems`, not an exception, and keeps what
 * was found before the damage; a file that cannot be read rejects.
 */
export async function readPngChunks(absPath: string): Promise<PngChunks> {
  const fh = await open(absPath, 'r');
  const found: PngChunks = { png: false, exif: null, afterImageData: false, xmp: null, problems: [] };
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.allocUnsafe(Math.min(size, PNG_HEAD_BYTES));
    if ((await fh.read(head, 0, head.length, 0)).bytesRead !== head.length) {
      found.problems.push('cannot read the start of the PNG');
      return found;
    }
    const bytes: Bytes = async (pos, length) => {
      if (pos + length <= head.length) return head.subarray(pos, pos + length);
      const buf = Buffer.allocUnsafe(length);
      return (await fh.read(buf, 0, length, pos)).bytesRead === length ? buf : null;
    };
    if (head.length < SIGNATURE.length || !head.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
      found.problems.push('not a PNG file (no PNG signature)');
      return found;
    }
    found.png = true;
    await walk(fh, head, bytes, size, found);
    return found;
  } finally {
    await fh.close();
  }
}

/** Walks the chunks from the signature to the image data, filling `found`; then searches the tail. */
async function walk(fh: FileHandle, head: Buffer, bytes: Bytes, size: number, found: PngChunks): Promise<void> {
  let exifDone = false; // found, or found unusable: the first eXIf chunk is the one
  let xmpDone = false;
  let pos = SIGNATURE.length;
  for (let n = 0; n < MAX_PNG_CHUNKS; n++) {
    // The header and, for an iTXt chunk, its keyword: one read.
    const header = pos + 12 <= size ? await bytes(pos, Math.min(8 + XMP_KEYWORD.length, size - pos)) : null;
    if (!header) return void found.problems.push(`truncated PNG: it ends at byte ${size} without an IEND chunk`);
    const length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    // The spec caps a chunk at 2^31-1 bytes; a type outside A-Z/a-z means the chunk boundaries are lost.
    if (!CHUNK_TYPE.test(type) || length > 0x7fffffff)
      return void found.problems.push(`malformed PNG: no valid chunk header at byte ${pos}`);
    const end = pos + 12 + length;
    if (end > size)
      return void found.problems.push(
        `truncated PNG: its ${type} chunk at byte ${pos} claims ${length} bytes, past the file's end (${size})`,
      );
    if (type === 'eXIf' && !exifDone) {
      exifDone = true;
      take(found, 'exif', await chunkAt(bytes, 'eXIf', pos, length, MAX_PNG_EXIF_BYTES, exifData));
    } else if (type === 'iTXt' && !xmpDone && isXmpKeyword(header.subarray(8), length)) {
      xmpDone = true;
      take(found, 'xmp', await chunkAt(bytes, 'XMP iTXt', pos, length, MAX_PNG_XMP_BYTES, xmpPacket));
    }
    if (type === 'IEND' || (exifDone && xmpDone)) return;
    if (type === 'IDAT') return inTail(fh, head, pos, size, found, { exif: !exifDone, xmp: !xmpDone });
    pos = end;
  }
  found.problems.push(`gave up looking for metadata chunks after ${MAX_PNG_CHUNKS} chunks`);
}

const isXmpKeyword = (data: Buffer, length: number) => length >= XMP_KEYWORD.length && data.equals(XMP_KEYWORD);

/** A chunk's data turned into what we keep, or why it is unusable (said of "the eXIf chunk at byte N"). */
type Decode<T> = (data: Buffer) => { value: T } | { problem: string };
type Outcome<T> = { value: T } | { problem: string };

function take<K extends 'exif' | 'xmp'>(found: PngChunks, key: K, outcome: Outcome<PngChunks[K]>): void {
  if ('value' in outcome) found[key] = outcome.value;
  else found.problems.push(outcome.problem);
}

/** The chunk at `pos` (header already checked), when within `max` bytes and its CRC matches, decoded. */
async function chunkAt<T>(bytes: Bytes, name: string, pos: number, length: number, max: number, decode: Decode<T>): Promise<Outcome<T>> {
  const what = `the ${name} chunk at byte ${pos}`;
  if (length > max) return { problem: `${what} is ${length} bytes, over the ${max}-byte limit` };
  // Type, data and CRC: the CRC covers the type and the data.
  const body = await bytes(pos + 4, 4 + length + 4);
  if (!body) return { problem: `${what} cannot be read` };
  if (crc32(body.subarray(0, 4 + length)) !== body.readUInt32BE(4 + length))
    return { problem: `${what} fails its CRC check (damaged file)` };
  const r = decode(body.subarray(4, 4 + length));
  return 'problem' in r ? { problem: `${what} ${r.problem}` } : r;
}

const isTiff = (data: Buffer) => {
  const order = data.toString('latin1', 0, 4);
  return order === 'II*\0' || order === 'MM\0*';
};

const exifData: Decode<Buffer> = (data) => (isTiff(data) ? { value: data } : { problem: 'does not hold TIFF data' });

/**
 * The text of an XMP iTXt chunk: keyword, NUL, compression flag, method, language tag, NUL, translated
 * keyword, NUL, then UTF-8 text, deflated (zlib) when the flag is 1.
 */
const xmpPacket: Decode<string> = (data) => {
  let at = XMP_KEYWORD.length;
  const flag = data[at];
  const method = data[at + 1];
  at += 2;
  for (let i = 0; i < 2; i++) {
    const nul = data.indexOf(0, at);
    if (nul === -1) return { problem: 'is not a valid iTXt chunk (its header ends early)' };
    at = nul + 1;
  }
  const text = data.subarray(at);
  if (flag === 0) return { value: text.toString('utf8') };
  if (flag !== 1 || method !== 0) return { problem: `uses an unknown compression (flag ${flag}, method ${method})` };
  try {
    return { value: inflateSync(text, { maxOutputLength: MAX_PNG_XMP_BYTES }).toString('utf8') };
  } catch (err) {
    return { problem: `cannot be inflated: ${(err as Error).message}` };
  }
};

/**
 * The eXIf and XMP chunks between `imageData` (the first IDAT) and the end of the file, looked for in the
 * last PNG_TAIL_BYTES: a candidate counts only if it lies wholly in the file and its CRC matches, which
 * compressed image data that happens to hold the bytes "eXIf" or "iTXt" will not (odds of 1 in 2^32).
 */
async function inTail(
  fh: FileHandle,
  head: Buffer,
  imageData: number,
  size: number,
  found: PngChunks,
  want: { exif: boolean; xmp: boolean },
) {
  const start = Math.max(imageData, size - PNG_TAIL_BYTES);
  // What the first read holds is not read again: a small PNG's whole tail.
  const from = Math.max(start, head.length);
  const rest = Buffer.allocUnsafe(size - from);
  if (rest.length > 0 && (await fh.read(rest, 0, rest.length, from)).bytesRead !== rest.length)
    return void found.problems.push('cannot read the end of the PNG');
  const tail = from > start ? Buffer.concat([head.subarray(start, from), rest]) : rest;
  const bytes: Bytes = async (pos, length) =>
    pos >= start && pos + length <= size ? tail.subarray(pos - start, pos - start + length) : null;
  /** The first chunk of `type` in the tail whose CRC matches and that `accept` takes; its byte in the file. */
  const find = (type: string, accept: (at: number, length: number) => boolean): { pos: number; length: number } | null => {
    for (let i = tail.indexOf(type, 4, 'latin1'); i !== -1; i = tail.indexOf(type, i + 1, 'latin1')) {
      const length = tail.readUInt32BE(i - 4);
      if (i + 4 + length + 4 > tail.length || !accept(i + 4, length)) continue;
      if (crc32(tail.subarray(i, i + 4 + length)) === tail.readUInt32BE(i + 4 + length)) return { pos: start + i - 4, length };
    }
    return null;
  };
  if (want.exif) {
    const c = find('eXIf', () => true);
    if (c) {
      found.afterImageData = true;
      take(found, 'exif', await chunkAt(bytes, 'eXIf', c.pos, c.length, MAX_PNG_EXIF_BYTES, exifData));
    }
  }
  if (want.xmp) {
    const c = find('iTXt', (at, length) => isXmpKeyword(tail.subarray(at, at + XMP_KEYWORD.length), length));
    if (c) take(found, 'xmp', await chunkAt(bytes, 'XMP iTXt', c.pos, c.length, MAX_PNG_XMP_BYTES, xmpPacket));
  }
  // A large chunk whose header lies before the tail, or none at all (the usual case): no problem to report.
}
