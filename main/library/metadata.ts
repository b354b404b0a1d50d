/**
 * @file Reads a photo's metadata: EXIF capture time (wall-clock, with offset), camera, lens, exposure,
 * GPS, orientation, XMP title/description/keywords/rating (exifr; a rating in an XMP sidecar wins), and pixel dimensions (sharp's header
 * read, or exifr's for formats sharp cannot open).
 *
 * Runs in main; exifr reads only the file's header chunks, sharp's metadata() only the header. A PNG's eXIf
 * and XMP chunks are found by png-exif.ts and parsed by exifr, which misses them past the file's first 512
 * bytes ([Note: PNG eXIf past exifr's first read]).
 */
import { constants as fsc } from 'node:fs';
import { access } from 'node:fs/promises';
import exifr from 'exifr';
import sharp from 'sharp';
import type { PhotoMetadata } from '../db/photos.repo';
import type { Format } from './formats';
import { exifOffset, exifWallClock } from './time';
import { readPngChunks } from './png-exif';
import { readVideoMeta } from './video-meta';
import { sidecarRating } from '../xmp/xmp-marks';

const exifrOptions = {
  tiff: true,
  exif: true,
  gps: true,
  xmp: true,
  iptc: false,
  icc: false,
  jfif: false,
  ihdr: false,
  interop: false,
  ifd1: false,
  makerNote: false,
  userComment: false,
  reviveValues: false, // [Note: Wall-clock capture times] in time.ts
  translateValues: false,
  translateKeys: true,
  mergeOutput: true,
} as const;

/** Metadata plus the non-fatal problems met while reading it. */
export interface MetadataResult extends PhotoMetadata {
  warnings: string[];
}

const num = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return Number.isFinite(v[0]) ? v[0] : null;
  return null;
};
const str = (v: unknown): string | null => {
  if (typeof v === 'string') return v.replace(/\0+$/, '').trim() || null;
  if (v && typeof v === 'object' && 'value' in v) return str(v.value);
  if (Array.isArray(v)) return str(v[0]);
  return null;
};
const list = (v: unknown): string[] => {
  if (Array.isArray(v)) return v.flatMap(list);
  const s = str(v);
  return s ? [s] : [];
};

/** Reads everything the metadata step stores. Unreadable EXIF is a warning, not an error. */
export async function readMetadata(absPath: string, format: Format): Promise<MetadataResult> {
  const warnings: string[] = [];
  // A vanished or unreadable file is an error of the job (parked or retried), not "no EXIF".
  await access(absPath, fsc.R_OK);
  let tags: Record<string, unknown> = {};
  if (format.kind !== 'video') tags = format.mime === 'image/png' ? await pngTags(absPath, warnings) : await fileTags(absPath, warnings);
  if (format.kind === 'video') return videoMetadata(absPath, format, warnings);
  const orientationRaw = num(tags['Orientation']);
  const orientation = orientationRaw !== null && orientationRaw >= 1 && orientationRaw <= 8 ? orientationRaw : null;
  let width: number | null = null;
  let height: number | null = null;
  if (format.decoder === 'sharp') {
    try {
      const m = await sharp(absPath, { failOn: 'none' }).metadata();
      width = m.width ?? null;
      height = m.height ?? null;
    } catch (err) {
      warnings.push(`cannot read the image header: ${(err as Error).message}`);
    }
  } else {
    // IFD0's ImageWidth is often a RAW's small thumbnail: only trust the Exif IFD's size here; the
    // thumbnail step fills in the decoded size otherwise.
    width = num(tags['ExifImageWidth']);
    height = num(tags['ExifImageHeight']);
    if (width === null || height === null) width = height = null;
  }
  if (width !== null && height !== null && orientation !== null && orientation >= 5) [width, height] = [height, width];

  const taken =
    exifWallClock(tags['DateTimeOriginal'], tags['SubSecTimeOriginal']) ?? exifWallClock(tags['CreateDate'], tags['SubSecTimeDigitized']);
  const offset = taken ? (exifOffset(tags['OffsetTimeOriginal']) ?? exifOffset(tags['OffsetTime'])) : null;
  let lat = num(tags['latitude']);
  let lon = num(tags['longitude']);
  if (lat !== null && lon !== null && (Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0))) lat = lon = null;
  let alt = num(tags['GPSAltitude']);
  if (alt !== null && num(tags['GPSAltitudeRef']) === 1) alt = -alt;
  const keywords = [...new Set([...list(tags['subject']), ...list(tags['Keywords'])])];
  // A sidecar's rating wins over the file's own (XMP embedded or EXIF 0x4746, which exifr merges as `Rating`).
  const rating = (await sidecarRating(absPath)) ?? num(tags['Rating']);
  return {
    mime: format.mime,
    width,
    height,
    orientation,
    taken_at: taken,
    taken_offset: offset,
    camera_make: str(tags['Make']),
    camera_model: str(tags['Model']),
    lens: str(tags['LensModel']) ?? str(tags['Lens']),
    iso: num(tags['ISO']) ?? num(tags['ISOSpeedRatings']) ?? num(tags['PhotographicSensitivity']),
    f_number: num(tags['FNumber']),
    exposure_time: num(tags['ExposureTime']),
    focal_length: num(tags['FocalLength']),
    gps_lat: lat,
    gps_lon: lat === null ? null : lon,
    gps_alt: lat === null ? null : alt,
    xmp_title: str(tags['title']),
    xmp_description: str(tags['description']),
    xmp_keywords: keywords.length ? JSON.stringify(keywords) : null,
    xmp_rating: rating !== null && rating >= -1 && rating <= 5 ? Math.round(rating) : null,
    warnings,
  };
}

