/**
 * @file Which XMP sidecar belongs to an original: its name under each naming setting, the existing
 * sidecar to merge into (found case-insensitively), and who owns a basename sidecar that two originals
 * would share.
 *
 * Runs in main; pure (the caller lists the folder once and passes the names in).
 *
 * [Note: XMP sidecar naming] Two conventions exist and neither reads the other's files:
 * - 'basename': `IMG_0001.CR2` → `IMG_0001.xmp` (Lightroom, Camera Raw, Capture One, digiKam's
 *   "commercial programs" option). The default.
 * - 'fullname': `IMG_0001.CR2` → `IMG_0001.CR2.xmp` (darktable, digiKam's default).
 * The setting decides; a sidecar of the other convention is neither read nor migrated. An existing
 * sidecar is found whatever its case (`IMG_0001.XMP`, `img_0001.xmp`, written by Windows or a camera
 * card) and is merged under its own name, so no second sidecar appears next to it on a case-sensitive
 * disk. Names are compared after Unicode NFC normalisation (macOS stores names decomposed). When a
 * case-sensitive folder holds two spellings of the sidecar and neither is the exact one, we cannot know
 * which the user's tools read: that original is skipped with both names in the reason.
 *
 * [Note: Basename sidecar collisions] In 'basename' mode `IMG_0001.jpg` and `IMG_0001.cr2` side by side
 * both map to `IMG_0001.xmp`. Lightroom's convention is one sidecar per raw (a raw+JPEG pair's JPEG
 * keeps its metadata inside the file), so the raw owns the shared sidecar: its caption and tags are
 * written there, and the JPEG is skipped with a reason that names the raw and points at 'fullname'
 * naming. Merging both photos into one sidecar would give the raw the JPEG's caption (they are often
 * different photos after an edit, and our captions differ anyway). When no original, or more than one,
 * is a raw (`IMG_0001.jpg` + `IMG_0001.png`, `x.cr2` + `x.dng`) there is no owner: every one of them is
 * skipped, since any choice would put one photo's words on the other. The rule looks at the folder's
 * files, not only at the photos in the request, so writing only the JPEG of a pair never lands in the
 * raw's sidecar.
 */
import { formatOf } from '../library/formats';

/** How sidecars are named: see [Note: XMP sidecar naming]. */
export type SidecarNaming = 'basename' | 'fullname';

/** The name used to compare file names: case and Unicode normalisation do not matter. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The file name without its last extension (`IMG_0001.CR2` → `IMG_0001`; `README` stays). */
export function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The sidecar file name for an original's file name under a naming setting. */
export function sidecarName(originalName: string, naming: SidecarNaming): string {
  return naming === 'fullname' ? `${originalName}.xmp` : `${stemOf(originalName)}.xmp`;
}

/**
 * A folder's file names, indexed by case-insensitive name and by stem, so that a folder of 10,000
 * photos is not scanned once per photo. Names added as sidecars are created stay in the index.
 */
export class FolderListing {
  private readonly names = new Set<string>();
  private readonly byKey = new Map<string, string[]>();
  private readonly byStem = new Map<string, string[]>();

  constructor(entries: Iterable<string>) {
    for (const e of entries) this.add(e);
  }

  add(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    const push = (map: Map<string, string[]>, key: string) => map.set(key, [...(map.get(key) ?? []), name]);
    push(this.byKey, nameKey(name));
    if (formatOf(name)) push(this.byStem, nameKey(stemOf(name)));
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Names equal to `name` ignoring case and Unicode normalisation. */
  matching(name: string): readonly string[] {
    return this.byKey.get(nameKey(name)) ?? [];
  }

  /** Files Shoebox indexes (photo, raw or video extensions) whose stem is `stem`, any case. */
  withStem(stem: string): readonly string[] {
    return this.byStem.get(nameKey(stem)) ?? [];
  }
}

/** The sidecar already in the folder, if any: see [Note: XMP sidecar naming]. */
export type SidecarLookup = { kind: 'none' } | { kind: 'found'; name: string } | { kind: 'ambiguous'; names: string[] };

/** Finds the existing sidecar named `wanted` in a folder, whatever its case. */
export function findSidecar(folder: FolderListing, wanted: string): SidecarLookup {
  if (folder.has(wanted)) return { kind: 'found', name: wanted };
  const matches = folder.matching(wanted);
  if (matches.length === 0) return { kind: 'none' };
  if (matches.length === 1) return { kind: 'found', name: matches[0]! };
  return { kind: 'ambiguous', names: [...matches].sort() };
}

/** Who may write a basename sidecar: see [Note: Basename sidecar collisions]. */
export type SidecarOwnership = { owner: true } | { owner: false; reason: string };

/**
 * Whether `originalName` (its name as listed on disk) owns its basename sidecar in its folder.
 * Siblings are the files Shoebox indexes with the same stem, any case.
 */
export function basenameOwnership(folder: FolderListing, originalName: string): SidecarOwnership {
  // Exact names: on a case-sensitive disk `IMG.jpg` and `img.JPG` are two photos.
  const claimants = new Set<string>([originalName, ...folder.withStem(stemOf(originalName))]);
  if (claimants.size === 1) return { owner: true };
  const raws = [...claimants].filter((n) => formatOf(n)?.kind === 'raw');
  const sidecar = sidecarName(originalName, 'basename');
  if (raws.length === 1) {
    if (raws[0] === originalName) return { owner: true };
    return {
      owner: false,
      reason: `${sidecar} belongs to the raw file ${raws[0]!} beside it; use 'fullname' sidecar naming to give ${originalName} its own`,
    };
  }
  const others = [...claimants].filter((n) => n !== originalName).sort();
  return {
    owner: false,
    reason: `${sidecar} would be shared with ${others.join(', ')}; use 'fullname' sidecar naming to give each file its own`,
  };
}
