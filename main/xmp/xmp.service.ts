/**
 * @file The `xmp:write` action and `shoebox xmp write`: chooses the files that get a sidecar (some
 * photos, or a library folder or one of its sub-folders or files), gathers each photo's caption and
 * tags from the understanding tables, and hands them to writeSidecars (./write-sidecars.ts) with the
 * naming and subjects settings. Counts what happened and lists the first skipped files with reasons.
 *
 * Runs in main (and the CLI). Policy only: the file choice is SQL in main/db/xmp.repo.ts, what is
 * written comes from main/db/understanding.repo.ts, the file work is write-sidecars.ts's.
 *
 * [Note: What xmp:write writes] Only on the user's request: nothing calls this by itself.
 * - Which files: a photo is content, and the same content can sit in several places (a copy in two
 *   folders). Each of the photo's files that is on disk ('ok') gets its own sidecar, so whichever copy
 *   another program opens carries the caption. A folder request (or a CLI path) only writes beside the
 *   files inside that folder: a copy elsewhere is the user's other folder, which they did not ask about.
 * - What: the caption shown in Shoebox (the user's when they wrote one) and the tags shown (the user's
 *   additions included, tags the user removed left out), exactly what `photos:understanding` shows.
 *   The text read in the image is not written. A demo model's output (random weights) is meaningless
 *   and is never written; the user's own edits of such a photo are. The stars and favourite the user set
 *   in Shoebox go in too ([Note: Ratings and favourites in XMP] in xmp-marks.ts), also for a photo not
 *   understood yet.
 * - Skipped: a photo with nothing to write ("not understood yet"), a video, a photo with no file on
 *   disk, and whatever writeSidecars skips (a broken sidecar, a raw's basename sidecar, a read-only
 *   folder). Each skipped file counts once; the first XMP_SKIPPED_LISTED are listed with their reasons.
 * - One write at a time: a second request waits for the first, so two never merge into one sidecar at once.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ApiError } from '../../preload/api-error';
import type { Settings, XmpSkipped, XmpWriteResult } from '../../preload/contract';
import { XMP_SKIPPED_LISTED } from '../../preload/contract/xmp';
import type { Db } from '../db/open';
import { createFoldersRepo } from '../db/folders.repo';
import { createUnderstandingRepo } from '../db/understanding.repo';
import { createXmpRepo, type SidecarTargetRow } from '../db/xmp.repo';
import type { Log } from '../log';
import { writeSidecars, type SidecarItem } from './write-sidecars';
import type { SidecarNaming } from './sidecar-path';
import type { XmpMarks } from './xmp-marks';
import type { SubjectMode } from './xmp-merge';

/** What to write sidecars for: photos by id, or the files of a library folder at or below `under`. */
export type XmpScope = { photoIds: readonly number[] } | { folderId: number; under: string };

/** Overrides of the settings for one run (the CLI's flags). */
export interface XmpWriteOptions {
  naming?: SidecarNaming | undefined;
  subjects?: SubjectMode | undefined;
}

export interface XmpDeps {
  db: Db;
  log: Log;
  settings: { values(): Settings };
}

export interface XmpService {
  write(scope: XmpScope, options?: XmpWriteOptions): Promise<XmpWriteResult>;
  /** The scope for a path typed by a user: a library folder, a folder below one, or one photo file. */
  scopeOfPath(path: string): Promise<{ folderId: number; under: string }>;
}

/** Photos handled per round of database reads and writeSidecars call (bounds memory and blocking). */
const CHUNK = 200;

/** What one photo would write, or why it writes nothing. */
type Content = { caption: string | null; tags: string[]; marks?: XmpMarks } | { skip: string };

