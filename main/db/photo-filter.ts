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
 */
import type { Filter } from '../search/query-parser';

export interface FilterSql {
  /** A boolean SQL expression over `photos p`; '1' when nothing restricts. */
  where: string;
  params: unknown[];
  /** Filters that restrict nothing because the library cannot answer them yet. */
  unsupported: Filter[];
}

/** Wall-clock ms (read as UTC) to the stored text form 'YYYY-MM-DDTHH:MM:SS'. */
const wallText = (ms: number) => new Date(ms).toISOString().slice(0, 19);
/** LIKE pattern for a substring, with LIKE's own wildcards taken literally (ESCAPE '\'). */
const contains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type Clause = { sql: string; params: unknown[] } | null;

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
      return { sql: "EXISTS (SELECT 1 FROM photo_texts x WHERE x.photo_id = p.id AND trim(x.text) <> '')", params: [] };
    case 'folder': {
      // A folder root named so (its last path segment), or a sub-folder of that name anywhere below a root.
      const name = f.name.replace(/[\\%_]/g, (c) => `\\${c}`);
      return {
        sql: `EXISTS (SELECT 1 FROM files f JOIN folders d ON d.id = f.folder_id WHERE f.photo_id = p.id AND f.status <> 'missing'
                AND (d.path LIKE ? ESCAPE '\\' OR d.path LIKE ? ESCAPE '\\' OR f.rel_path LIKE ? ESCAPE '\\' OR f.rel_path LIKE ? ESCAPE '\\'))`,
        params: [`%/${name}`, `%\\\\${name}`, `${name}/%`, `%/${name}/%`],
      };
    }
    case 'place': {
      // [Note: Places in the search index]: photo_places repeats the codes, so each is one index probe.
      const r = f.place;
      if (!r) return null;
      if (r.level === 'city')
        return { sql: 'EXISTS (SELECT 1 FROM photo_places pp WHERE pp.photo_id = p.id AND pp.place_id = ?)', params: [Number(r.code)] };
      if (r.level === 'region')
        return {
          sql: 'EXISTS (SELECT 1 FROM photo_places pp WHERE pp.photo_id = p.id AND pp.country_code = ? AND pp.region_code = ?)',
          params: [r.code.slice(0, 2), r.code],
        };
      return { sql: 'EXISTS (SELECT 1 FROM photo_places pp WHERE pp.photo_id = p.id AND pp.country_code = ?)', params: [r.code] };
    }
  }
}

/** The WHERE clause for these filters ([Note: Filter combination]). */
export function filterSql(filters: readonly Filter[]): FilterSql {
  const byType = new Map<Filter['type'], { sql: string; params: unknown[] }[]>();
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
  const params: unknown[] = [];
  for (const group of byType.values()) {
    parts.push(group.length === 1 ? `(${group[0]?.sql})` : `(${group.map((c) => `(${c.sql})`).join(' OR ')})`);
    for (const c of group) params.push(...c.params);
  }
  return { where: parts.length ? parts.join(' AND ') : '1', params, unsupported };
}
