/**
 * @file SQL for the Map page: the GPS fix of every photo that has one (optionally inside an area, of one
 * folder), newest first, as compact rows.
 *
 * Runs in main (and tests). One query without an index on the coordinates: it reads every photo (~60 ms
 * for 100k, see the report of the change that added the map), which the Map page asks for once per visit.
 */
import type { Bbox, PhotoView } from '../../preload/contract';
import type { Db } from './open';
import { areaFilterSql } from './photo-filter';

/** Parallel arrays of ids and degrees. */
export interface MapPointRows {
  ids: number[];
  lat: number[];
  lon: number[];
}

export interface MapRepo {
  /** Photos of a view (default 'all': neither hidden nor removed) with a GPS fix (inside `bbox`, of folder `folderId`), newest first. */
  points(opts: { bbox?: Bbox | undefined; folderId?: number | undefined; view?: PhotoView | undefined }): MapPointRows;
}

/** Every longitude and latitude: the area of "no area". */
const WORLD: Bbox = { west: -180, south: -90, east: 180, north: 90 };
/** 1e-5° is about a metre on the ground: enough for a marker, and fewer digits in the JSON. */
const round = (deg: number) => Math.round(deg * 1e5) / 1e5;

/** Builds the repository over an open, migrated database. */
export function createMapRepo(db: Db): MapRepo {
  return {
    points({ bbox, folderId, view }) {
      // The world box still excludes photos without a fix ([Note: Map areas]).
      const filter = areaFilterSql(bbox ?? WORLD, folderId, view);
      const rows = db
        .prepare<unknown[], [number, number, number]>(
          `SELECT p.id, p.gps_lat, p.gps_lon FROM photos p WHERE ${filter.where} ORDER BY p.sort_key DESC, p.id DESC`,
        )
        .raw()
        .all(...filter.params);
      const n = rows.length;
      const out: MapPointRows = { ids: new Array<number>(n), lat: new Array<number>(n), lon: new Array<number>(n) };
      for (let i = 0; i < n; i++) {
        const [id, lat, lon] = rows[i]!;
        out.ids[i] = id;
        out.lat[i] = round(lat);
        out.lon[i] = round(lon);
      }
      return out;
    },
  };
}
