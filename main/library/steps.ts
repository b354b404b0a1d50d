/**
 * @file The built-in pipeline steps after discovery: metadata, thumbnail, and 'read' (the retry of a file
 * that could not be read at discovery), plus `makePreview`, the decode behind on-demand previews
 * (previews.ts). See [Note: Pluggable steps] in jobs.ts.
 *
 * Runs in main; decoding and resizing run on libvips' threads.
 *
 * [Note: Previews on demand] Indexing makes thumbnails only. A JPEG's 256 px thumbnail decodes at 1/8
 * scale (libjpeg's shrink-on-load), a 1600 px preview at 1/2 at best. On 12 MP JPEGs (2 cores, 4 jobs)
 * sharp makes 44 thumbnails/s, 13–20 previews/s, and 15–16/s of both from one decode: making previews up
 * front held the full index at 0.13–0.21 of raw sharp, and one decode would still cap it near 0.35. So a
 * preview is made when something first asks for it: the viewer (the media route, main/media.ts), or the
 * model reading a RAW photo (model-input.ts). previews.ts shares one job per key and caches the result
 * content-addressed like any thumbnail (~90–240 ms on first request, ~220 KiB). The exception is formats
 * that are decoded in full whatever the output size (HEIC, BMP): there the preview from the thumbnail's
 * pixels adds ~0.2 s to a ~1.2 s HEIC job, while making it later would decode the file again, so the
 * thumbnail step writes both (after the thumbnail is recorded, so the grid does not wait for it).
 */
import exifr from 'exifr';
import sharp, { type Sharp } from 'sharp';
import type { JobsRepo } from '../db/jobs.repo';
import type { PhotoRow, PhotosRepo } from '../db/photos.repo';
import type { FilesRepo } from '../db/files.repo';
import { formatOfContent, isDecodeError, openImage, pixelLimitMessage } from './decoders';
import { PermanentError } from './pipeline-step';
import { formatOf, type Format } from './formats';
import type { PipelineStep } from './jobs';
import { readMetadata } from './metadata';
import { placeholderOf, placeholderOfFile } from './placeholders';
import { PREVIEW_SIZE, THUMB_SIZE, cacheFile, cacheKey, ensurePlaceholder, isFile, previewKey, writeVariant } from './thumbnails';
import { sortSeconds } from './time';

/** What decoding a photo into the cache needs. */
export interface VariantDeps {
  photos: PhotosRepo;
  thumbsDir: string;
  limitPixels: number;
  onPhotoChanged: (photoId: number) => void;
}

export interface StepDeps extends VariantDeps {
  jobs: JobsRepo;
  files: FilesRepo;
  /** Re-reads one file (the 'read' step); resolves to an error message when it still fails. */
  reread: (folderId: number, relPath: string) => Promise<string | null>;
}

/**
 * Pipeline versions of the built-in steps. Bump one to redo exactly that step for every photo, or, with
 * METADATA_RERUN_ONLY, for the photos the change touched. (Previews are no step: their version is
 * PREVIEW_VERSION in thumbnails.ts, part of their key.) Thumbnail 2 adds the placeholder ([Note:
 * Placeholders] in placeholders.ts); metadata 2 reads a PNG's eXIf and XMP chunks past its first 512 bytes
 * ([Note: PNG eXIf past exifr's first read] in png-exif.ts).
 *
 * [Note: Narrow step versions] A version bump re-runs the step for every photo of its kinds: hours of
 * metadata reads on a 500k library for a fix that only PNGs need. A step may say, per earlier version,
 * which photos the changes since then touched, by mime (`rerunOnly`, main/db/jobs.repo.ts
 * `requeueVersion`): at the bump, jobs of that version whose photo has another mime only take the new
 * version (their state stays: done stays done), the rest are re-queued as usual. Versions stay strings
 * compared for equality: a job at a version not listed (older, unknown, or a downgrade's) re-runs for
 * every photo. The lists accumulate: when a later bump touches other photos, each earlier version's list
 * gets them too, so a library that skipped versions still re-runs everything it missed; a bump that
 * touches every photo drops the lists. The mime is the photo's as the metadata step read it (sniffed from
 * the content: a PNG named .jpg counts as a PNG). No migration: the jobs and photos tables hold it all.
 */
