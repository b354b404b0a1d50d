/**
 * @file Model bundle manifest: the zod schema of `manifest.json` (schema 1, see
 * `native/export/BUNDLE-SPEC.md`) and {@link loadBundle}, which checks a bundle folder before any
 * session is created.
 *
 * Runs in the inference worker and in main (the model manager imports it to verify installs), so it
 * must not import onnxruntime. Graph-level checks (input/output names and dims against the manifest)
 * live in `native/bundle/graph-check.ts`, which reads the ONNX headers without onnxruntime.
 *
 * [Note: One manifest check] Every manifest Shoebox reads, whether downloaded (main/models/download.ts),
 * imported (main/models/import.ts), found installed (main/models/installed.ts) or loaded by the
 * worker, goes through {@link parseManifest}, and that is the only place ids and file lists are
 * judged: the id is a {@link BUNDLE_ID} slug (it becomes a folder name under the models folder),
 * and every file path is plain, relative and normalised, is listed once (case- and Unicode-form-
 * insensitively, as macOS and Windows compare names), is not also a folder of another path, and
 * takes none of the {@link RESERVED_NAMES}. Callers may then join paths without re-checking them.
 * A bundle folder holds only regular files and folders: {@link loadBundle} refuses a symlink,
 * FIFO, socket or device by `lstat` before anything is opened, and {@link openRegularFile} opens
 * without following links or blocking on a FIFO, so no read can escape or hang.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * What a bundle id may look like: it names the bundle's folder under the models folder, so it is a
 * lowercase slug that neither starts nor ends with '.', '_' or '-' (no `.downloads`, `.`, `..`, and
 * no trailing dot, which Windows strips), at most 128 characters.
 */
export const BUNDLE_ID = /^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$/;
/** {@link BUNDLE_ID} in words, for error messages. */
export const BUNDLE_ID_RULE =
  "lowercase letters, digits, '.', '_' and '-', starting and ending with a letter or digit, at most 128 characters";

/**
 * Names Shoebox itself writes inside a bundle folder or its download staging folder (see
 * [Note: Download staging] and [Note: Verified installs] in main/models), so a manifest may not list
 * them: the manifest file, the marker of a verified install, and the remote manifest kept while
 * downloading. Compared case-insensitively, at the top of the bundle.
 */
export const RESERVED_NAMES = {
  manifest: 'manifest.json',
  verifiedMarker: '.shoebox-verified.json',
  remoteManifest: '.remote-manifest.json',
  /** The build's accuracy check of each variant ([Note: Variant accuracy check] in main/models/build/variant-check.ts). */
  variantCheck: '.shoebox-variant-check.json',
  /** The worker's memory measured with each variant loaded ([Note: Measured memory is kept beside the bundle] in main/inference/variant-memory.ts). */
  variantMemory: '.shoebox-variant-memory.json',
} as const;
/** Suffix of a file being downloaded (`<path>.part`); no listed path may end with it. */
export const PART_SUFFIX = '.part';
/** The largest manifest.json Shoebox reads (a real one is a few KB); anything bigger is refused unread. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** {@link MAX_MANIFEST_BYTES} in words. */
export const MAX_MANIFEST_LABEL = '1 MiB';
/** Longest path segment a manifest may list (file systems allow 255 bytes; `.part` must still fit). */
const MAX_SEGMENT = 200;

/**
 * Why `rel` cannot be a manifest path, or null when it is a plain relative path inside the bundle:
 * forward slashes, no empty, `.` or `..` segment, not absolute, no backslash, `:` or control character
 * (a Windows drive or stream), no segment over 200 characters, no reserved name (see [Note: One
 * manifest check]).
 */
export function bundlePathProblem(rel: string): string | null {
  const segments = rel.split('/');
  if (segments.includes('..')) return 'points outside the bundle';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (rel.length === 0 || path.posix.isAbsolute(rel) || /[\\:\x00-\x1f\x7f]/.test(rel) || segments.some((s) => s === '' || s === '.')) {
    return 'is not a plain relative path inside the bundle';
  }
  if (segments.some((s) => s.length > MAX_SEGMENT)) return `has a name longer than ${MAX_SEGMENT} characters`;
  const lower = rel.toLowerCase();
  if (lower.endsWith(PART_SUFFIX)) return `ends with ${PART_SUFFIX}, the suffix Shoebox gives files while they download`;
  if (Object.values(RESERVED_NAMES).some((n) => n === lower)) return 'is a name Shoebox reserves for its own files';
  return null;
}

