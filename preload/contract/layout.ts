/**
 * @file The grid-layout domain of the one API: what the justified grid needs to place every photo of a
 * view before any page of it is loaded. preload/contract.ts merges these maps into the request and result
 * maps; the same rules apply (JSON only, validated by these schemas in main).
 *
 * [Note: Grid layout data] A justified grid (rows that keep each photo's aspect ratio) can only place a
 * photo once it knows the aspect ratios of every photo before it; with 100k photos in 500 pages, waiting
 * for the pages would make the scrollbar and the date scrubber lie, and estimating unloaded sections (as
 * Immich does) makes rows jump as pages arrive. So `photos:layout` answers, for the same photos and order
 * as `photos:page` with the same arguments, the photos per day (newest first) and one byte per photo
 * for its aspect ratio (./aspect-code.ts), base64: ~135 KB for 100k photos, one indexed scan in main
 * (~40–80 ms at 100k, cached until the library changes). The renderer lays out from it alone
 * (renderer/src/features/library/justified-layout.ts).
 */
import { z } from 'zod';
import { photoViewSchema } from './collections';
import { bboxSchema } from './map';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Argument schemas of the layout requests. */
export const layoutRequestSchemas = {
  /** Days and aspect ratios of the photos `photos:page` would list with the same `folderId`, `view` and `bbox`. */
  'photos:layout': z.object({ folderId: Id.optional(), view: photoViewSchema.optional(), bbox: bboxSchema.optional() }).strict(),
} as const;

/** See [Note: Grid layout data]. */
export interface PhotoLayout {
  /** Days (`YYYY-MM-DD`, as `PhotoSummary.day`), newest first, in grid order. */
  days: string[];
  /** Photos on each of `days`. */
  counts: number[];
  /**
   * One aspect code per photo in grid order (./aspect-code.ts), base64: the shape the photo is shown in, so
   * swapped for a photo the user turned a quarter turn ([Note: Turned photos in the grid] in main/db/layout.repo.ts).
   */
  aspects: string;
  /** Photos in all (the sum of `counts`). */
  total: number;
}

/** Results of the layout requests. */
export interface LayoutResults {
  'photos:layout': PhotoLayout;
}
