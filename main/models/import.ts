/**
 * @file Imports a bundle folder from anywhere on disk into `modelsDir/<id>`: checks the manifest
 * schema and that every listed file is present with its size, then copies each file while hashing it
 * and compares with the manifest's sha256, and installs the copy with one rename.
 *
 * Runs in main (streamed async I/O). The source folder is only read, never changed.
 *
 * [Note: Import copies] Import copies instead of hard-linking: a hard link would share the inode
 * with the user's folder, so editing or re-exporting there would silently change an installed,
 * "verified" model. One streamed pass both copies and hashes, so the bytes verified are the bytes
 * installed. The copy lives in `modelsDir/.imports/` until it is complete (see
 * [Note: Download staging] for the same idea on the download side).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleError, readManifestFile, RESERVED_NAMES } from '../../native/bundle/manifest';
import { loadAnyBundle, type AnyManifest } from './any-manifest';
import type { Log } from '../log';
import {
  DiskFullError,
  IMPORTS_DIR,
  copyVerified,
  ensureFreeSpace,
  isInside,
  resolveBundlePath,
  writeVerifiedMarker,
} from './bundle-files';
import { selectVariants } from './variant-select';

/**
 * Why an import failed: the path is not a folder outside the models folder, the manifest is invalid
 * (ids, paths, schema) or over the size cap, a listed path is not a regular file (symlink, FIFO,
 * socket, device), a file is missing or does not match the manifest, the id is taken, the disk is
 * full, or the user cancelled.
 */
export type ImportErrorCode =
  'bad-path' | 'bad-manifest' | 'too-large' | 'not-regular-file' | 'invalid' | 'exists' | 'disk-full' | 'cancelled';

/** A failed import, with a message that names the folder or file and what is wrong. */
export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Options of {@link importBundle}. */
export interface ImportOptions {
  /** The folder to import (absolute, or relative to the process's working directory). */
  src: string;
  modelsDir: string;
  log: Log;
  variants?: readonly string[];
  signal?: AbortSignal;
  /** Bytes copied so far and the total. */
  onProgress?: (copied: number, total: number) => void;
  /** Called once the folder checked out, before anything is copied; throwing aborts the import. */
  onStart?: (manifest: AnyManifest, total: number) => void;
}

/** The import error for a {@link BundleError} (or any other failure) while checking or copying `src`. */
function importError(err: unknown, prefix: string): ImportError {
  if (err instanceof ImportError) return err;
  const code = err instanceof BundleError && err.code !== 'missing-file' && err.code !== 'bad-file' ? err.code : 'invalid';
  return new ImportError(code, `${prefix}: ${(err as Error).message}`);
}

/**
 * Checks a bundle folder without copying it: an InternVL bundle or a text embedder (any-manifest.ts),
 * manifest schema (ids and paths, see [Note: One manifest check]), every listed file a regular file with
 * its size. Returns the manifest and its exact text (the text installed).
 */
export async function inspectBundleFolder(src: string): Promise<{ manifest: AnyManifest; manifestText: string }> {
  const dir = path.resolve(src);
  const st = await stat(dir).catch(() => null);
  if (!st) throw new ImportError('bad-path', `${dir} does not exist`);
  if (!st.isDirectory()) throw new ImportError('bad-path', `${dir} is not a folder; choose the folder that holds manifest.json`);
  try {
    // The same guarded read as loadBundle's (regular file, size cap: [Note: One manifest check]).
    const manifestText = await readManifestFile(path.join(dir, RESERVED_NAMES.manifest));
    return { manifest: await loadAnyBundle(dir, manifestText), manifestText };
  } catch (err) {
    throw importError(err, `${dir} is not a valid model bundle`);
  }
}

/** Imports the bundle at `src`; resolves with the installed folder and its manifest. */
export async function importBundle(opts: ImportOptions): Promise<{ dir: string; manifest: AnyManifest }> {
  const src = path.resolve(opts.src);
  const modelsDir = path.resolve(opts.modelsDir);
  if (src === modelsDir || isInside(modelsDir, src)) {
    throw new ImportError('bad-path', `${src} is inside the models folder already; import a folder from elsewhere`);
  }
  // The manifest text checked here is the one installed: it is not read again.
  const { manifest, manifestText } = await inspectBundleFolder(src);
  let selection: ReturnType<typeof selectVariants>;
  try {
    selection = selectVariants(manifest, opts.variants);
  } catch (err) {
    throw new ImportError('invalid', `${src}: ${(err as Error).message}`);
  }
  const finalDir = path.join(modelsDir, manifest.id);
  if (existsSync(finalDir)) {
    throw new ImportError('exists', `a model with id ${manifest.id} is already installed; delete it first to replace it`);
  }
  const total = selection.files.reduce((a, f) => a + f.bytes, 0);
  opts.onStart?.(manifest, total);
  await mkdir(path.join(modelsDir, IMPORTS_DIR), { recursive: true });
  try {
    ensureFreeSpace(modelsDir, total);
  } catch (err) {
    throw new ImportError('disk-full', (err as Error).message);
  }

  const staging = path.join(modelsDir, IMPORTS_DIR, `${manifest.id}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  let copied = 0;
  try {
    opts.onProgress?.(0, total);
    for (const f of selection.files) {
      if (opts.signal?.aborted) throw new ImportError('cancelled', 'import cancelled');
      try {
        await copyVerified(
          resolveBundlePath(src, f.path),
          resolveBundlePath(staging, f.path),
          f,
          (n) => {
            copied += n;
            opts.onProgress?.(copied, total);
          },
          opts.signal,
        );
      } catch (err) {
        if (err instanceof DiskFullError) throw new ImportError('disk-full', err.message);
        if (opts.signal?.aborted) throw new ImportError('cancelled', 'import cancelled');
        throw importError(err, `cannot import ${src}`);
      }
    }
    const localText = selection.files.length === manifest.files.length ? manifestText : JSON.stringify(selection.manifest, null, 2) + '\n';
    await writeFile(path.join(staging, RESERVED_NAMES.manifest), localText);
    const installed = await loadAnyBundle(staging, localText);
    await writeVerifiedMarker(staging, localText, { kind: 'import', from: src });
    if (existsSync(finalDir)) throw new ImportError('exists', `a model with id ${manifest.id} was installed meanwhile; delete it first`);
    await rename(staging, finalDir);
    opts.log.info(`imported model ${manifest.id}`, { from: src, dir: finalDir, bytes: total });
    return { dir: finalDir, manifest: installed };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
