/**
 * @file The grid inside a map area: `photos:page` and `photos:timeline` with a `bbox` ([Note: Map areas]
 * in preload/contract/map.ts), over the same filtered-photos queries search results use, mapped to the
 * same grid cells and timeline groups as the whole library's.
 *
 * Runs in main (and tests).
 */
import type { Bbox, PhotoPage, PhotoView, TimelineGroup } from '../../preload/contract';
import { createFilteredPhotosRepo } from '../db/filtered-photos.repo';
import type { Db } from '../db/open';
import { areaFilterSql } from '../db/photo-filter';
import { toPhotoSummary, toTimeline } from './read-side';

export interface AreaRead {
  /** One page of the photos of a view (of one folder) taken inside `bbox`, newest first. */
  page(args: { offset: number; limit: number; folderId?: number | undefined; bbox: Bbox; view?: PhotoView | undefined }): PhotoPage;
  /** Those photos per month, in the page order. */
  timeline(bbox: Bbox, folderId?: number, view?: PhotoView): TimelineGroup[];
}

/** Builds the area read side over an open, migrated database. */
export function createAreaRead(db: Db): AreaRead {
  const filtered = createFilteredPhotosRepo(db);
  return {
    page({ offset, limit, folderId, bbox, view }) {
      const { rows, total } = filtered.newest(areaFilterSql(bbox, folderId, view), limit, offset);
      return { items: rows.map(toPhotoSummary), total, offset };
    },
    timeline: (bbox, folderId, view) => toTimeline(filtered.months(areaFilterSql(bbox, folderId, view))),
  };
}
