/**
 * @file SQL for the justified grid's layout data ([Note: Grid layout data] in preload/contract/layout.ts):
 * every photo of a view, in grid order, as its day and its displayed aspect ratio, packed as it is read.
 *
 * Runs in main (and tests).
 *
 * A walk over the `photos_sort` index in the grid's order (sort_key DESC, id DESC) reading only the day and
 * the dimensions, as raw rows into a byte array (no object per photo), in chunks that continue after the
 * last (sort_key, id) seen: the caller yields between chunks, so a 100k view (~100 ms of reading on an idle
 * machine, seconds on a busy one) never holds main's event loop and the grid's first page waits for none
 * of it. The view's condition is the one the grid pages with (main/db/collections-views.repo.ts, or the
 * map area of main/db/photo-filter.ts).
 *
 * [Note: Turned photos in the grid] A photo the user turned by a quarter turn for display
 * (`photo_marks.rotation` 1 or 3, migration 0011) is shown turned everywhere, so its grid box is its width
 * and height swapped. The layout says so in its aspect byte: each read first takes the ids of the odd-turned
 * photos (one query over the few marked rows, as in [Note: Views as id sets] in collections-views.repo.ts)
 * and swaps the shape of those it meets. (An `IN (…)` column instead rebuilt the id set for every chunk: a
 * 100k read with 2,500 turned photos took ~1.5× as long.) Tiles get the rotation itself in
 * `PhotoSummary.rotation` and turn their image with CSS (renderer/src/features/library/thumb-turn.ts); a turn
 * emits `library:changed`, which clears the cached layout and makes the grid ask again, so its rows re-pack.
 */
import type { Statement } from 'better-sqlite3';
import { encodeAspect } from '../../preload/contract/aspect-code';
import type { Db } from './open';

/** A boolean SQL condition over `photos p`, with its parameters. */
export interface LayoutWhere {
  where: string;
  params: readonly unknown[];
}

/** Days (newest first), photos per day, and one aspect code per photo in grid order. */
export interface LayoutRows {
  days: string[];
  counts: number[];
  aspects: Uint8Array;
}

export interface LayoutRepo {
  /** Reads the layout of `filter`'s photos, `chunk` rows at a time, awaiting `pause()` between chunks. */
  layout(filter: LayoutWhere, pause: () => Promise<void>, chunk?: number): Promise<LayoutRows>;
}

type Row = [day: string, width: number | null, height: number | null, sortKey: string, id: number];

/** Builds the repository over an open, migrated database. */
export function createLayoutRepo(db: Db): LayoutRepo {
  const statements = new Map<string, Statement<unknown[]>>();
  const prepared = (sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) statements.set(sql, (stmt = db.prepare<unknown[]>(sql).raw(true)));
    return stmt;
  };
  // Photos turned by a quarter turn (90° or 270°): their displayed width and height swap. CROSS JOIN keeps
  // photo_marks (a few rows) the outer loop, as collections-views.repo.ts's id sets do.
  const quarterTurned = db
    .prepare<[], number>('SELECT mp.id FROM photo_marks m CROSS JOIN photos mp ON mp.hash = m.photo_hash WHERE m.rotation IN (1, 3)')
    .pluck();
  return {
    async layout({ where, params }, pause, chunk = 10_000) {
      const select = 'SELECT substr(p.sort_key, 1, 10), p.width, p.height, p.sort_key, p.id FROM photos p';
      const order = 'ORDER BY p.sort_key DESC, p.id DESC LIMIT ?';
      const first = prepared(`${select} WHERE ${where} ${order}`);
      const next = prepared(`${select} WHERE ${where} AND (p.sort_key, p.id) < (?, ?) ${order}`);
      const days: string[] = [];
      const counts: number[] = [];
      let aspects = new Uint8Array(chunk);
      let n = 0;
      let last: Row | undefined;
      const turned = new Set(quarterTurned.all());
      for (;;) {
        const rows = (last ? next.all(...params, last[3], last[4], chunk) : first.all(...params, chunk)) as Row[];
        for (const [day, width, height, , id] of rows) {
          if (days[days.length - 1] === day) counts[counts.length - 1]!++;
          else {
            days.push(day);
            counts.push(1);
          }
          if (n === aspects.length) {
            const grown = new Uint8Array(aspects.length * 2);
            grown.set(aspects);
            aspects = grown;
          }
          aspects[n++] = turned.has(id) ? encodeAspect(height, width) : encodeAspect(width, height);
        }
        if (rows.length < chunk) break;
        last = rows[rows.length - 1];
        await pause();
      }
      return { days, counts, aspects: aspects.subarray(0, n) };
    },
  };
}
