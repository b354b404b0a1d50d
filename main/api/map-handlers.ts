/**
 * @file The map requests (preload/contract/map.ts): the GPS points of the library's photos and the grid
 * cells of a few of them. The area filter of the grid itself rides on `photos:page` / `photos:timeline`
 * (main/library/area-read.ts).
 *
 * Runs in main.
 */
import type { Handlers } from '../../preload/contract';
import type { mapRequestSchemas } from '../../preload/contract/map';
import { createFilteredPhotosRepo } from '../db/filtered-photos.repo';
import { createMapRepo } from '../db/map.repo';
import type { Db } from '../db/open';
import { toPhotoSummary } from '../library/read-side';

type MapHandlers = Pick<Handlers, keyof typeof mapRequestSchemas>;

/** Passes every photo: `map:photos` asks for ids, not a filter. */
const NO_FILTER = { where: '1', params: [], unsupported: [] };

export function createMapHandlers({ db }: { db: Db }): MapHandlers {
  const map = createMapRepo(db);
  const filtered = createFilteredPhotosRepo(db);
  return {
    'map:points': ({ bbox, folderId, view }) => map.points({ bbox, folderId, view }),
    'map:photos': ({ ids }) => filtered.ranked(ids, NO_FILTER, ids.length, 0).rows.map(toPhotoSummary),
  };
}