export const STEP_VERSIONS = { metadata: 2, thumbnail: 2, read: 1 } as const;

/** [Note: Narrow step versions]: from metadata 1, only PNGs need reading again. */
export const METADATA_RERUN_ONLY: Readonly<Record<string, readonly string[]>> = { '1': ['image/png'] };

/**
 * Version in a thumbnail's cache key: of its pixels, which thumbnail step 2 did not change (so its re-run
 * hashes the cached thumbnail). Bump it with the step's version when a change alters the pixels.
 */
const THUMB_KEY_VERSION = 1;

const THUMB_QUALITY = 80;
const PREVIEW_QUALITY = 82;
/** Decoders that decode the whole image whatever size is asked for (no shrink-on-load). */
const FULL_DECODE: ReadonlySet<Format['decoder']> = new Set(['heic', 'bmp']);

/** The file's format: indexed by its name, decoded by its content. */
async function formatFor(absPath: string): Promise<Format> {
  const f = formatOf(absPath);
  if (!f) throw new PermanentError(`not a supported file type: ${absPath}`);
  return formatOfContent(absPath, f);
}

/** An oriented pipeline of the photo's pixels, or null for media without a decoder (video). */
async function openOriented(deps: VariantDeps, photo: PhotoRow, absPath: string, format: Format): Promise<Sharp | null> {
  // A RAW's preview may carry no orientation of its own; the metadata step may not have run yet.
  const orientation =
    photo.orientation ?? (format.decoder === 'raw-preview' ? ((await exifr.orientation(absPath).catch(() => null)) ?? null) : null);
  return openImage(absPath, format, { limitPixels: deps.limitPixels, orientation });
}

/**
 * Runs `work` (a decode of the photo's file), turning a bad file's errors into PermanentErrors that say
 * why, recorded on the photo.
 */
async function decoding<T>(deps: VariantDeps, photoId: number, absPath: string, format: Format, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    let e = err;
    if (/pixel limit/i.test((err as Error)?.message ?? '')) {
      const m = await sharp(absPath, { limitInputPixels: false })
        .metadata()
        .catch(() => null);
      e = new PermanentError(pixelLimitMessage(m?.width ?? 0, m?.height ?? 0, deps.limitPixels));
    } else if (isDecodeError(err) && !(err instanceof PermanentError)) {
      e = new PermanentError(`cannot decode this ${format.mime} file: ${(err as Error).message.split('\n')[0]}`);
    }
    if (e instanceof PermanentError) {
      deps.photos.setError(photoId, e.message);
      deps.onPhotoChanged(photoId);
    }
    throw e;
  }
}

/**
 * Makes the photo's large preview from `absPath` and records it; returns its key. Throws like a step
 * (PermanentError for a file that will never decode, errno errors for the file system). Callers share
 * one call per key: previews.ts.
 */
export async function makePreview(deps: VariantDeps, photo: PhotoRow, absPath: string): Promise<string> {
  const format = await formatFor(absPath);
  return decoding(deps, photo.id, absPath, format, async () => {
    const img = await openOriented(deps, photo, absPath, format);
    if (!img) throw new PermanentError(`no preview for this ${format.mime} file (no decoder for it ships with Shoebox)`);
    return writePreview(deps, photo, img);
  });
}

/** Writes the preview of decoded pixels under its key and records it on the photo; returns the key. */
async function writePreview(deps: VariantDeps, photo: PhotoRow, img: Sharp): Promise<string> {
  const key = previewKey(photo.hash);
  await writeVariant(img, PREVIEW_SIZE, PREVIEW_QUALITY, deps.thumbsDir, key);
  deps.photos.setPreview(photo.id, key);
  return key;
}

