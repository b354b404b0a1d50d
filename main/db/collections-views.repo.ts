/**
 * @file SQL for the grid's views (all, favourites, hidden, one album, trash: [Note: Views and selections]
 * in preload/contract/collections.ts) and for resolving a selection to photos. Pages, counts and
 * months of a view; the photos of a selection as (id, hash) pairs.
 *
 * Runs in main (and the CLI, headless host and tests).
 *
 * [Note: Views as id sets] Marks and albums name photos by content (0011), so a view's condition is an
 * id set built from the few marked rows (`p.id IN (…)` / `p.id NOT IN (…)`): SQLite runs the subquery
 * once into an ephemeral index, and the grid's walk over `photos_sort` (sort_key, id) checks each
 * entry's id against it without reading the table, so the 'all' view pages like the bare library did
 * ([Note: Paging at 100k] in photos.repo.ts). A photo is "removed" while its marks say so AND no file
 * of it is ok: a file put back by hand (from the OS trash, or a copy) brings the photo back by itself.
 */
import type { Bbox, PhotoView } from '../../preload/contract';
import type { Statement } from 'better-sqlite3';
import { areaSql } from './area-sql';
import type { Db } from './open';
import { PAGE_COLUMNS, type PageRow } from './photos.repo';

/** A boolean SQL condition over `photos p`, with its parameters. */
export interface ViewSql {
  where: string;
  params: unknown[];
}

/** Ids of photos whose marks meet `cond` (over `photo_marks m` joined to `photos mp`). */
// CROSS JOIN keeps photo_marks (a few rows) the outer loop: left to itself, the planner may walk every photo.
const marked = (cond: string) => `SELECT mp.id FROM photo_marks m CROSS JOIN photos mp ON mp.hash = m.photo_hash WHERE ${cond}`;
/** Marks of a photo Shoebox moved to the trash and that has no ok file any more. */
const REMOVED = `m.removed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM files mf WHERE mf.photo_id = mp.id AND mf.status = 'ok')`;
/** Photos no ordinary view shows: hidden or removed. */
export const AWAY_IDS = marked(`m.hidden = 1 OR (${REMOVED})`);
/** Photos of the Trash view. */
export const REMOVED_IDS = marked(REMOVED);

/** The condition of one view (of one folder when `folderId` is given). */
export function viewSql(view: PhotoView = { kind: 'all' }, folderId?: number): ViewSql {
  let where: string;
  const params: unknown[] = [];
  switch (view.kind) {
    case 'all':
      where = `p.id NOT IN (${AWAY_IDS})`;
      break;
    case 'favourites':
      where = `p.id IN (${marked('m.favourite = 1')}) AND p.id NOT IN (${AWAY_IDS})`;
      break;
    case 'hidden':
      where = `p.id IN (${marked(`m.hidden = 1 AND NOT (${REMOVED})`)})`;
      break;
    case 'album':
      where = `p.id IN (SELECT ap.id FROM album_photos a CROSS JOIN photos ap ON ap.hash = a.photo_hash WHERE a.album_id = ?) AND p.id NOT IN (${AWAY_IDS})`;
      params.push(view.albumId);
      break;
    case 'trash':
      where = `p.id IN (${REMOVED_IDS})`;
      break;
    default:
      throw new Error(`unknown view ${JSON.stringify(view satisfies never)}`);
  }
  if (folderId !== undefined) {
    where += ' AND EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.folder_id = ?)';
    params.push(folderId);
  }
  return { where, params };
}

/**
 * Search's filter without hidden and removed photos: they leave search as they leave the grid. Unchanged
 * while no photo is hidden or removed, so such a library keeps search's unfiltered fast paths (a WHERE of
 * '1' lets dense search read its whole index).
 */
export function createShownOnly(db: Db): <F extends { where: string; libraryWhere?: string; params: unknown[] }>(filter: F) => F {
  const anyAway = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM photo_marks WHERE hidden = 1 OR removed_at IS NOT NULL)').pluck();
  return (filter) => {
    if (!anyAway.get()) return filter;
    const away = `p.id NOT IN (${AWAY_IDS})`;
    const and = (w: string) => (w === '1' ? away : `${w} AND ${away}`);
    return {
      ...filter,
      where: and(filter.where),
      ...(filter.libraryWhere !== undefined ? { libraryWhere: and(filter.libraryWhere) } : {}),
    };
  };
}

/** Cache key of a view, for prepared statements and cached counts. */
export const viewKey = (view: PhotoView = { kind: 'all' }, folderId?: number): string =>
  `${view.kind}:${view.kind === 'album' ? view.albumId : ''}:${folderId ?? ''}`;

