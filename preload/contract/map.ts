/**
 * @file The map domain of the one API: the GPS points of the library's photos for the Map page, the
 * grid cells of a few of them (marker thumbnails, the viewer), and the area (`bbox`) that `photos:page`
 * and `photos:timeline` accept to show only the photos taken inside it. preload/contract.ts merges these
 * maps into the request and result maps; the same rules apply (JSON only, validated by these schemas in
 * main).
 *
 * [Note: Map areas] An area is a longitude/latitude box in degrees (WGS84, as EXIF stores GPS). `west`
 * greater than `east` means the box crosses the antimeridian (west 170, east -170 is the 20° around the
 * date line), as in GeoJSON's bbox (RFC 7946 §5.2); `west` -180 with `east` 180 is every longitude.
 * Photos without a GPS fix are never inside an area. The SQL is main/db/photo-filter.ts `areaSql`; the
 * renderer turns a map view into an area in renderer/src/features/map/map-area.ts.
 */
import { z } from 'zod';
import type { PhotoSummary } from '../contract';
import { bboxSchema } from './bbox';
import { photoViewSchema } from './collections';

export { bboxSchema, type Bbox } from './bbox';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Argument schemas of the map requests. */
export const mapRequestSchemas = {
  /** Every photo with a GPS fix (of a grid view, 'all' when omitted; inside `bbox`; of one folder), newest first. */
  'map:points': z.object({ bbox: bboxSchema.optional(), folderId: Id.optional(), view: photoViewSchema.optional() }).strict(),
  /** The grid cells of these photos, in this order (unknown ids are left out). */
  'map:photos': z.object({ ids: z.array(Id).min(1).max(1000) }).strict(),
} as const;

/**
 * GPS points as parallel arrays (one entry per photo, newest first): 100k points are ~2.5 MB of JSON this
 * way, against ~6 MB as objects.
 */
export interface MapPoints {
  ids: number[];
  /** Degrees, rounded to 1e-5 (about a metre): more digits would only add bytes. */
  lat: number[];
  lon: number[];
}

/** Results of the map requests. */
export interface MapResults {
  'map:points': MapPoints;
  'map:photos': PhotoSummary[];
}
