/**
 * @file The one filter builder: turns parsed query filters (main/search/query-parser.ts) into a WHERE
 * clause over `photos p`, for the grid, FTS and vector rankings alike (Immich's `searchAssetBuilder`).
 *
 * Runs in main (and tests). Parameterised only: user text travels in `params`, never in `where`.
 *
 * [Note: Filter combination] Filters of one type are alternatives (two date chips: either range; two
 * cameras: either), filters of different types all apply ("videos from 2019 on iPhone"). A filter the
 * library cannot answer (a place name the parser could not resolve: it had no gazetteer to ask) is not
 * dropped silently: it is returned in `unsupported`, restricts nothing, and the UI says so on its chip.
 * A resolved place compares the codes stored per photo by the geocode step (migration 0006): a city by
 * its GeoNames id, a region by its admin-1 key, a country by its ISO code.
 * Dates compare `sort_key` (capture time, else the file's time), the same wall-clock text the grid
 * sorts and groups by, so a date chip and the timeline agree; its index serves the range.
 *
 * [Note: Filters per photo and as id sets] The place, folder and "with text" filters come in two forms
 * with the same parameters. `where` checks one photo at a time (`EXISTS (… WHERE photo_id = p.id)`, one
 * index probe per photo): right when a ranked list or FTS hits drive the query, a few hundred or
 * thousand photos. `libraryWhere` is `p.id IN (SELECT photo_id …)`: SQLite runs the subquery once (a
 * place through its index on photo_places) and reads the matching photos by id, instead of probing
 * every photo of the library: right for the grid's count and page and the dense path's candidate ids
 * (main/db/filtered-photos.repo.ts `newest`, `ids`). Each form is the slow one in the other's place (a
 * folder as an id set scans every file even for 500 candidates; per photo, the grid's count probes
 * 1M photos), so both are kept; the numbers are in the commit that split them.
 */
import type { Bbox, PhotoView } from '../../preload/contract';
import { areaSql } from './area-sql';
import { viewSql } from './collections-views.repo';
import type { Filter } from '../search/query-parser';

export interface FilterSql {
  /** A boolean SQL expression over `photos p`, checked per photo; '1' when nothing restricts. */
  where: string;
  /**
   * The same filter for a query over the whole library, with the same `params`: place, folder and text
   * filters as id sets ([Note: Filters per photo and as id sets]). Absent when it would equal `where`.
   */
  libraryWhere?: string;
  params: unknown[];
  /** Filters that restrict nothing because the library cannot answer them yet. */
  unsupported: Filter[];
}

/** Wall-clock ms (read as UTC) to the stored text form 'YYYY-MM-DDTHH:MM:SS'. */
const wallText = (ms: number) => new Date(ms).toISOString().slice(0, 19);
/** LIKE pattern for a substring, with LIKE's own wildcards taken literally (ESCAPE '\'). */
const contains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A filter's SQL per photo and, where it differs, as an id set (`set`); both take `params`. */
type Clause = { sql: string; set?: string; params: unknown[] } | null;
/** `p.id IN (SELECT <col> …)` from a subquery's FROM…WHERE. */
const idSet = (col: string, fromWhere: string) => `p.id IN (SELECT ${col} ${fromWhere})`;

