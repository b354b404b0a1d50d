/**
 * @file The folder browser's file-system side ([Note: Folder browser] in preload/contract/folders.ts):
 * lists the sub-folders of a folder (never files, never their contents) and finds the places a browse
 * starts from: home, the file-system root, drives (Windows) and mounted volumes (Linux, macOS).
 *
 * Runs in main, for the headless host's folder picker. Reads only: it never creates, changes or
 * follows anything but directory listings and stats.
 */
import { constants as fsc } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { homedir, platform as osPlatform } from 'node:os';
import { basename, dirname, join, parse } from 'node:path';
import { ApiError } from '../../preload/api-error';
import type { FolderEntryDto, FolderListing, FolderPlace } from '../../preload/contract/folders';
import { absoluteUserPath, requireFolder } from './user-path';

/** A listing carries at most this many sub-folders (a folder with more is rarely a photo folder's parent). */
export const MAX_FOLDER_ENTRIES = 2000;

/** Whether Shoebox may list `path` (read and enter it). */
async function canList(path: string): Promise<boolean> {
  try {
    await access(path, fsc.R_OK | fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Lists the sub-folders of `input` (home when omitted); see {@link FolderListing}. */
export async function browseFolder(
  input: string | undefined,
  opts: { showHidden: boolean; home?: string; maxEntries?: number },
): Promise<FolderListing> {
  const home = opts.home ?? homedir();
  const path = input === undefined ? home : absoluteUserPath(input, home);
  await requireFolder(path);
  let dirents;
  try {
    dirents = await readdir(path, { withFileTypes: true });
  } catch {
    throw new ApiError('bad-argument', `${path} cannot be read (permission denied)`);
  }
  let hiddenCount = 0;
  const names: string[] = [];
  for (const d of dirents) {
    // A symlink may point at a folder; stat below decides. Files, sockets and devices never show.
    if (!d.isDirectory() && !d.isSymbolicLink()) continue;
    if (d.name.startsWith('.') && !opts.showHidden) {
      if (d.isDirectory()) hiddenCount++;
      continue;
    }
    names.push(d.name);
  }
  names.sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true }));
  const max = opts.maxEntries ?? MAX_FOLDER_ENTRIES;
  const entries: FolderEntryDto[] = [];
  let truncated = false;
  for (const name of names) {
    const full = join(path, name);
    const target = await stat(full).catch(() => null);
    if (!target?.isDirectory()) continue;
    if (entries.length === max) {
      truncated = true;
      break;
    }
    entries.push({ name, path: full, readable: await canList(full), hidden: name.startsWith('.') });
  }
  const parent = dirname(path);
  return { path, parent: parent === path ? null : parent, entries, hiddenCount, truncated };
}

/** File systems that hold no user files (Linux /proc/mounts types). */
// prettier-ignore
const VIRTUAL_FS = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'cgroup', 'cgroup2', 'pstore', 'bpf', 'securityfs', 'debugfs',
  'tracefs', 'configfs', 'fusectl', 'mqueue', 'hugetlbfs', 'autofs', 'binfmt_misc', 'efivarfs', 'squashfs',
  'overlay', 'nsfs', 'ramfs', 'rpc_pipefs', 'selinuxfs', 'fuse.portal', 'fuse.gvfsd-fuse', 'nfsd',
]);
/** Mount points under these are system plumbing, not places people keep photos. */
const SYSTEM_MOUNTS = /^\/(proc|sys|dev|run(?!\/media)|boot|snap|var\/lib|usr|etc|tmp)(\/|$)/;

/** Mount points from a Linux mounts table (`/proc/self/mounts`), user-facing ones only. */
export function userMounts(mountsTable: string): string[] {
  const out: string[] = [];
  for (const line of mountsTable.split('\n')) {
    const [, rawPoint, type] = line.split(' ');
    if (!rawPoint || !type || VIRTUAL_FS.has(type) || type.startsWith('fuse.snap')) continue;
    // The table escapes spaces, tabs, newlines and backslashes as octal.
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (point === '/' || SYSTEM_MOUNTS.test(point) || out.includes(point)) continue;
    out.push(point);
  }
  return out;
}

/** The root, drives and mounted volumes, each once, the root first. */
export async function listDrives(platform: NodeJS.Platform = osPlatform()): Promise<FolderPlace[]> {
  if (platform === 'win32') {
    const letters = 'CDEFGHIJKLMNOPQRSTUVWXYZAB'.split('');
    const found = await Promise.all(letters.map(async (l) => ((await stat(`${l}:\\`).catch(() => null)) ? l : null)));
    return found.filter((l): l is string => l !== null).map((l) => ({ label: `${l}:`, path: `${l}:\\` }));
  }
  const drives: FolderPlace[] = [{ label: 'Computer', path: parse(homedir()).root || '/' }];
  let points: string[] = [];
  if (platform === 'darwin') {
    const volumes = await readdir('/Volumes').catch(() => [] as string[]);
    points = volumes.map((v) => join('/Volumes', v));
  } else {
    points = userMounts(await readFile('/proc/self/mounts', 'utf8').catch(() => ''));
  }
  for (const p of points) if ((await stat(p).catch(() => null))?.isDirectory()) drives.push({ label: basename(p) || p, path: p });
  return drives;
}

/** The folders holding the library's folders, newest addition first, each once, those that still exist. */
export async function recentPlaces(folders: readonly { path: string; addedAt: string }[], limit = 8): Promise<FolderPlace[]> {
  const parents: string[] = [];
  for (const f of [...folders].sort((a, b) => b.addedAt.localeCompare(a.addedAt))) {
    const p = dirname(f.path);
    if (p !== f.path && !parents.includes(p)) parents.push(p);
  }
  const out: FolderPlace[] = [];
  for (const p of parents) {
    if (out.length === limit) break;
    if ((await stat(p).catch(() => null))?.isDirectory()) out.push({ label: basename(p) || p, path: p });
  }
  return out;
}