/** exifr's tags of a file it reads itself. */
async function fileTags(absPath: string, warnings: string[]): Promise<Record<string, unknown>> {
  try {
    return ((await exifr.parse(absPath, exifrOptions)) as Record<string, unknown> | undefined) ?? {};
  } catch (err) {
    warnings.push(`no readable EXIF: ${(err as Error).message}`);
    return {};
  }
}

/**
 * A PNG's tags: its eXIf and XMP chunks, found by our own chunk walk ([Note: PNG eXIf past exifr's first
 * read] in png-exif.ts), parsed by exifr and merged as exifr merges a file that has both (EXIF over XMP).
 * exifr does not read the file itself: the walk finds all it would, with one open. Problems are warnings:
 * the photo keeps what could be read. A file that is no PNG after all goes to exifr whole.
 */
async function pngTags(absPath: string, warnings: string[]): Promise<Record<string, unknown>> {
  let chunks;
  try {
    chunks = await readPngChunks(absPath);
  } catch (err) {
    warnings.push(`cannot read the PNG's chunks: ${(err as Error).message}`);
    return {};
  }
  for (const problem of chunks.problems) warnings.push(`PNG chunks: ${problem}`);
  if (!chunks.png) return fileTags(absPath, warnings);
  let exif: Record<string, unknown> = {};
  let xmp: Record<string, unknown> = {};
  if (chunks.exif) {
    try {
      exif = ((await exifr.parse(chunks.exif, exifrOptions)) as Record<string, unknown> | undefined) ?? {};
    } catch (err) {
      warnings.push(`no readable EXIF in the PNG's eXIf chunk: ${(err as Error).message}`);
    }
  }
  if (chunks.xmp !== null) {
    try {
      xmp = await parseXmpPacket(chunks.xmp);
    } catch (err) {
      warnings.push(`no readable XMP in the PNG's iTXt chunk: ${(err as Error).message}`);
    }
  }
  const merged = { ...xmp, ...exif };
  // After the image data, decoders ignore the chunk's Orientation (see PngChunks): the stored
  // orientation and size must describe the thumbnail sharp makes.
  if (chunks.afterImageData) delete merged['Orientation'];
  return merged;
}

/** exifr's XMP parser (src/segment-parsers/xmp.mjs), the one that parses the XMP of the files it reads. */
type XmpParser = { parse(input: string, options: { parse: boolean }): unknown };

/**
 * An XMP packet's tags, parsed by exifr's own XMP parser and merged the way exifr merges them into a
 * file's output with `mergeOutput` (xmp.mjs `assignToOutput`): every namespace's properties at the top,
 * the `xmlns` declarations left out. (`exifr.sidecar` parses a packet too, but the default export of
 * exifr's ESM build, which vitest loads, lacks it; `segmentParsers` is in both builds.)
 */
async function parseXmpPacket(packet: string): Promise<Record<string, unknown>> {
  const parser = exifr.segmentParsers.get('xmp') as XmpParser | undefined;
  if (!parser) throw new Error("exifr's XMP parser is not loaded");
  const parsed = (await parser.parse(packet, { parse: true })) as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = {};
  for (const [ns, props] of Object.entries(parsed ?? {}))
    if (ns !== 'xmlns' && props && typeof props === 'object') Object.assign(out, props);
  return out;
}

const EMPTY: Omit<MetadataResult, 'mime' | 'warnings'> = {
  width: null,
  height: null,
  orientation: null,
  taken_at: null,
  taken_offset: null,
  camera_make: null,
  camera_model: null,
  lens: null,
  iso: null,
  f_number: null,
  exposure_time: null,
  focal_length: null,
  gps_lat: null,
  gps_lon: null,
  gps_alt: null,
  xmp_title: null,
  xmp_description: null,
  xmp_keywords: null,
  xmp_rating: null,
};

/** Videos: what the MP4/MOV container says (creation time, size, GPS); other containers get none. */
async function videoMetadata(absPath: string, format: Format, warnings: string[]): Promise<MetadataResult> {
  let v = null;
  try {
    v = await readVideoMeta(absPath);
  } catch (err) {
    warnings.push(`cannot read the video container: ${(err as Error).message}`);
  }
  return {
    ...EMPTY,
    mime: format.mime,
    width: v?.width ?? null,
    height: v?.height ?? null,
    taken_at: v?.takenAt ?? null,
    gps_lat: v?.gps?.lat ?? null,
    gps_lon: v?.gps?.lon ?? null,
    gps_alt: v?.gps?.alt ?? null,
    warnings,
  };
}
