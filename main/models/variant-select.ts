/**
 * @file Picks some of a bundle's variants: which files to fetch or copy, and the manifest that the
 * installed folder gets (the same manifest with the other variants and their exclusive files left
 * out, so `loadBundle` accepts the smaller folder).
 *
 * Runs in main. Pure; no I/O.
 */
import type { Manifest } from '../../native/bundle/manifest';
import type { VerifiedFile } from './bundle-files';

/**
 * What variant selection needs of a manifest, shared by both families: an InternVL variant names its
 * graphs by role, a text embedder's its one `model` graph (native/bundle/embedder-manifest.ts).
 */
export interface SelectableManifest {
  id: string;
  variants: Record<string, Record<string, string>>;
  files: Manifest['files'];
}

/** Result of {@link selectVariants}. */
export interface VariantSelection<M extends SelectableManifest = Manifest> {
  /** Manifest to write into the installed folder. */
  manifest: M;
  /** Files to fetch or copy, each with its required hash. */
  files: VerifiedFile[];
}

/**
 * Keeps the named variants (all when `wanted` is undefined or empty). Files not referenced by any
 * variant (tokenizer.json, configs) are always kept. Throws an Error for an unknown variant name or a
 * file without sha256. Paths were checked by `parseManifest` ([Note: One manifest check]).
 */
export function selectVariants<M extends SelectableManifest>(manifest: M, wanted?: readonly string[]): VariantSelection<M> {
  const all = Object.keys(manifest.variants);
  const keep = wanted === undefined || wanted.length === 0 ? all : [...new Set(wanted)];
  for (const v of keep) {
    if (!Object.hasOwn(manifest.variants, v)) {
      throw new Error(`bundle ${manifest.id} has no variant "${v}" (it has: ${all.join(', ')})`);
    }
  }
  const referenced = new Map<string, string>(); // path -> a variant using it
  for (const [name, graphs] of Object.entries(manifest.variants)) {
    for (const p of Object.values(graphs)) if (!referenced.has(p) || keep.includes(name)) referenced.set(p, name);
  }
  const files: VerifiedFile[] = [];
  for (const f of manifest.files) {
    const owner = referenced.get(f.path);
    if (owner !== undefined && !keep.includes(owner)) continue;
    if (f.sha256 === undefined) throw new Error(`manifest of ${manifest.id} lists no sha256 for ${f.path}`);
    files.push({ path: f.path, bytes: f.bytes, sha256: f.sha256 });
  }
  const kept = new Set(files.map((f) => f.path));
  const variants = Object.fromEntries(Object.entries(manifest.variants).filter(([name]) => keep.includes(name)));
  return { manifest: { ...manifest, variants, files: manifest.files.filter((f) => kept.has(f.path)) }, files };
}