/** Builds the three built-in steps. */
export function builtinSteps(deps: StepDeps): PipelineStep[] {
  const { photos, jobs } = deps;

  const metadata: PipelineStep = {
    name: 'metadata',
    version: String(STEP_VERSIONS.metadata),
    rerunOnly: METADATA_RERUN_ONLY,
    rank: 0,
    kinds: ['image', 'raw', 'video'],
    // [Note: Overlapping steps] Metadata is cheap (a few ms) but ranks first: with every slot on it, a big
    // first scan would make thumbnails wait until the last file is hashed. It gets one slot of its own,
    // beside the shared ones, so thumbnails run at full parallelism from the start.
    concurrency: 1,
    ownSlots: true,
    async run({ photo, absPath }) {
      const meta = await readMetadata(absPath!, await formatFor(absPath!));
      photos.setMetadata(photo.id, meta);
      jobs.setPriority(photo.id, sortSeconds(meta.taken_at ?? photo.file_time));
      deps.onPhotoChanged(photo.id);
    },
  };

  const thumbnail: PipelineStep = {
    name: 'thumbnail',
    version: String(STEP_VERSIONS.thumbnail),
    rank: 10,
    kinds: ['image', 'raw', 'video'],
    async run({ photo, absPath }) {
      if (await placeholderFromCache(photo)) return;
      const path = absPath!;
      const format = await formatFor(path);
      await decoding(deps, photo.id, path, format, async () => {
        const img = await openOriented(deps, photo, path, format);
        // Decoded in full anyway: the preview comes from the same pixels ([Note: Previews on demand]).
        const both = img !== null && FULL_DECODE.has(format.decoder);
        let key: string;
        if (img) {
          key = cacheKey(photo.hash, 't', THUMB_KEY_VERSION);
          const out = await writeVariant(both ? img.clone() : img, THUMB_SIZE, THUMB_QUALITY, deps.thumbsDir, key);
          if (format.decoder !== 'sharp') await recordDecodedSize(photo.id, img, out);
          // Our own JPEG decodes; if it ever did not, the cell shows a flat placeholder, no error.
          photos.setPlaceholder(photo.id, await placeholderOf(out.data).catch(() => null));
        } else key = await ensurePlaceholder(deps.thumbsDir, 'video');
        photos.setThumb(photo.id, key);
        if (photo.error) photos.setError(photo.id, null);
        deps.onPhotoChanged(photo.id);
        if (img && both) {
          // Unless the viewer had it made before this job ran.
          const made = await isFile(cacheFile(deps.thumbsDir, previewKey(photo.hash)) ?? '');
          if (made) photos.setPreview(photo.id, previewKey(photo.hash));
          else await writePreview(deps, photo, img);
        }
      });
    },
  };

  /**
   * A photo whose current thumbnail is in the cache but that has no placeholder (indexed before
   * placeholders existed) gets one from that thumbnail, without decoding the original again. Returns
   * whether it did; false sends the job down the full path (the thumbnail is remade).
   */
  async function placeholderFromCache(photo: PhotoRow): Promise<boolean> {
    if (photo.placeholder !== null || photo.thumb !== cacheKey(photo.hash, 't', THUMB_KEY_VERSION)) return false;
    const hash = await placeholderOfFile(cacheFile(deps.thumbsDir, photo.thumb) ?? '');
    if (!hash) return false;
    photos.setPlaceholder(photo.id, hash);
    deps.onPhotoChanged(photo.id);
    return true;
  }

  /**
   * Formats sharp cannot read headers of (HEIC, BMP, RAW previews): the decoded size, turned the way the
   * thumbnail came out (a RAW's orientation is applied during decoding).
   */
  async function recordDecodedSize(photoId: number, img: Sharp, out: { width: number; height: number }) {
    const p = photos.get(photoId);
    const m = await img.metadata();
    if (p && m.width && m.height) {
      const turned = m.width > m.height !== out.width > out.height && m.width !== m.height;
      photos.setDimensions(photoId, turned ? m.height : m.width, turned ? m.width : m.height);
    }
  }

  const read: PipelineStep = {
    name: 'read',
    version: String(STEP_VERSIONS.read),
    rank: -1,
    kinds: [], // never queued by backfill: only recorded by discovery when a file cannot be read
    needsFile: false,
    async run({ photo }) {
      const errors: string[] = [];
      for (const f of deps.files.forPhoto(photo.id)) {
        const error = await deps.reread(f.folder_id, f.rel_path);
        if (error) errors.push(error);
      }
      if (errors.length) throw new PermanentError(errors[0]!);
    },
  };

  return [read, metadata, thumbnail];
}
