/**
 * @file Writes captions and tags into XMP sidecars next to originals, on an explicit user action
 * (a selection, a folder, `shoebox xmp write PATH`): finds or names each sidecar (sidecar-path.ts),
 * merges (xmp-merge.ts), writes atomically, and reports every file.
 *
 * Runs in main (the CLI and the API action call `writeSidecars`); knows nothing of Electron or the
 * database: the caller passes what to write.
 *
 * [Note: Sidecar writes never touch originals] The original is only `stat`ed, never opened. A sidecar is
 * written to a hidden temporary file in the same folder (`.NAME.xmp.<pid>.<random>.tmp`, which the
 * scanner ignores as a dotfile), flushed to disk, given the old sidecar's permissions, and renamed over
 * the old one, so a crash leaves either the old sidecar or the new one, never half of one. A sidecar that
 * is not valid XMP, not UTF-8, a link or not a file is left untouched and reported; so is one that
 * changed on disk while we merged. A sidecar whose content would not change is not rewritten (its mtime
 * stays, so Lightroom does not flag "metadata changed on disk"). Every item gets exactly one outcome.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { basenameOwnership, findSidecar, FolderListing, sidecarName, type SidecarNaming } from './sidecar-path';
import { mergeMarks, type XmpMarks } from './xmp-marks';
import { mergeXmp, NEW_SIDECAR, type SubjectMode } from './xmp-merge';

/** One original and what to write for it. */
export interface SidecarItem {
  /** Absolute path of the original photo (never written). */
  absPath: string;
  /** `null` leaves the sidecar's description as it is. */
  caption: string | null;
  tags: readonly string[];
  /** The user's rating and favourite ([Note: Ratings and favourites in XMP] in xmp-marks.ts); absent: left as they are. */
  marks?: XmpMarks;
}

export interface WriteSidecarsOptions {
  /** [Note: XMP sidecar naming]; default 'basename'. */
  naming?: SidecarNaming;
  /** [Note: What an XMP merge keeps]; default 'merge'. */
  subjects?: SubjectMode;
}

/** What happened to one item, in the order given. */
export type SidecarOutcome =
  | { absPath: string; status: 'written'; sidecarPath: string; created: boolean }
  | { absPath: string; status: 'unchanged'; sidecarPath: string }
  | { absPath: string; status: 'skipped'; sidecarPath: string | null; reason: string };

/** A file-system error as a user reads it. */
function describeError(err: unknown, doing: string): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'the disk is read-only'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : code === 'ENOENT'
            ? 'it does not exist'
            : err instanceof Error
              ? err.message
              : String(err);
  return `${doing}: ${why}`;
}

/**
 * Writes each item's caption and tags into its sidecar. Never throws for a file's problem: each item
 * gets one outcome (written, unchanged, or skipped with the reason).
 */
export async function writeSidecars(items: readonly SidecarItem[], options: WriteSidecarsOptions = {}): Promise<SidecarOutcome[]> {
  const naming = options.naming ?? 'basename';
  const mode = options.subjects ?? 'merge';
  const outcomes: SidecarOutcome[] = new Array<SidecarOutcome>(items.length);
  const byFolder = new Map<string, number[]>();
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (!isAbsolute(item.absPath)) {
      outcomes[i] = { absPath: item.absPath, status: 'skipped', sidecarPath: null, reason: 'not an absolute path' };
      return;
    }
    const path = resolve(item.absPath);
    if (seen.has(path)) {
      outcomes[i] = { absPath: item.absPath, status: 'skipped', sidecarPath: null, reason: 'listed more than once' };
      return;
    }
    seen.add(path);
    byFolder.set(dirname(path), [...(byFolder.get(dirname(path)) ?? []), i]);
  });

  for (const [folder, indexes] of byFolder) {
    let entries: FolderListing;
    try {
      entries = new FolderListing(await readdir(folder));
    } catch (err) {
      const reason = describeError(err, 'cannot list the folder');
      for (const i of indexes) outcomes[i] = { absPath: items[i]!.absPath, status: 'skipped', sidecarPath: null, reason };
      continue;
    }
    for (const i of indexes) outcomes[i] = await writeOne(items[i]!, folder, entries, naming, mode);
  }
  return outcomes;
}

