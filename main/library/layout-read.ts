/**
 * @file What `photos:layout` answers ([Note: Grid layout data] in preload/contract/layout.ts): the days
 * and aspect ratios of exactly the photos `photos:page` lists with the same arguments (a view of one
 * folder, or a map area). Runs in main, in chunks that give the event loop back between them (a grid page
 * asked meanwhile is answered at once); the library service caches the answer until the library changes.
 */
import type { Bbox, PhotoView } from '../../preload/contract';
import type { PhotoLayout } from '../../preload/contract/layout';
import { viewSql } from '../db/collections-views.repo';
import { createLayoutRepo } from '../db/layout.repo';
import type { Db } from '../db/open';
import { areaFilterSql } from '../db/photo-filter';

/** Lets queued I/O (other requests) run between chunks. */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Builds the layout reader over an open, migrated database. */
export function createLayoutRead(db: Db): (folderId?: number, bbox?: Bbox, view?: PhotoView) => Promise<PhotoLayout> {
  const repo = createLayoutRepo(db);
  return async (folderId, bbox, view) => {
    // The same filter as the page: a map area ignores the view (main/library/area-read.ts).
    const filter = bbox ? areaFilterSql(bbox, folderId) : viewSql(view, folderId);
    const { days, counts, aspects } = await repo.layout(filter, yieldToEvents);
    return {
      days,
      counts,
      aspects: Buffer.from(aspects.buffer, aspects.byteOffset, aspects.byteLength).toString('base64'),
      total: aspects.length,
    };
  };
}
