/**
 * @file Reads what is installed under the models folder: each `modelsDir/<id>` folder's manifest (an
 * InternVL bundle or a text embedder, any-manifest.ts), whether every listed file is present with its
 * size, and whether Shoebox verified it (see [Note: Verified installs] in bundle-files.ts).
 *
 * Runs in main. Synchronous on purpose: a bundle has about a dozen files, so a check is a dozen
 * `stat` calls, cheap enough to redo on every list and before every use so that files deleted or
 * truncated behind Shoebox's back are noticed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_ID, MAX_MANIFEST_BYTES, MAX_MANIFEST_LABEL, RESERVED_NAMES } from '../../native/bundle/manifest';
import { parseAnyManifest, type AnyManifest } from './any-manifest';
import { DOWNLOADS_DIR, hasValidMarker, resolveBundlePath } from './bundle-files';

/** One folder under modelsDir. */
export interface Installed {
  dir: string;
  manifest: AnyManifest | null;
  /** Why this folder cannot be used, or null when it is a verified, complete bundle. */
  problem: string | null;
}

/** Folder names under modelsDir that look like bundle ids (staging folders start with '.'). */
export function listInstalledIds(modelsDir: string): string[] {
  try {
    return readdirSync(modelsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && BUNDLE_ID.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Checks `modelsDir/<id>`; null when there is no such folder. */
export function inspectInstalled(modelsDir: string, id: string): Installed | null {
  const dir = path.join(modelsDir, id);
  if (!existsSync(dir)) return null;
  const manifestPath = path.join(dir, RESERVED_NAMES.manifest);
  let text: string;
  try {
    // Only a regular file within the manifest cap is read ([Note: One manifest check]).
    const st = lstatSync(manifestPath);
    if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) {
      return {
        dir,
        manifest: null,
        problem: `${manifestPath} is not a regular file of at most ${MAX_MANIFEST_LABEL}; delete the model and install it again`,
      };
    }
    text = readFileSync(manifestPath, 'utf8');
  } catch {
    return { dir, manifest: null, problem: `${dir} has no readable manifest.json; delete it and install the model again` };
  }
  let manifest: AnyManifest;
  try {
    manifest = parseAnyManifest(text, manifestPath);
  } catch (err) {
    return { dir, manifest: null, problem: (err as Error).message };
  }
  if (manifest.id !== id) return { dir, manifest, problem: `${dir} holds model "${manifest.id}"; the folder name must be its id` };
  for (const f of manifest.files) {
    let size: number;
    try {
      const st = lstatSync(resolveBundlePath(dir, f.path));
      size = st.isFile() ? st.size : -1;
    } catch {
      return { dir, manifest, problem: `file ${f.path} is missing; delete the model and install it again` };
    }
    if (size < 0) return { dir, manifest, problem: `${f.path} is not a regular file; delete the model and install it again` };
    if (size !== f.bytes) {
      return { dir, manifest, problem: `file ${f.path} has ${size} bytes instead of ${f.bytes}; delete the model and install it again` };
    }
  }
  if (!hasValidMarker(dir, text)) {
    return {
      dir,
      manifest,
      problem: `${dir} was not verified by Shoebox (copied in by hand, or its manifest.json was edited after install); move it out of the models folder and import it instead`,
    };
  }
  return { dir, manifest, problem: null };
}

/** Ids with an unfinished download under `modelsDir/.downloads/` (see [Note: Download staging]). */
export function listStagedIds(modelsDir: string): string[] {
  return listInstalledIds(path.join(modelsDir, DOWNLOADS_DIR));
}

/**
 * Bytes already on disk for an unfinished download of `id`, and the bundle's total from the remote
 * manifest kept there (0 when unknown); null when nothing is staged.
 */
export function inspectStaged(modelsDir: string, id: string): { received: number; total: number } | null {
  const dir = path.join(modelsDir, DOWNLOADS_DIR, id);
  if (!existsSync(dir)) return null;
  let total = 0;
  let received = 0;
  try {
    const remote = JSON.parse(readFileSync(path.join(dir, '.remote-manifest.json'), 'utf8')) as {
      files?: { path?: unknown; bytes?: unknown }[];
    };
    for (const f of remote.files ?? []) {
      if (typeof f.path !== 'string' || typeof f.bytes !== 'number') continue;
      total += f.bytes;
      let abs: string;
      try {
        abs = resolveBundlePath(dir, f.path);
      } catch {
        continue;
      }
      const size = fileSize(abs) ?? fileSize(abs + '.part') ?? 0;
      received += Math.min(size, f.bytes);
    }
  } catch {
    // No readable remote manifest: the download stopped before it got one.
  }
  return { received, total };
}

function fileSize(p: string): number | null {
  try {
    return statSync(p).size;
  } catch {
    return null;
  }
}
