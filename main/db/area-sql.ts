/**
 * @file The SQL condition of a map area over `photos p` ([Note: Map areas] in preload/contract/map.ts), in a
 * file of its own so that the grid's filters (./photo-filter.ts) and a selection's resolution
 * (./collections-views.repo.ts) share it without importing each other.
 *
 * Runs in main (and tests). Parameterised: the box travels in `params`.
 */
import type { Bbox } from '../../preload/contract';

/**
 * Photos whose GPS fix lies inside `area` ([Note: Map areas] in preload/contract/map.ts): a box with
 * `west` > `east` crosses the antimeridian, so its longitudes are the two ranges either side of it.
 * Photos without a fix never pass (a comparison with NULL is never true). There is no index on the
 * coordinates (adding one needs a migration), so a filtered page and its count read every photo: tens of
 * milliseconds at 100k (`npm run bench:map`); the area's timeline is cached by the library service until
 * the library changes.
 */
export function areaSql(area: Bbox): { sql: string; params: number[] } {
  const lon = area.west <= area.east ? 'p.gps_lon BETWEEN ? AND ?' : '(p.gps_lon >= ? OR p.gps_lon <= ?)';
  return { sql: `p.gps_lat BETWEEN ? AND ? AND ${lon}`, params: [area.south, area.north, area.west, area.east] };
}
