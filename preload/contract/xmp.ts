/**
 * @file The XMP domain of the one API: writing photos' captions and tags into XMP sidecars beside the
 * originals, on the user's request. preload/contract.ts merges these maps into the request and result
 * maps; the same rules apply (JSON only, validated by these schemas in main).
 *
 * An explicit user action only: nothing in Shoebox writes sidecars by itself. Which files get one and
 * what is written: [Note: What xmp:write writes] in main/xmp/xmp.service.ts.
 */
import { z } from 'zod';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Argument schemas of the XMP requests. */
export const xmpRequestSchemas = {
  /** Writes sidecars for these photos, or for every photo of a library folder (exactly one of the two). */
  'xmp:write': z
    .object({
      photoIds: z.array(Id).min(1, 'photoIds is empty').max(100_000).optional(),
      folderId: Id.optional(),
    })
    .strict()
    .refine((a) => (a.photoIds === undefined) !== (a.folderId === undefined), {
      message: 'give either photoIds or folderId (exactly one of them)',
    }),
} as const;

/** A file (or a photo) that got no sidecar, and why. */
export interface XmpSkipped {
  photoId: number;
  /** The original beside which the sidecar would go; null when the photo has no file on disk. */
  path: string | null;
  /** The sidecar concerned, when there is one (a broken sidecar left untouched). */
  sidecarPath: string | null;
  reason: string;
}

/** What `xmp:write` did, counted per original file. */
export interface XmpWriteResult {
  /** Photos the request covered. */
  photos: number;
  /** Sidecars created or updated. */
  written: number;
  /** Sidecars that already said all of it (not rewritten). */
  unchanged: number;
  /** Files (or photos without a file) that got nothing: see `items`. */
  skipped: number;
  /** The first {@link XMP_SKIPPED_LISTED} skipped, with their reasons. */
  items: XmpSkipped[];
  /** Naming and subjects mode used (from the settings). */
  naming: 'basename' | 'fullname';
  subjects: 'merge' | 'replace';
}

/** How many skipped files `xmp:write` lists; the count covers them all. */
export const XMP_SKIPPED_LISTED = 200;

/** Results of the XMP requests. */
export interface XmpResults {
  'xmp:write': XmpWriteResult;
}
