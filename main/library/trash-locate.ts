/**
 * @file Finding a file Shoebox moved to the operating system's trash, and putting it back where it was:
 * the undo of a `trash:move`. Never deletes anything: a file is only ever moved back.
 *
 * Runs in main (plain Node; the move itself is Electron's `shell.trashItem` or the `trash` package:
 * main/library/trash-host.ts).
 *
 * [Note: Finding files in the OS trash] Neither `shell.trashItem` nor the `trash` package says where a
 * file went, so undo looks for it the way each system files it:
 * - Linux (freedesktop.org Trash spec, which GIO and `trash` both follow): `$XDG_DATA_HOME/Trash`
 *   (default ~/.local/share/Trash) for files on the home device, else `$topdir/.Trash/$uid` or
 *   `$topdir/.Trash-$uid` at the top of the file's mount. Each trashed file `files/NAME` has an
 *   `info/NAME.trashinfo` whose `Path=` is the original path (percent-encoded; relative to `$topdir`
 *   in a topdir trash). Put back: the file moves back and its .trashinfo goes.
 * - macOS: ~/.Trash, under the file's name or, when that was taken, the name with a suffix; the
 *   original place is kept only in Finder's private records, so candidates are matched by content.
 * - Windows: the Recycle Bin's records are not readable without native code: undo says so, and the
 *   user restores from the Recycle Bin, after which the library finds the photo again by its content.
 * Every candidate must have the photo's content (size, then the content hash): a different file that
 * happens to have had the same path is never taken.
 */
import { constants as fsc } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { hashFile } from './hash';

/** A trashed file found for an original path. */
export interface TrashedFile {
  /** Where the file is now. */
  path: string;
  /** Its .trashinfo (Linux), removed once the file is back. */
  info: string | null;
}

export interface TrashLocator {
  /** Whether undo can find files on this system. */
  readonly supported: boolean;
  /** A sentence for the user when undo is not supported; null when it is. */
  readonly note: string | null;
  /** Finds the trashed file that was at `originalPath` with this content; null when it is not there. */
  find(originalPath: string, hash: string, size: number): Promise<TrashedFile | null>;
}

/** Why a file could not be put back, in plain words. */
export class PutBackError extends Error {}

export const WINDOWS_UNDO_NOTE =
  'On Windows, Shoebox cannot take files back out of the Recycle Bin: restore them there (right-click, Restore) and they come back to the library with their favourites and albums.';

/** The locator for this platform; `env`, `home` and the mount top of a path can be pointed elsewhere (tests). */
export function createTrashLocator(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  topOf: (path: string) => Promise<string | null> = mountTop,
): TrashLocator {
  if (platform === 'darwin') return macLocator(home);
  if (platform === 'win32') return { supported: false, note: WINDOWS_UNDO_NOTE, find: () => Promise.resolve(null) };
  return freedesktopLocator(env, home, topOf);
}

/** Whether the file at `path` has this content. */
async function hasContent(path: string, hash: string, size: number): Promise<boolean> {
  const s = await stat(path).catch(() => null);
  if (!s?.isFile() || s.size !== size) return false;
  return (await hashFile(path).catch(() => null))?.hash === hash;
}

/** The top directory of the mount holding `path` (or its nearest existing ancestor). */
async function mountTop(path: string): Promise<string | null> {
  let dir = dirname(path);
  let s = await stat(dir).catch(() => null);
  while (!s && dir !== dirname(dir)) {
    dir = dirname(dir);
    s = await stat(dir).catch(() => null);
  }
  if (!s) return null;
  for (;;) {
    const up = dirname(dir);
    if (up === dir) return dir;
    const u = await stat(up).catch(() => null);
    if (!u || u.dev !== s.dev) return dir;
    dir = up;
  }
}