/** A photo as actions need it: its id and its content identity. */
export interface SelectedPhoto {
  id: number;
  hash: string;
}

export interface ViewsRepo {
  page(view: PhotoView | undefined, offset: number, limit: number, folderId?: number): PageRow[];
  count(view: PhotoView | undefined, folderId?: number): number;
  months(view: PhotoView | undefined, folderId?: number): { key: string; count: number }[];
  /** The photos of these ids that exist (unknown ids are left out). */
  byIds(ids: readonly number[]): SelectedPhoto[];
  /**
   * Every photo of a view (inside the map area `bbox`, when given) except `except`, in no particular order (a
   * table scan: no per-row index lookups).
   */
  inView(view: PhotoView | undefined, folderId: number | undefined, except: readonly number[], bbox?: Bbox): SelectedPhoto[];
  /**
   * The library's statistics over the photos the 'all' view shows (hidden ones and those in the Trash
   * are not counted): how many, how many have no file present, how many could not be read.
   */
  totals(): { photos: number; missing: number; errors: number };
}

/** Builds the repository over an open, migrated database. */
export function createViewsRepo(db: Db): ViewsRepo {
  // A handful of views and folders: statements are prepared once per shape (the SQL differs only by kind
  // and folder; album ids and folder ids are parameters).
  const statements = new Map<string, Statement<unknown[]>>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare<unknown[]>(sql)));
    return s;
  };
  return {
    page(view, offset, limit, folderId) {
      const v = viewSql(view, folderId);
      // The page's ids first (the index walk, ids only), then the cell columns for those rows alone: in
      // one query SQLite would compute every member's columns before sorting a large album.
      return prepared(
        `SELECT ${PAGE_COLUMNS} FROM photos p WHERE p.id IN (
           SELECT p.id FROM photos p INDEXED BY photos_sort WHERE ${v.where} ORDER BY p.sort_key DESC, p.id DESC LIMIT ? OFFSET ?)
         ORDER BY p.sort_key DESC, p.id DESC`,
      ).all(...v.params, limit, offset) as PageRow[];
    },
    count(view, folderId) {
      if (view === undefined || view.kind === 'all') {
        // All photos less the away ones: SQLite counts a whole table without reading it, and the away
        // set is small; counting through NOT IN would read every photo.
        const inFolder = folderId === undefined ? '' : ' AND EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.folder_id = ?)';
        const params = folderId === undefined ? [] : [folderId, folderId];
        return (
          prepared(
            `SELECT (SELECT count(*) FROM photos p WHERE 1${inFolder}) - (SELECT count(*) FROM photos p WHERE p.id IN (${AWAY_IDS})${inFolder}) AS n`,
          ).get(...params) as { n: number }
        ).n;
      }
      const v = viewSql(view, folderId);
      return (prepared(`SELECT count(*) AS n FROM photos p WHERE ${v.where}`).get(...v.params) as { n: number }).n;
    },
    months(view, folderId) {
      const v = viewSql(view, folderId);
      return prepared(
        `SELECT substr(p.sort_key, 1, 7) AS key, count(*) AS count FROM photos p WHERE ${v.where} GROUP BY key ORDER BY key DESC`,
      ).all(...v.params) as { key: string; count: number }[];
    },
    byIds: (ids) =>
      prepared('SELECT p.id, p.hash FROM photos p WHERE p.id IN (SELECT value FROM json_each(?))').all(
        JSON.stringify(ids),
      ) as SelectedPhoto[],
    inView(view, folderId, except, bbox) {
      const v = viewSql(view, folderId);
      const a = bbox ? areaSql(bbox) : { sql: '1', params: [] };
      return prepared(
        `SELECT p.id, p.hash FROM photos p WHERE ${v.where} AND ${a.sql} AND p.id NOT IN (SELECT value FROM json_each(?))`,
      ).all(...v.params, ...a.params, JSON.stringify(except)) as SelectedPhoto[];
    },
    totals() {
      // The whole library's less the away photos' (as `count`): checking every photo against the away
      // set would cost the scan half as much again at 100k.
      type Totals = { photos: number; missing: number; errors: number };
      const of = (where: string) =>
        prepared(
          `SELECT count(*) AS photos,
             coalesce(sum(NOT EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.status <> 'missing')), 0) AS missing,
             coalesce(sum(p.error IS NOT NULL), 0) AS errors
           FROM photos p WHERE ${where}`,
        ).get() as Totals;
      const all = of('1');
      const away = of(`p.id IN (${AWAY_IDS})`);
      return { photos: all.photos - away.photos, missing: all.missing - away.missing, errors: all.errors - away.errors };
    },
  };
}
