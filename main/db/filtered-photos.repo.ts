/**
 * @file SQL for search results: grid rows of the photos that pass a query's filters, either from a ranked
 * id list (in its order, or its photos newest first) or all of them newest first. The filters arrive as `filterSql`'s parameterised
 * WHERE (main/db/photo-filter.ts); nothing the user typed is ever part of the SQL text. Queries over the whole
 * library (`newest`, `ids`) take its id-set form, the ones over an id list its per-photo form
 * ([Note: Filters per photo and as id sets]).
 *
 * Runs in main (and the CLI and tests).
 */
import type { FilterSql } from './photo-filter';
import type { Db } from './open';
import { PAGE_COLUMNS, type PageRow } from './photos.repo';

export interface FilteredPage {
  rows: PageRow[];
  /** How many photos pass, over the whole id list (ranked) or library (newest). */
  total: number;
}

export interface FilteredPhotosRepo {
  /** The photos of `ids` that pass `filter`, in the order of `ids` ('rank') or newest first ('date'). */
  ranked(ids: readonly number[], filter: FilterSql, limit: number, offset: number, order?: 'rank' | 'date'): FilteredPage;
  /** The photos that pass `filter`, newest first (the grid's order). */
  newest(filter: FilterSql, limit: number, offset: number): FilteredPage;
  /** Up to `limit` ids among `ids`, newest photo first, from `offset`. */
  newestAmong(ids: readonly number[], limit: number, offset: number): number[];
  /** The ids among `ids` (in their order) of the photos that pass `filter`. */
  passing(ids: readonly number[], filter: FilterSql): number[];
  /** The ids of the photos that pass `filter`, or null when more than `cap` do (the caller scans all instead). */
  ids(filter: FilterSql, cap: number): number[] | null;
  /** How many photos pass `filter` per month (`YYYY-MM`), newest first: the grid's timeline for a filtered library. */
  months(filter: FilterSql): { key: string; count: number }[];
}

/** A filter's WHERE for a query that reads the whole library ([Note: Filters per photo and as id sets]). */
const wholeLibrary = (filter: FilterSql) => filter.libraryWhere ?? filter.where;

/** Builds the repository over an open, migrated database. */
export function createFilteredPhotosRepo(db: Db): FilteredPhotosRepo {
  // json_each's `key` is the id's index in the list: the rank. The WHERE differs per set of filter
  // types, so statements are prepared per call (microseconds, next to the FTS5 query before it).
  const ranked = (where: string) => `FROM json_each(?) r JOIN photos p ON p.id = r.value WHERE ${where}`;
  return {
    ranked(ids, filter, limit, offset, order = 'rank') {
      if (ids.length === 0) return { rows: [], total: 0 };
      const list = JSON.stringify(ids);
      const total =
        db
          .prepare<unknown[], number>(`SELECT count(*) ${ranked(filter.where)}`)
          .pluck()
          .get(list, ...filter.params) ?? 0;
      const rows = db
        .prepare<unknown[], PageRow>(
          `SELECT ${PAGE_COLUMNS} ${ranked(filter.where)} ORDER BY ${order === 'date' ? 'p.sort_key DESC, p.id DESC' : 'r.key'} LIMIT ? OFFSET ?`,
        )
        .all(list, ...filter.params, limit, offset);
      return { rows, total };
    },
    newestAmong(ids, limit, offset) {
      if (ids.length === 0) return [];
      return db
        .prepare<unknown[], number>(`SELECT p.id ${ranked('1')} ORDER BY p.sort_key DESC, p.id DESC LIMIT ? OFFSET ?`)
        .pluck()
        .all(JSON.stringify(ids), limit, offset);
    },
    passing(ids, filter) {
      if (ids.length === 0) return [];
      return db
        .prepare<unknown[], number>(`SELECT p.id ${ranked(filter.where)} ORDER BY r.key`)
        .pluck()
        .all(JSON.stringify(ids), ...filter.params);
    },
    ids(filter, cap) {
      const ids = db
        .prepare<unknown[], number>(`SELECT p.id FROM photos p WHERE ${wholeLibrary(filter)} LIMIT ?`)
        .pluck()
        .all(...filter.params, cap + 1);
      return ids.length > cap ? null : ids;
    },
    newest(filter, limit, offset) {
      const total =
        db
          .prepare<unknown[], number>(`SELECT count(*) FROM photos p WHERE ${wholeLibrary(filter)}`)
          .pluck()
          .get(...filter.params) ?? 0;
      const rows = db
        .prepare<unknown[], PageRow>(
          `SELECT ${PAGE_COLUMNS} FROM photos p WHERE ${wholeLibrary(filter)} ORDER BY p.sort_key DESC, p.id DESC LIMIT ? OFFSET ?`,
        )
        .all(...filter.params, limit, offset);
      return { rows, total };
    },
    months: (filter) =>
      db
        .prepare<unknown[], { key: string; count: number }>(
          `SELECT substr(p.sort_key, 1, 7) AS key, count(*) AS count FROM photos p WHERE ${wholeLibrary(filter)} GROUP BY key ORDER BY key DESC`,
        )
        .all(...filter.params),
  };
}
