/**
 * @file Inter-process lock files holding the owner's pid, so the app, the CLI and the headless host
 * never write the same download or build staging folder at once, and a lock left by a killed process
 * is taken over.
 *
 * Runs in main (the CLI and the headless host too). Plain Node; no Electron.
 *
 * [Note: Breaking a stale lock] A lock is a file whose content is its owner's pid. It is created whole
 * and atomically: the pid is written to a private temporary file, which is then hard-linked to the
 * lock's name (`link` fails with EEXIST when the name exists, like O_EXCL), so no one ever reads a
 * half-written lock. A lock whose pid is gone is stale; removing it is the dangerous part: two
 * processes that both judged the same dead lock stale used to both remove "it", and the second removed
 * the live lock the first had just taken. So a stale lock is identified by its inode, and only the
 * process that creates the breaker `<lock>.break-<inode>` (the same atomic create) may unlink the
 * lock, after checking that the name still points at that inode. While the breaker exists nobody else
 * can remove or replace that inode (its owner is dead, every other breaker is refused), so the check
 * and the unlink cannot be separated by another process's move. A breaker left by a process killed in
 * the middle (a few system calls) is itself a stale lock and is broken the same way, one level up.
 * pid reuse can only make a stale lock look live (refused, never stolen). On a file system without
 * hard links (FAT, exFAT) the lock is an exclusive create written just after, and a racer that reads
 * it in that instant takes it for stale: the old race, narrowed to one write.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Raised when another live process holds a lock. */
export class LockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockedError';
  }
}

/** Breakers deep: a stale breaker of a stale breaker of a stale lock needs three kills at the worst instant. */
const MAX_BREAK_DEPTH = 3;
const ATTEMPTS = 20;

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in lock `file`: null when the file is gone, NaN when it holds no pid (stale: a lock is made whole). */
function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim() || NaN);
    return Number.isInteger(pid) && pid > 0 ? pid : NaN;
  } catch {
    return null; // gone
  }
}

/** The pid of the live process holding lock `file`, or null when it is free or stale. */
export function lockHolder(file: string): number | null {
  const pid = readPid(file);
  return pid !== null && !isStale(pid) ? pid : null;
}

const isStale = (pid: number) => Number.isNaN(pid) || !pidAlive(pid);

/** Inode of `file` as a string (bigint: exact on every platform), or null when it does not exist. */
async function inodeOf(file: string): Promise<string | null> {
  try {
    return String((await stat(file, { bigint: true })).ino);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Creates `file` holding this pid, atomically. Resolves with its inode, or null when the file exists. */
async function createWhole(file: string): Promise<string | null> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, String(process.pid), { flag: 'wx' });
  try {
    await link(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return null;
    // A file system without hard links (FAT, exFAT): an exclusive create, written after (an empty lock reads as stale).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return null;
      throw e;
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
  return inodeOf(file);
}

/** Unlinks `file` only if it is still inode `ino` (best effort: for our own lock, which nobody else removes). */
async function unlinkIfSame(file: string, ino: string): Promise<void> {
  if ((await inodeOf(file)) === ino) await unlink(file).catch(() => {});
}

/**
 * Removes lock `file` if it is still the stale lock `ino` ([Note: Breaking a stale lock]). Resolves
 * false when someone else is breaking it right now (try again shortly), true otherwise.
 */
async function breakStale(file: string, ino: string, depth: number): Promise<boolean> {
  const breaker = `${file}.break-${ino}`;
  const mine = await createWhole(breaker);
  if (mine !== null) {
    try {
      // Under the breaker, inode `ino` can leave `file` only through us: check, then unlink.
      if ((await inodeOf(file)) === ino) {
        const pid = readPid(file);
        if (pid !== null && isStale(pid) && (await inodeOf(file)) === ino) await unlink(file);
      }
    } finally {
      await unlinkIfSame(breaker, mine);
    }
    return true;
  }
  const pid = readPid(breaker);
  if (pid === null) return true; // the other breaker is done
  if (!isStale(pid)) return false;
  const bIno = await inodeOf(breaker);
  if (bIno === null) return true;
  if (depth + 1 >= MAX_BREAK_DEPTH)
    throw new LockedError(
      `cannot break the stale lock ${file}: remove ${file} and the files beside it named ${path.basename(file)}.break-*`,
    );
  await breakStale(breaker, bIno, depth + 1);
  return false;
}

/**
 * Takes an exclusive lock file holding this process's pid ([Note: Breaking a stale lock]). A lock
 * whose process is gone is taken over. Resolves with the release function; throws
 * {@link LockedError} while a live process (this one included) holds it. `what` and `doing` word that
 * message: "model internvl3-1b is already being downloaded by another Shoebox process (pid 42)".
 */
export async function acquireLock(file: string, what: string, doing = 'downloaded'): Promise<() => Promise<void>> {
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const ino = await createWhole(file);
    if (ino !== null) return () => unlinkIfSame(file, ino);
    const held = await inodeOf(file);
    const pid = readPid(file);
    if (pid === null || held === null) continue; // released meanwhile: try again
    if (!isStale(pid)) {
      throw new LockedError(
        `${what} is already being ${doing} by ${pid === process.pid ? 'this' : 'another'} Shoebox process (pid ${pid})`,
      );
    }
    // breakStale re-checks, under its breaker, that `held` is still the lock's inode and still stale.
    if (!(await breakStale(file, held, 0))) await new Promise((r) => setTimeout(r, 5 + attempt * 5));
  }
  throw new LockedError(`cannot take the lock ${file}: it keeps changing hands`);
}

/** Removes lock `file` when it is stale (its process is gone); a live lock is left alone. */
export async function clearStaleLock(file: string): Promise<void> {
  const ino = await inodeOf(file);
  const pid = readPid(file);
  if (pid !== null && ino !== null && isStale(pid)) await breakStale(file, ino, 0);
}