/** Builds the service over the library database. */
export function createXmpService({ db, log, settings }: XmpDeps): XmpService {
  const repo = createXmpRepo(db);
  const understanding = createUnderstandingRepo(db);
  const folders = createFoldersRepo(db);
  const marksStmt = db.prepare<[number], { rating: number | null; favourite: number }>(
    'SELECT m.rating, m.favourite FROM photos p JOIN photo_marks m ON m.photo_hash = p.hash WHERE p.id = ?',
  );
  let queue: Promise<unknown> = Promise.resolve();

  /** The user's stars and favourite, when set in Shoebox ([Note: Ratings and favourites in XMP]). */
  function marksOf(photoId: number): XmpMarks | null {
    const m = marksStmt.get(photoId);
    if (!m || (m.rating === null && m.favourite === 0)) return null;
    return { rating: m.rating, favourite: m.favourite === 1 };
  }

  function contentOf(photoId: number, kind: SidecarTargetRow['kind']): Content {
    const marks = marksOf(photoId);
    const understood = understoodOf(photoId, kind);
    if (!marks) return understood;
    return 'skip' in understood ? { caption: null, tags: [], marks } : { ...understood, marks };
  }

  function understoodOf(photoId: number, kind: SidecarTargetRow['kind']): Content {
    if (kind === 'video') return { skip: 'videos are not understood' };
    const state = understanding.state(photoId);
    const demo = state?.demo === 1;
    const captionRow = understanding.caption(photoId);
    const caption = captionRow && captionRow.text.trim() !== '' && (captionRow.by_user === 1 || !demo) ? captionRow.text : null;
    const tags = understanding
      .tags(photoId)
      .filter((t) => t.removed === 0 && (t.source === 'user' || !demo))
      .map((t) => t.label);
    if (caption !== null || tags.length > 0) return { caption, tags };
    if (demo) return { skip: "only a demo model's output (random weights), which is never written" };
    if (!state) return { skip: 'not understood yet' };
    if (state.state === 'error') return { skip: `understanding failed: ${state.error ?? 'unknown error'}` };
    return { skip: 'understood, but there is no caption or tag to write' };
  }

  const absPathOf = (row: SidecarTargetRow): string => join(row.root!, ...row.rel_path!.split('/'));

  async function run(scope: XmpScope, options: XmpWriteOptions): Promise<XmpWriteResult> {
    const prefs = settings.values().xmp;
    const naming = options.naming ?? prefs.naming;
    const subjects = options.subjects ?? prefs.subjects;
    let rows: SidecarTargetRow[];
    const unknown: number[] = [];
    if ('photoIds' in scope) {
      const ids = [...new Set(scope.photoIds)];
      rows = repo.filesOfPhotos(ids);
      const known = new Set(rows.map((r) => r.photo_id));
      if (known.size === 0)
        throw new ApiError('not-found', ids.length === 1 ? `No photo with id ${ids[0]}` : 'None of these ids is a photo');
      unknown.push(...ids.filter((id) => !known.has(id)));
    } else {
      if (!folders.get(scope.folderId)) throw new ApiError('not-found', `No library folder with id ${scope.folderId}`);
      rows = repo.filesUnder(scope.folderId, scope.under);
    }

    // Photo → its kind and the files that are on disk, in the order the rows came.
    const photos = new Map<number, { kind: SidecarTargetRow['kind']; files: string[] }>();
    for (const r of rows) {
      const p = photos.get(r.photo_id) ?? { kind: r.kind, files: [] };
      photos.set(r.photo_id, p);
      if (r.status === 'ok' && r.root !== null && r.rel_path !== null) p.files.push(absPathOf(r));
    }

    const result: XmpWriteResult = { photos: photos.size, written: 0, unchanged: 0, skipped: 0, items: [], naming, subjects };
    const skip = (s: XmpSkipped) => {
      result.skipped++;
      if (result.items.length < XMP_SKIPPED_LISTED) result.items.push(s);
    };
    for (const id of unknown) skip({ photoId: id, path: null, sidecarPath: null, reason: 'no such photo' });

    const entries = [...photos];
    for (let at = 0; at < entries.length; at += CHUNK) {
      const items: (SidecarItem & { photoId: number })[] = [];
      for (const [photoId, { kind, files }] of entries.slice(at, at + CHUNK)) {
        if (files.length === 0) {
          skip({ photoId, path: null, sidecarPath: null, reason: 'no file of this photo is on disk' });
          continue;
        }
        const content = contentOf(photoId, kind);
        for (const absPath of files) {
          if ('skip' in content) skip({ photoId, path: absPath, sidecarPath: null, reason: content.skip });
          else
            items.push({
              photoId,
              absPath,
              caption: content.caption,
              tags: content.tags,
              ...(content.marks ? { marks: content.marks } : {}),
            });
        }
      }
      const outcomes = await writeSidecars(items, { naming, subjects });
      outcomes.forEach((o, i) => {
        if (o.status === 'written') result.written++;
        else if (o.status === 'unchanged') result.unchanged++;
        else skip({ photoId: items[i]!.photoId, path: o.absPath, sidecarPath: o.sidecarPath, reason: o.reason });
      });
    }
    log.info('xmp sidecars written', {
      photos: result.photos,
      written: result.written,
      unchanged: result.unchanged,
      skipped: result.skipped,
    });
    return result;
  }

  return {
    write(scope, options = {}) {
      const next = queue.then(() => run(scope, options));
      queue = next.catch(() => undefined);
      return next;
    },

    async scopeOfPath(path) {
      const wanted = resolve(path);
      const real = await realpath(wanted).catch((err: NodeJS.ErrnoException) => {
        throw new ApiError('not-found', err.code === 'ENOENT' ? `No file or folder at ${wanted}` : `Cannot open ${wanted}: ${err.message}`);
      });
      // Folders are stored by their real path; the innermost folder that holds the path is its folder.
      const inside = folders
        .list()
        .map((f) => ({ f, rel: relative(f.path, real) }))
        .filter(({ rel }) => rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
        .sort((a, b) => a.rel.length - b.rel.length)[0];
      if (!inside) throw new ApiError('not-found', `${wanted} is not in the library: add its folder first (shoebox add-folder)`);
      const under = inside.rel.split(sep).join('/');
      if (!(await stat(real)).isDirectory() && repo.filesUnder(inside.f.id, under).length === 0) {
        throw new ApiError('not-found', `${wanted} is not a photo of the library (not indexed yet, or not a photo)`);
      }
      return { folderId: inside.f.id, under };
    },
  };
}
