/**
 * @file Which files Shoebox indexes, by extension, and what kind of media each is; and which decoder
 * their bytes need, by content.
 *
 * Runs in main. The extension decides what is indexed; the first bytes decide how it is decoded
 * (`sniffFormat`): a JPEG saved as `.heic`, or a HEIC renamed `.jpg`, is common (phone exports, chat
 * apps). A `.jpg` holding random bytes is listed with a decode error by the thumbnail step, not skipped.
 */
import type { MediaKind } from '../../preload/contract';

export interface Format {
  kind: MediaKind;
  mime: string;
  /** How pixels are obtained: sharp directly, heic-decode (wasm), the RAW's embedded JPEG, or none. */
  decoder: 'sharp' | 'heic' | 'bmp' | 'raw-preview' | 'none';
}

const table: Record<string, Format> = {
  jpg: { kind: 'image', mime: 'image/jpeg', decoder: 'sharp' },
  jpeg: { kind: 'image', mime: 'image/jpeg', decoder: 'sharp' },
  jpe: { kind: 'image', mime: 'image/jpeg', decoder: 'sharp' },
  png: { kind: 'image', mime: 'image/png', decoder: 'sharp' },
  webp: { kind: 'image', mime: 'image/webp', decoder: 'sharp' },
  avif: { kind: 'image', mime: 'image/avif', decoder: 'sharp' },
  gif: { kind: 'image', mime: 'image/gif', decoder: 'sharp' },
  tif: { kind: 'image', mime: 'image/tiff', decoder: 'sharp' },
  tiff: { kind: 'image', mime: 'image/tiff', decoder: 'sharp' },
  bmp: { kind: 'image', mime: 'image/bmp', decoder: 'bmp' }, // sharp's prebuilt libvips has no BMP loader
  heic: { kind: 'image', mime: 'image/heic', decoder: 'heic' },
  heif: { kind: 'image', mime: 'image/heif', decoder: 'heic' },
  hif: { kind: 'image', mime: 'image/heif', decoder: 'heic' },
  cr2: { kind: 'raw', mime: 'image/x-canon-cr2', decoder: 'raw-preview' },
  cr3: { kind: 'raw', mime: 'image/x-canon-cr3', decoder: 'raw-preview' },
  nef: { kind: 'raw', mime: 'image/x-nikon-nef', decoder: 'raw-preview' },
  arw: { kind: 'raw', mime: 'image/x-sony-arw', decoder: 'raw-preview' },
  dng: { kind: 'raw', mime: 'image/x-adobe-dng', decoder: 'raw-preview' },
  raf: { kind: 'raw', mime: 'image/x-fuji-raf', decoder: 'raw-preview' },
  orf: { kind: 'raw', mime: 'image/x-olympus-orf', decoder: 'raw-preview' },
  rw2: { kind: 'raw', mime: 'image/x-panasonic-rw2', decoder: 'raw-preview' },
  mp4: { kind: 'video', mime: 'video/mp4', decoder: 'none' },
  m4v: { kind: 'video', mime: 'video/mp4', decoder: 'none' },
  mov: { kind: 'video', mime: 'video/quicktime', decoder: 'none' },
  avi: { kind: 'video', mime: 'video/x-msvideo', decoder: 'none' },
  mkv: { kind: 'video', mime: 'video/x-matroska', decoder: 'none' },
  webm: { kind: 'video', mime: 'video/webm', decoder: 'none' },
  '3gp': { kind: 'video', mime: 'video/3gpp', decoder: 'none' },
};

/** The format of a file by its name, or null when Shoebox does not index that extension. */
export function formatOf(name: string): Format | null {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return null;
  return table[name.slice(dot + 1).toLowerCase()] ?? null;
}

/** Names the scanner and watcher skip: hidden files and folders, and NAS/OS thumbnail caches. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name === '@eaDir' || name === '#recycle' || name === '$RECYCLE.BIN' || name === 'Thumbs.db';
}

const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end));

/** ISO-BMFF brands (the `ftyp` box) of HEIC/HEIF stills, which heic-decode reads. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
/** Generic HEIF brands: HEVC or AV1 inside; the compatible brands tell which. */
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** The `ftyp` box's major and compatible brands, or null when `head` does not start with one. */
function ftypBrands(head: Uint8Array): string[] | null {
  if (head.length < 12 || ascii(head, 4, 8) !== 'ftyp') return null;
  const size = Math.min(head.length, ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0);
  const brands = [ascii(head, 8, 12)];
  for (let i = 16; i + 4 <= size; i += 4) brands.push(ascii(head, i, i + 4));
  return brands;
}

/**
 * The format to decode a file as, from its first bytes (64 are plenty) and the format its name gave.
 * Keeps the name's kind (it decides the pipeline steps); changes the decoder and mime when the bytes are
 * a different image format. Unknown bytes keep the name's format, whose decoder then says what is wrong.
 * Videos keep theirs (no video decoder ships with Shoebox).
 */
export function sniffFormat(head: Uint8Array, byName: Format): Format {
  if (byName.decoder === 'none') return byName;
  const as = (mime: string, decoder: Format['decoder']): Format =>
    mime === byName.mime && decoder === byName.decoder ? byName : { kind: byName.kind, mime, decoder };
  const b = head;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return as('image/jpeg', 'sharp');
  if (b.length >= 8 && ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return as('image/png', 'sharp');
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return as('image/gif', 'sharp');
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return as('image/webp', 'sharp');
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return as('image/bmp', 'bmp');
  const brands = ftypBrands(b);
  if (brands) {
    const [major] = brands;
    if (major === 'crx ') return as('image/x-canon-cr3', 'raw-preview');
    if (AVIF_BRANDS.has(major!)) return as('image/avif', 'sharp');
    if (HEIC_BRANDS.has(major!)) return as('image/heic', 'heic');
    if (HEIF_BRANDS.has(major!)) {
      if (brands.some((x) => AVIF_BRANDS.has(x))) return as('image/avif', 'sharp');
      return as('image/heif', 'heic');
    }
    return byName;
  }
  if (b.length >= 15 && ascii(b, 0, 15) === 'FUJIFILMCCD-RAW') return as('image/x-fuji-raf', 'raw-preview');
  const tiff = b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*');
  // RAW containers (CR2, NEF, ARW, DNG, ORF, RW2) are TIFF-like: under a RAW name, keep the RAW route.
  if (tiff) return byName.decoder === 'raw-preview' ? byName : as('image/tiff', 'sharp');
  return byName;
}
