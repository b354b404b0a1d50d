/**
 * @file Search, first slice: a query's filters (main/search/query-parser.ts) applied in SQL, its remaining
 * words ranked by the FTS5 index (main/db/search.repo.ts). Behind `search:query` and `shoebox search`.
 *
 * Runs in main (and the CLI and tests). Policy only; the SQL is in main/db/filtered-photos.repo.ts.
 *
 * [Note: Lexical search slice] With words left after the filters, the best MAX_RANKED lexical hits are
 * kept in rank order when they pass the filters (one query joins the ids with the filter WHERE), so
 * `total` counts within those; without words, the photos passing the filters are listed newest first,
 * as the grid shows them. An empty query is an empty result, never the whole library. No input throws:
 * the parser, the FTS5 query builder and the filter builder each make any text safe.
 */
import type { SearchChip, SearchResult } from '../../preload/contract';
import { createFilteredPhotosRepo } from '../db/filtered-photos.repo';
import type { Db } from '../db/open';
import { filterSql } from '../db/photo-filter';
import { createSearchRepo, type SearchRepo } from '../db/search.repo';
import { toPhotoSummary } from '../library/read-side';
import { libraryPlaceResolver } from './place-resolver';
import { parseQuery } from './query-parser';

/** Lexical hits considered before filtering (search.repo.ts's own limit per call). */
export const MAX_RANKED = 1000;
const MAX_PAGE = 500;
const MAX_OFFSET = 10_000_000;

export interface SearchDeps {
  db: Db;
  /** The FTS5 repository; one over `db` by default. */
  lexical?: SearchRepo;
}

export interface SearchOptions {
  limit: number;
  offset: number;
  /** The clock for relative dates ("last summer"); the current time by default. */
  now?: Date;
}

export interface Search {
  search(text: string, opts: SearchOptions): SearchResult;
}

const clamp = (n: number, max: number) => (Number.isFinite(n) ? Math.min(max, Math.max(0, Math.floor(n))) : 0);

/** Builds the search over an open, migrated database. */
export function createSearch(deps: SearchDeps): Search {
  const lexical = deps.lexical ?? createSearchRepo(deps.db);
  const photos = createFilteredPhotosRepo(deps.db);
  return {
    search(text, opts) {
      const places = libraryPlaceResolver(deps.db);
      const { semantic, filters } = parseQuery(typeof text === 'string' ? text : '', opts.now ?? new Date(), { places });
      const empty: SearchResult = { items: [], total: 0, filters: [], semantic: '', mode: 'lexical' };
      if (!semantic && filters.length === 0) return empty;
      const sql = filterSql(filters);
      const chips: SearchChip[] = filters.map((f) =>
        sql.unsupported.includes(f) ? { label: f.label, kind: f.type, unsupported: true } : { label: f.label, kind: f.type },
      );
      const limit = clamp(opts.limit, MAX_PAGE);
      const offset = clamp(opts.offset, MAX_OFFSET);
      const page = semantic
        ? photos.ranked(
            lexical.lexical(semantic, { limit: MAX_RANKED }).map((h) => h.photoId),
            sql,
            limit,
            offset,
          )
        : photos.newest(sql, limit, offset);
      return { ...empty, items: page.rows.map(toPhotoSummary), total: page.total, filters: chips, semantic };
    },
  };
}
