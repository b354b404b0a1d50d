/**
 * @file The built-in pipeline steps after discovery: metadata, thumbnail, preview, and 'read' (the
 * retry of a file that could not be read at discovery). See [Note: Pluggable steps] in jobs.ts.
 *
 * Runs in main; decoding and resizing run on libvips' threads.
 */
import exifr from 'exifr';
import sharp from 'sharp';
import type { JobsRepo } from '../db/jobs.repo';
import type { PhotosRepo } from '../db/photos.repo';
import type { FilesRepo } from '../db/files.repo';
import { PermanentError, formatOfContent, isDecodeError, openImage, pixelLimitMessage } from './decoders';
import { formatOf, type Format } from './formats';
import type { PipelineStep } from './jobs';
import { readMetadata } from './metadata';
import { PREVIEW_SIZE, THUMB_SIZE, cacheKey, ensurePlaceholder, writeVariant } from './thumbnails';
import { sortSeconds } from './time';

export interface StepDeps {
  photos: PhotosRepo;
  jobs: JobsRepo;
  files: FilesRepo;
  thumbsDir: string;
  limitPixels: number;
  /** Re-reads one file (the 'read' step); resolves to an error message when it still fails. */
  reread: (folderId: number, relPath: string) => Promise<string | null>;
  onPhotoChanged: (photoId: number) => void;
}

/** Pipeline versions of the built-in steps. Bump one to redo exactly that step for every photo. */
export const STEP_VERSIONS = { metadata: 1, thumbnail: 1, preview: 1, read: 1 } as const;

/** The file's format: indexed by its name, decoded by its content. */
async function formatFor(absPath: string): Promise<Format> {
  const f = formatOf(absPath);
  if (!f) throw new PermanentError(`not a supported file type: ${absPath}`);
  return formatOfContent(absPath, f);
}

/** Builds the four built-in steps. */
export function builtinSteps(deps: StepDeps): PipelineStep[] {
  const { photos, jobs } = deps;

  const metadata: PipelineStep = {
    name: 'metadata',
    version: STEP_VERSIONS.metadata,
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

  async function variant(photoId: number, hash: string, absPath: string, kind: 't' | 'p', knownOrientation: number | null) {
    const format = await formatFor(absPath);
    // A RAW's preview may carry no orientation of its own; the metadata step may not have run yet.
    const orientation =
      knownOrientation ?? (format.decoder === 'raw-preview' ? ((await exifr.orientation(absPath).catch(() => null)) ?? null) : null);
    const version = kind === 't' ? STEP_VERSIONS.thumbnail : STEP_VERSIONS.preview;
    try {
      const img = await openImage(absPath, format, { limitPixels: deps.limitPixels, orientation });
      if (!img) return kind === 't' ? ensurePlaceholder(deps.thumbsDir, 'video') : null;
      const key = cacheKey(hash, kind, version);
      const out = await writeVariant(img, kind === 't' ? THUMB_SIZE : PREVIEW_SIZE, kind === 't' ? 80 : 82, deps.thumbsDir, key);
      if (format.decoder !== 'sharp' && kind === 't') {
        // Formats sharp cannot read headers of (HEIC, BMP, RAW previews): the decoded size, turned the way
        // the thumbnail came out (a RAW's orientation is applied during decoding).
        const p = photos.get(photoId);
        const m = await img.metadata();
        if (p && m.width && m.height) {
          const turned = m.width > m.height !== out.width > out.height && m.width !== m.height;
          photos.setDimensions(photoId, turned ? m.height : m.width, turned ? m.width : m.height);
        }
      }
      return key;
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
        photos.setError(photoId, e.message);
        deps.onPhotoChanged(photoId);
      }
      throw e;
    }
  }

  const thumbnail: PipelineStep = {
    name: 'thumbnail',
    version: STEP_VERSIONS.thumbnail,
    rank: 10,
    kinds: ['image', 'raw', 'video'],
    async run({ photo, absPath }) {
      const key = await variant(photo.id, photo.hash, absPath!, 't', photo.orientation);
      photos.setThumb(photo.id, key);
      if (photo.error) photos.setError(photo.id, null);
      deps.onPhotoChanged(photo.id);
    },
  };

  const preview: PipelineStep = {
    name: 'preview',
    version: STEP_VERSIONS.preview,
    rank: 20,
    kinds: ['image', 'raw'],
    async run({ photo, absPath }) {
      photos.setPreview(photo.id, await variant(photo.id, photo.hash, absPath!, 'p', photo.orientation));
    },
  };

  const read: PipelineStep = {
    name: 'read',
    version: STEP_VERSIONS.read,
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

  return [read, metadata, thumbnail, preview];
}
