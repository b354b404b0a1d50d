/**
 * @file Model bundle manifest: the zod schema of `manifest.json` (schema 1, see
 * `native/export/BUNDLE-SPEC.md`) and {@link loadBundle}, which checks a bundle folder before any
 * session is created.
 *
 * Runs in the inference worker and in main (the model manager imports it to verify installs), so it
 * must not import onnxruntime. Graph-level checks (input/output names and dims against the manifest)
 * live in `native/bundle/graph-check.ts`, which reads the ONNX headers without onnxruntime.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const tokenId = z.number().int().nonnegative();

/** zod schema of manifest.json, schema 1. */
export const manifestSchema = z.object({
  schema: z.literal(1),
  id: z.string().regex(/^[a-z0-9._-]+$/, 'id must match [a-z0-9._-]+'),
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
  files: z.array(
    z.object({
      path: z.string().min(1),
      bytes: z.number().int().nonnegative(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    }),
  ),
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
  tokenizerPath: string;
  /** Absolute graph paths per variant. */
  variants: Record<string, Record<GraphRole, string>>;
}

/** Options of {@link loadBundle}. */
export interface LoadBundleOptions {
  /** Hash every file and compare with the manifest (slow for large bundles). */
  verifySha256?: boolean;
}

/** Raised for every problem with a bundle; `message` names the file and what is wrong. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Resolves a manifest-relative path and refuses anything that escapes the bundle folder. */
function resolveInside(dir: string, rel: string): string {
  const abs = path.resolve(dir, rel);
  const root = path.resolve(dir) + path.sep;
  if (!abs.startsWith(root)) throw new BundleError(`manifest path "${rel}" points outside the bundle folder`);
  return abs;
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
    throw new BundleError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BundleError(`${where} is invalid: ${issues}`);
  }
  const m = parsed.data;
  if (m.llm.hidden_size <= 0 || m.llm.num_attention_heads % m.llm.num_kv_heads !== 0) {
    throw new BundleError(`${where}: num_attention_heads must be a multiple of num_kv_heads`);
  }
  const grid = m.image.size / m.image.patch_size;
  const expectTokens = Math.round(grid * grid * m.image.downsample_ratio * m.image.downsample_ratio);
  if (!Number.isInteger(grid) || expectTokens !== m.image.num_image_token) {
    throw new BundleError(
      `${where}: image.num_image_token ${m.image.num_image_token} disagrees with size/patch/downsample (${expectTokens})`,
    );
  }
  if (m.image.min_tiles > m.image.max_tiles) throw new BundleError(`${where}: image.min_tiles > image.max_tiles`);
  return m;
}

/**
 * Reads and checks a bundle folder: manifest schema, every listed file present with the listed byte
 * size (and sha256 when asked), every variant's graphs and `tokenizer.json` listed.
 * Throws {@link BundleError} naming the first problem found.
 */
export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<Bundle> {
  const manifestPath = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (e) {
    throw new BundleError(`cannot read ${manifestPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const manifest = parseManifest(text, manifestPath);
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  for (const f of manifest.files) {
    const abs = resolveInside(dir, f.path);
    let size: number;
    try {
      size = (await stat(abs)).size;
    } catch {
      throw new BundleError(`model file missing: ${f.path} (in ${dir})`);
    }
    if (size !== f.bytes) {
      throw new BundleError(`model file ${f.path} has ${size} bytes, manifest says ${f.bytes} (truncated or corrupt)`);
    }
    if (options.verifySha256 === true) {
      if (f.sha256 === undefined) throw new BundleError(`manifest lists no sha256 for ${f.path}`);
      const got = await sha256File(abs);
      if (got !== f.sha256) throw new BundleError(`model file ${f.path} fails its sha256 check (corrupt)`);
    }
  }
  if (!listed.has('tokenizer.json')) throw new BundleError(`manifest does not list tokenizer.json`);
  const variants: Bundle['variants'] = {};
  for (const [name, v] of Object.entries(manifest.variants)) {
    const out = {} as Record<GraphRole, string>;
    for (const role of GRAPH_ROLES) {
      if (!listed.has(v[role])) throw new BundleError(`variant ${name}: ${role} file ${v[role]} is not listed in files`);
      out[role] = resolveInside(dir, v[role]);
    }
    variants[name] = out;
  }
  if (Object.keys(variants).length === 0) throw new BundleError(`manifest lists no variants`);
  return { dir, manifest, tokenizerPath: resolveInside(dir, 'tokenizer.json'), variants };
}