/** Handles one original whose folder lists `entries` (updated when a sidecar is created). */
async function writeOne(
  item: SidecarItem,
  folder: string,
  entries: FolderListing,
  naming: SidecarNaming,
  mode: SubjectMode,
): Promise<SidecarOutcome> {
  const { absPath } = item;
  const skip = (reason: string, sidecarPath: string | null = null): SidecarOutcome => ({ absPath, status: 'skipped', sidecarPath, reason });
  try {
    if (!(await stat(absPath)).isFile()) return skip('the original is not a file');
  } catch (err) {
    return skip(describeError(err, 'cannot find the original'));
  }
  // On a case-insensitive disk the caller may spell the name differently from the folder listing.
  const given = basename(absPath);
  const spelled = entries.matching(given);
  const name = entries.has(given) || spelled.length !== 1 ? given : spelled[0]!;
  if (name.toLowerCase().endsWith('.xmp')) return skip('the file is itself an XMP sidecar');
  if (naming === 'basename') {
    const ownership = basenameOwnership(entries, name);
    if (!ownership.owner) return skip(ownership.reason);
  }
  const wanted = sidecarName(name, naming);
  const lookup = findSidecar(entries, wanted);
  if (lookup.kind === 'ambiguous') return skip(`several sidecars match ${wanted} (${lookup.names.join(', ')}); left them untouched`);
  const sidecarPath = join(folder, lookup.kind === 'found' ? lookup.name : wanted);

  let existing: string | null = null;
  let before: { mode: number; mtimeMs: number; size: number } | null = null;
  if (lookup.kind === 'found') {
    try {
      const st = await lstat(sidecarPath);
      if (!st.isFile()) return skip('the sidecar is a link or not a file; left untouched', sidecarPath);
      before = { mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, size: st.size };
      existing = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(sidecarPath));
    } catch (err) {
      if (err instanceof TypeError) return skip('the sidecar is not UTF-8 text; left untouched', sidecarPath);
      return skip(describeError(err, 'cannot read the sidecar'), sidecarPath);
    }
  }

  const described = mergeXmp(existing, { caption: item.caption, tags: item.tags }, mode);
  if (described.kind === 'refused') return skip(`the sidecar ${described.reason}; left untouched`, sidecarPath);
  const base = described.kind === 'changed' ? described.text : existing;
  const marked = item.marks ? mergeMarks(base ?? NEW_SIDECAR, item.marks) : ({ kind: 'unchanged' } as const);
  if (marked.kind === 'refused') return skip(`the sidecar ${marked.reason}; left untouched`, sidecarPath);
  const merged = marked.kind === 'changed' ? marked : described;
  switch (merged.kind) {
    case 'unchanged':
      return { absPath, status: 'unchanged', sidecarPath };
    case 'empty':
      return skip(item.marks ? 'no caption, tags, rating or favourite to write' : 'no caption or tags to write', sidecarPath);
    case 'changed':
      break;
  }

  const temp = join(folder, `.${basename(sidecarPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(merged.text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (before) {
      await chmod(temp, before.mode);
      const now = await lstat(sidecarPath).catch(() => null);
      if (!now || now.mtimeMs !== before.mtimeMs || now.size !== before.size) {
        await unlink(temp);
        return skip('the sidecar changed on disk while it was being merged; left untouched, try again', sidecarPath);
      }
    }
    await rename(temp, sidecarPath);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    return skip(describeError(err, 'cannot write the sidecar'), sidecarPath);
  }
  if (!before) entries.add(basename(sidecarPath));
  return { absPath, status: 'written', sidecarPath, created: before === null };
}