function checkPathIssue(rel: string, ctx: z.RefinementCtx): void {
  const problem = bundlePathProblem(rel);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(rel)} ${problem}` });
}

/** How two paths compare on a case-insensitive, normalising file system (macOS, Windows). */
const sameFileKey = (rel: string) => rel.normalize('NFC').toLowerCase();

/** Each path listed once (as macOS and Windows see names), and no path is also another's folder. */
function checkFileListIssues(files: readonly { path: string }[], ctx: z.RefinementCtx): void {
  const firstAt = new Map<string, number>();
  files.forEach((f, i) => {
    if (!firstAt.has(sameFileKey(f.path))) firstAt.set(sameFileKey(f.path), i);
  });
  const issue = (i: number, message: string) => ctx.addIssue({ code: 'custom', path: [i, 'path'], message });
  files.forEach((f, i) => {
    const key = sameFileKey(f.path);
    const first = firstAt.get(key) ?? i;
    if (first !== i) {
      issue(
        i,
        `${JSON.stringify(f.path)} is listed twice (also as files.${first}, ${JSON.stringify(files[first]?.path)}; names that differ only in case or Unicode form are one file on macOS and Windows)`,
      );
    }
    const segments = key.split('/');
    for (let n = 1; n < segments.length; n++) {
      const at = firstAt.get(segments.slice(0, n).join('/'));
      if (at !== undefined)
        issue(i, `${JSON.stringify(f.path)} needs a folder where files.${at} is the file ${JSON.stringify(files[at]?.path)}`);
    }
  });
}

const tokenId = z.number().int().nonnegative();

/**
 * The `files` list every bundle family shares (BUNDLE-SPEC.md): plain relative paths, each listed once,
 * with byte size and optional sha256; see [Note: One manifest check].
 */
export const bundleFilesSchema = z
  .array(
    z.object({
      path: z.string().min(1).superRefine(checkPathIssue),
      bytes: z.number().int().nonnegative(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    }),
  )
  .superRefine(checkFileListIssues);

/** zod schema of manifest.json, schema 1. */
export const manifestSchema = z.object({
  schema: z.literal(1),
  id: z.string().regex(BUNDLE_ID, `id must match ${BUNDLE_ID.source} (${BUNDLE_ID_RULE})`),
  name: z.string().min(1),
  family: z.literal('internvl'),
  version: z.string().min(1),
  source: z.string().min(1),
  random_weights: z.boolean(),
  template: z.literal('internvl2_5'),
  system_message: z.string().nullable().optional(),
  image: z.object({
    size: z.number().int().positive(),
    patch_size: z.number().int().positive(),
    downsample_ratio: z.number().positive(),
    num_image_token: z.number().int().positive(),
    min_tiles: z.number().int().positive(),
    max_tiles: z.number().int().positive(),
    use_thumbnail: z.boolean(),
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  tokens: z.object({
    img_start: tokenId,
    img_end: tokenId,
    img_context: tokenId,
    im_start: tokenId,
    im_end: tokenId,
    eos: z.array(tokenId).min(1),
    pad: tokenId,
    bos: tokenId.nullable(),
  }),
  llm: z.object({
    hidden_size: z.number().int().positive(),
    num_layers: z.number().int().positive(),
    num_attention_heads: z.number().int().positive(),
    num_kv_heads: z.number().int().positive(),
    head_dim: z.number().int().positive(),
    vocab_size: z.number().int().positive(),
    max_position_embeddings: z.number().int().positive(),
  }),
  variants: z.record(
    z.string(),
    z.object({
      vision_encoder: z.string().min(1),
      embed_tokens: z.string().min(1),
      decoder_model_merged: z.string().min(1),
    }),
  ),
  files: bundleFilesSchema,
});

/** A parsed manifest. */
export type Manifest = z.infer<typeof manifestSchema>;
/** The three graph roles of a variant. */
export type GraphRole = 'vision_encoder' | 'embed_tokens' | 'decoder_model_merged';
/** Graph roles in load order. */
export const GRAPH_ROLES: readonly GraphRole[] = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];

/** A bundle whose files were checked. */
export interface Bundle {
  dir: string;
  manifest: Manifest;
  /** manifest.json as read and checked (what an import installs). */
  manifestText: string;
  tokenizerPath: string;
  /** Absolute graph paths per variant. */
  variants: Record<string, Record<GraphRole, string>>;
}

/** Options of {@link loadBundle}. */
export interface LoadBundleOptions {
  /** Hash every file and compare with the manifest (slow for large bundles). */
  verifySha256?: boolean;
}

/**
 * What kind of bundle problem: the manifest itself (schema, ids, paths), a manifest.json over
 * {@link MAX_MANIFEST_BYTES}, a listed path that is not a regular file (symlink, FIFO, socket,
 * device), a listed file that is missing, or a file or graph whose content is wrong.
 */
export type BundleErrorCode = 'bad-manifest' | 'too-large' | 'not-regular-file' | 'missing-file' | 'bad-file';

/** Raised for every problem with a bundle; `message` names the file and what is wrong. */
export class BundleError extends Error {
  constructor(
    message: string,
    readonly code: BundleErrorCode = 'bad-file',
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Joins a path that {@link parseManifest} accepted onto the bundle folder. */
function resolveInside(dir: string, rel: string): string {
  return path.join(dir, ...rel.split('/'));
}

/** "a FIFO (named pipe)", "a symbolic link", …: what a non-regular file is, for messages. */
function describeKind(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

const notRegular = (what: string, st: Stats, wanted: 'file' | 'folder') =>
  new BundleError(
    `${what} is ${describeKind(st)}, not a regular ${wanted}; a model bundle may hold only regular files and folders (copy the real file in its place)`,
    'not-regular-file',
  );

/**
 * Checks with `lstat`, without opening anything, that `rel` is a regular file under `dir` reached
 * through real folders only (no symlink anywhere below `dir`); returns its stats. Throws
 * {@link BundleError} `missing-file` or `not-regular-file`.
 */
export async function lstatRegularFile(dir: string, rel: string): Promise<Stats> {
  const segments = rel.split('/');
  let at = dir;
  for (const [i, segment] of segments.entries()) {
    at = path.join(at, segment);
    const last = i === segments.length - 1;
    const st = await lstat(at).catch(() => null);
    if (!st) throw new BundleError(`model file missing: ${rel} (in ${dir})`, 'missing-file');
    if (last ? !st.isFile() : !st.isDirectory()) {
      throw notRegular(
        last ? `${rel} (in ${dir})` : `${segments.slice(0, i + 1).join('/')} (in ${dir}, on the way to ${rel})`,
        st,
        last ? 'file' : 'folder',
      );
    }
    if (last) return st;
  }
  throw new BundleError(`model file missing: ${rel} (in ${dir})`, 'missing-file');
}

/**
 * Opens `file` for reading only if it is a regular file: a symlink is not followed (O_NOFOLLOW) and a
 * FIFO does not block the open (O_NONBLOCK), then `fstat` decides, so a file swapped after an `lstat`
 * check cannot hang or redirect the read. Throws {@link BundleError} `not-regular-file` or `missing-file`.
 */
export async function openRegularFile(file: string): Promise<FileHandle> {
  // Both flags are 0 where the platform lacks them (Windows opens neither links nor FIFOs this way).
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let fh: FileHandle;
  try {
    fh = await open(file, flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const st = code === 'ELOOP' || code === 'EMLINK' ? await lstat(file).catch(() => null) : null;
    if (st) throw notRegular(file, st, 'file');
    if (code === 'ENOENT') throw new BundleError(`${file} is missing`, 'missing-file');
    throw new BundleError(`cannot read ${file}: ${code ?? (e as Error).message}`);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw notRegular(file, st, 'file');
  }
  return fh;
}

/**
 * Reads a manifest (or any JSON Shoebox keeps beside a bundle) from disk: a regular file of at most
 * {@link MAX_MANIFEST_BYTES}, refused unread when bigger. Throws {@link BundleError}.
 */
export async function readManifestFile(file: string): Promise<string> {
  let fh: FileHandle;
  try {
    fh = await openRegularFile(file);
  } catch (e) {
    if (!(e instanceof BundleError) || e.code === 'not-regular-file') throw e;
    throw new BundleError(e.code === 'missing-file' ? `cannot read ${file}: ENOENT` : e.message, 'bad-manifest');
  }
  const tooLarge = () => new BundleError(`${file} is larger than ${MAX_MANIFEST_LABEL}; a bundle manifest is a few KB`, 'too-large');
  try {
    if ((await fh.stat()).size > MAX_MANIFEST_BYTES) throw tooLarge();
    // One byte more than allowed tells a file that grew after fstat from one exactly at the cap.
    const buf = Buffer.alloc(MAX_MANIFEST_BYTES + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = (await fh.read(buf, n, buf.length - n, n)).bytesRead;
    if (n > MAX_MANIFEST_BYTES) throw tooLarge();
    return buf.subarray(0, n).toString('utf8');
  } finally {
    await fh.close();
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Parses and validates manifest text; throws {@link BundleError} with every zod issue listed. */
export function parseManifest(text: string, where = 'manifest.json'): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BundleError(`${where} is not valid JSON: ${(e as Error).message}`, 'bad-manifest');
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BundleError(`${where} is invalid: ${issues}`, 'bad-manifest');
  }
  const m = parsed.data;
  if (m.llm.hidden_size <= 0 || m.llm.num_attention_heads % m.llm.num_kv_heads !== 0) {
    throw new BundleError(`${where}: num_attention_heads must be a multiple of num_kv_heads`, 'bad-manifest');
  }
  const grid = m.image.size / m.image.patch_size;
  const expectTokens = Math.round(grid * grid * m.image.downsample_ratio * m.image.downsample_ratio);
  if (!Number.isInteger(grid) || expectTokens !== m.image.num_image_token) {
    throw new BundleError(
      `${where}: image.num_image_token ${m.image.num_image_token} disagrees with size/patch/downsample (${expectTokens})`,
      'bad-manifest',
    );
  }
  if (m.image.min_tiles > m.image.max_tiles) throw new BundleError(`${where}: image.min_tiles > image.max_tiles`, 'bad-manifest');
  return m;
}

/**
 * Checks that every listed file is a regular file under `dir` with the listed byte size (and sha256 when
 * asked). Throws {@link BundleError} naming the first problem; shared by every bundle family.
 */
export async function checkListedFiles(
  dir: string,
  files: z.infer<typeof bundleFilesSchema>,
  options: LoadBundleOptions = {},
): Promise<void> {
  for (const f of files) {
    const { size } = await lstatRegularFile(dir, f.path);
    if (size !== f.bytes) {
      throw new BundleError(`model file ${f.path} has ${size} bytes, manifest says ${f.bytes} (truncated or corrupt)`);
    }
    if (options.verifySha256 === true) {
      if (f.sha256 === undefined) throw new BundleError(`manifest lists no sha256 for ${f.path}`, 'bad-manifest');
      const got = await sha256File(resolveInside(dir, f.path));
      if (got !== f.sha256) throw new BundleError(`model file ${f.path} fails its sha256 check (corrupt)`);
    }
  }
}

/** Joins a path that passed {@link bundleFilesSchema} onto the bundle folder. */
export function bundlePath(dir: string, rel: string): string {
  return resolveInside(dir, rel);
}

/**
 * Reads and checks a bundle folder: manifest schema, every listed file present with the listed byte
 * size (and sha256 when asked), every variant's graphs and `tokenizer.json` listed.
 * Throws {@link BundleError} naming the first problem found.
 */
export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<Bundle> {
  const manifestPath = path.join(dir, RESERVED_NAMES.manifest);
  const manifestText = await readManifestFile(manifestPath);
  const manifest = parseManifest(manifestText, manifestPath);
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  await checkListedFiles(dir, manifest.files, options);
  if (!listed.has('tokenizer.json')) throw new BundleError(`manifest does not list tokenizer.json`, 'bad-manifest');
  const variants: Bundle['variants'] = {};
  for (const [name, v] of Object.entries(manifest.variants)) {
    const out = {} as Record<GraphRole, string>;
    for (const role of GRAPH_ROLES) {
      if (!listed.has(v[role])) throw new BundleError(`variant ${name}: ${role} file ${v[role]} is not listed in files`, 'bad-manifest');
      out[role] = resolveInside(dir, v[role]);
    }
    variants[name] = out;
  }
  if (Object.keys(variants).length === 0) throw new BundleError(`manifest lists no variants`, 'bad-manifest');
  return { dir, manifest, manifestText, tokenizerPath: resolveInside(dir, 'tokenizer.json'), variants };
}