function clause(f: Filter): Clause {
  switch (f.type) {
    case 'date':
      return { sql: 'p.sort_key >= ? AND p.sort_key < ?', params: [wallText(f.start), wallText(f.end)] };
    case 'kind':
      return f.kind === 'video' ? { sql: "p.kind = 'video'", params: [] } : { sql: "p.kind IN ('image', 'raw')", params: [] };
    case 'camera':
      return f.model === null
        ? { sql: "p.camera_make LIKE ? ESCAPE '\\'", params: [contains(f.make)] }
        : { sql: "p.camera_make LIKE ? ESCAPE '\\' AND p.camera_model LIKE ? ESCAPE '\\'", params: [contains(f.make), contains(f.model)] };
    case 'tag':
      // Present tags only: a model's tag or a user's, never one the user took off (migration 0003).
      return {
        sql: `EXISTS (SELECT 1 FROM photo_tags t JOIN tag_labels l ON l.id = t.label_id
                WHERE t.photo_id = p.id AND t.removed = 0 AND l.label = ?)`,
        params: [f.tag],
      };
    case 'hasText':
      return {
        sql: "EXISTS (SELECT 1 FROM photo_texts x WHERE x.photo_id = p.id AND trim(x.text) <> '')",
        set: idSet('x.photo_id', "FROM photo_texts x WHERE trim(x.text) <> ''"),
        params: [],
      };
    case 'folder': {
      // A folder root named so (its last path segment), or a sub-folder of that name anywhere below a root.
      const name = f.name.replace(/[\\%_]/g, (c) => `\\${c}`);
      const named = `(d.path LIKE ? ESCAPE '\\' OR d.path LIKE ? ESCAPE '\\' OR f.rel_path LIKE ? ESCAPE '\\' OR f.rel_path LIKE ? ESCAPE '\\')`;
      const files = `FROM files f JOIN folders d ON d.id = f.folder_id WHERE f.status <> 'missing'`;
      return {
        sql: `EXISTS (SELECT 1 ${files} AND f.photo_id = p.id AND ${named})`,
        set: idSet('f.photo_id', `${files} AND ${named}`),
        params: [`%/${name}`, `%\\\\${name}`, `${name}/%`, `%/${name}/%`],
      };
    }
    case 'place': {
      // [Note: Places in the search index]: photo_places repeats the codes, so each is one index probe
      // per photo, or one index range as an id set.
      const r = f.place;
      if (!r) return null;
      const place = (cond: string, params: unknown[]): Clause => ({
        sql: `EXISTS (SELECT 1 FROM photo_places pp WHERE pp.photo_id = p.id AND ${cond})`,
        set: idSet('pp.photo_id', `FROM photo_places pp WHERE ${cond}`),
        params,
      });
      if (r.level === 'city') return place('pp.place_id = ?', [Number(r.code)]);
      if (r.level === 'region') return place('pp.country_code = ? AND pp.region_code = ?', [r.code.slice(0, 2), r.code]);
      return place('pp.country_code = ?', [r.code]);
    }
  }
}

/** The WHERE clause for these filters ([Note: Filter combination]). */
export function filterSql(filters: readonly Filter[]): FilterSql {
  const byType = new Map<Filter['type'], NonNullable<Clause>[]>();
  const unsupported: Filter[] = [];
  for (const f of filters) {
    const c = clause(f);
    if (!c) {
      unsupported.push(f);
      continue;
    }
    byType.set(f.type, [...(byType.get(f.type) ?? []), c]);
  }
  const parts: string[] = [];
  const setParts: string[] = [];
  const params: unknown[] = [];
  const join = (group: string[]) => (group.length === 1 ? `(${group[0]})` : `(${group.map((c) => `(${c})`).join(' OR ')})`);
  for (const group of byType.values()) {
    parts.push(join(group.map((c) => c.sql)));
    setParts.push(join(group.map((c) => c.set ?? c.sql)));
    for (const c of group) params.push(...c.params);
  }
  const where = parts.length ? parts.join(' AND ') : '1';
  const libraryWhere = setParts.join(' AND ');
  return { where, ...(parts.length && libraryWhere !== where ? { libraryWhere } : {}), params, unsupported };
}

/**
 * The photos of a grid `view` (of one folder) taken inside `area`, as a filter for the grid's queries: a map
 * area narrows whatever the grid shows, so hidden and removed photos stay out of it as they do of the view.
 */
export function areaFilterSql(area: Bbox, folderId?: number, view?: PhotoView): FilterSql {
  const inside = areaSql(area);
  const shown = viewSql(view, folderId);
  return { where: `${inside.sql} AND ${shown.where}`, params: [...inside.params, ...shown.params], unsupported: [] };
}