/** `Path=` of a .trashinfo, decoded; null when the file is not a trash info. */
export function trashInfoPath(text: string): { path: string; deleted: string } | null {
  if (!/^\[Trash Info\]/m.test(text)) return null;
  const raw = /^Path=(.*)$/m.exec(text)?.[1]?.trim();
  if (!raw) return null;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    path = raw; // not percent-encoded as the spec asks: taken as written
  }
  return { path, deleted: /^DeletionDate=(.*)$/m.exec(text)?.[1]?.trim() ?? '' };
}

function freedesktopLocator(env: NodeJS.ProcessEnv, home: string, topOf: (path: string) => Promise<string | null>): TrashLocator {
  const dataHome = env['XDG_DATA_HOME'] && isAbsolute(env['XDG_DATA_HOME']) ? env['XDG_DATA_HOME'] : join(home, '.local', 'share');
  const uid = process.getuid?.() ?? 0;
  return {
    supported: true,
    note: null,
    async find(originalPath, hash, size) {
      const top = await topOf(originalPath);
      const trashes: { dir: string; top: string | null }[] = [{ dir: join(dataHome, 'Trash'), top: null }];
      if (top) trashes.push({ dir: join(top, '.Trash', String(uid)), top }, { dir: join(top, `.Trash-${uid}`), top });
      const candidates: { file: string; info: string; deleted: string }[] = [];
      for (const t of trashes) {
        const infoDir = join(t.dir, 'info');
        const names = await readdir(infoDir).catch(() => [] as string[]);
        for (const name of names) {
          if (!name.endsWith('.trashinfo')) continue;
          const info = join(infoDir, name);
          const parsed = trashInfoPath(await readFile(info, 'utf8').catch(() => ''));
          if (!parsed) continue;
          const path = isAbsolute(parsed.path) || !t.top ? parsed.path : join(t.top, parsed.path);
          if (path !== originalPath) continue;
          candidates.push({ file: join(t.dir, 'files', name.slice(0, -'.trashinfo'.length)), info, deleted: parsed.deleted });
        }
      }
      // The newest deletion first: the same path may have been trashed more than once.
      candidates.sort((a, b) => b.deleted.localeCompare(a.deleted));
      for (const c of candidates) if (await hasContent(c.file, hash, size)) return { path: c.file, info: c.info };
      return null;
    },
  };
}

function macLocator(home: string): TrashLocator {
  const trash = join(home, '.Trash');
  return {
    supported: true,
    note: null,
    async find(originalPath, hash, size) {
      const name = basename(originalPath);
      const ext = extname(name);
      const stem = name.slice(0, name.length - ext.length);
      const names = await readdir(trash).catch(() => [] as string[]);
      // Finder names a second "IMG_1.jpg" "IMG_1 2.jpg" or "IMG_1 10.42.07.jpg": same stem and extension.
      const candidates = names.filter((n) => n === name || (n.startsWith(`${stem} `) && n.endsWith(ext)));
      for (const n of candidates) if (await hasContent(join(trash, n), hash, size)) return { path: join(trash, n), info: null };
      return null;
    },
  };
}

/**
 * Moves a trashed file back to `originalPath`, never over an existing file: a hard link then unlink on
 * the same device (atomic, refuses an existing target), else a copy that refuses an existing target,
 * with the old modification time, then the trashed copy is unlinked.
 */
export async function putBack(found: TrashedFile, originalPath: string, mtimeMs: number): Promise<void> {
  if (await lstat(originalPath).catch(() => null)) throw new PutBackError(`a file is already at ${originalPath}`);
  await mkdir(dirname(originalPath), { recursive: true });
  try {
    await link(found.path, originalPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new PutBackError(`a file is already at ${originalPath}`);
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err;
    await copyFile(found.path, originalPath, fsc.COPYFILE_EXCL).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new PutBackError(`a file is already at ${originalPath}`);
      throw e;
    });
    await utimes(originalPath, new Date(), new Date(mtimeMs)).catch(() => undefined);
  }
  await unlink(found.path);
  if (found.info) await unlink(found.info).catch(() => undefined);
}
