/**
 * @file Reads the manifest of either bundle family the model manager holds: an InternVL bundle
 * (native/bundle/manifest.ts) or a text embedder (native/bundle/embedder-manifest.ts), chosen by the
 * manifest's `family`, so that installed.ts lists both and a hub install of an embedder is checked
 * like any bundle before it is renamed into place.
 *
 * Runs in main. Both parsers are the families' own ([Note: One manifest check]); this only picks one.
 */
import { loadEmbedderBundle, parseEmbedderManifest, type EmbedderManifest } from '../../native/bundle/embedder-manifest';
import { loadBundle, parseManifest, type Manifest } from '../../native/bundle/manifest';

/** A parsed manifest of any family; `family` tells which. */
export type AnyManifest = Manifest | EmbedderManifest;

/** The `family` a manifest text claims, or undefined when it is not JSON or names none. */
function familyOf(text: string): unknown {
  try {
    return (JSON.parse(text) as { family?: unknown } | null)?.family;
  } catch {
    return undefined;
  }
}

/** Parses and validates manifest text by its family; throws the family parser's `BundleError`. */
export function parseAnyManifest(text: string, where = 'manifest.json'): AnyManifest {
  return familyOf(text) === 'text-embedder' ? parseEmbedderManifest(text, where) : parseManifest(text, where);
}

/** Reads and checks a bundle folder of any family (every listed file present with its size). */
export async function loadAnyBundle(dir: string, manifestText: string): Promise<AnyManifest> {
  return familyOf(manifestText) === 'text-embedder' ? (await loadEmbedderBundle(dir)).manifest : (await loadBundle(dir)).manifest;
}
