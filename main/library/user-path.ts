/**
 * @file Turns a path a user typed in the app (a folder to add, a model to import, a folder to browse)
 * into an absolute path: `~` and `~/…` mean the home folder; a relative path is refused with a message
 * that says what to type instead. See [Note: Folder browser] in preload/contract/folders.ts.
 *
 * Runs in main. The CLI resolves its arguments against the shell's working folder before they get
 * here, which is what a relative path means on a command line; in the app there is no such folder, and
 * resolving against the program's own folder would add the wrong photos.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { ApiError } from '../../preload/api-error';

/** `input` as an absolute, normalised path (`~` expanded), or an ApiError('bad-argument') for a relative one. */
export function absoluteUserPath(input: string, home: string = homedir()): string {
  const p = input.trim();
  if (p === '~') return normalize(home);
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(home, p.slice(2));
  if (!isAbsolute(p)) {
    throw new ApiError(
      'bad-argument',
      `"${p}" is not a full path. Type a path that starts at the top of the disk (such as ${join(home, 'Pictures')}), or start with ~ for your home folder.`,
    );
  }
  return normalize(p);
}

/** Throws ApiError 'not-found' when nothing is at `abs`, 'bad-argument' when it is not a folder. */
export async function requireFolder(abs: string): Promise<void> {
  let s;
  try {
    s = await stat(abs);
  } catch {
    throw new ApiError('not-found', `${abs} does not exist`);
  }
  if (!s.isDirectory()) throw new ApiError('bad-argument', `${abs} is not a folder`);
}
