/**
 * @file Validation of a folder the user adds: it must be a full path (or start with `~`), exist, be a
 * readable directory, and not be, contain or sit inside a folder already in the library (overlapping
 * roots would index files twice).
 *
 * Runs in main.
 */
import { constants as fsc } from 'node:fs';
import { access, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { ApiError } from '../../preload/api-error';
import { absoluteUserPath, requireFolder } from './user-path';

/**
 * Resolves `input` to the real path to store, or throws an ApiError saying what is wrong with it. A
 * relative path is refused, never resolved against the program's folder ([Note: Folder browser]).
 */
export async function checkNewRoot(input: string, existing: readonly { path: string }[]): Promise<string> {
  const abs = absoluteUserPath(input);
  await requireFolder(abs);
  try {
    await access(abs, fsc.R_OK | fsc.X_OK);
  } catch {
    throw new ApiError('bad-argument', `${abs} cannot be read (permission denied)`);
  }
  const real = await realpath(abs);
  for (const f of existing) {
    const a = f.path.endsWith(sep) ? f.path : f.path + sep;
    const b = real.endsWith(sep) ? real : real + sep;
    if (a === b) throw new ApiError('conflict', `${real} is already in the library`);
    if (b.startsWith(a)) throw new ApiError('conflict', `${real} is inside ${f.path}, which is already in the library`);
    if (a.startsWith(b))
      throw new ApiError('conflict', `${real} contains ${f.path}, which is already in the library; remove that one first`);
  }
  return real;
}
