/**
 * @file SQL for search results: grid rows of the photos that pass a query's filters, either in the order
 * of a ranked id list (lexical hits) or newest first. The filters arrive as `filterSql`'s parameterised
 * WHERE (main/db/photo-filter.ts); nothing the user typed is ever part of the SQL text.
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
  /** The photos of `ids` that pass `filter`, in the order of `ids`. */
  ranked(ids: readonly number[], filter: FilterSql, limit: number, offset: number): FilteredPage;
  /** The photos that pass `filter`, newest first (the grid's order). */
  newest(filter: FilterSql, limit: number, offset: number): FilteredPage;
}

/** Builds the repository over an open, migrated database. */
export function createFilteredPhotosRepo(db: Db): FilteredPhotosRepo {
  // json_each's `key` is the id's index in the list: the rank. The WHERE differs per set of filter
  // types, so statements are prepared per call (microseconds, next to the FTS5 query before it).
  const ranked = (where: string) => `FROM json_each(?) r JOIN photos p ON p.id = r.value WHERE ${where}`;
  return {
    ranked(ids, filter, limit, offset) {
      if (ids.length === 0) return { rows: [], total: 0 };
      const list = JSON.stringify(ids);
      const total =
        db
          .prepare<unknown[], number>(`SELECT count(*) ${ranked(filter.where)}`)
          .pluck()
          .get(list, ...filter.params) ?? 0;
      const rows = db
        .prepare<unknown[], PageRow>(`SELECT ${PAGE_COLUMNS} ${ranked(filter.where)} ORDER BY r.key LIMIT ? OFFSET ?`)
        .all(list, ...filter.params, limit, offset);
      return { rows, total };
    },
    newest(filter, limit, offset) {
      const total =
        db
          .prepare<unknown[], number>(`SELECT count(*) FROM photos p WHERE ${filter.where}`)
          .pluck()
          .get(...filter.params) ?? 0;
      const rows = db
        .prepare<unknown[], PageRow>(
          `SELECT ${PAGE_COLUMNS} FROM photos p WHERE ${filter.where} ORDER BY p.sort_key DESC, p.id DESC LIMIT ? OFFSET ?`,
        )
        .all(...filter.params, limit, offset);
      return { rows, total };
    },
  };
}
