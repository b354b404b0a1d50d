/**
 * @file Text-embedder bundles: the zod schema of their `manifest.json` (family `text-embedder`, see
 * `native/export/BUNDLE-SPEC.md`, "Text-embedder bundles"), {@link loadEmbedderBundle}, which checks a
 * bundle folder before a session is created, and the graph check of its one ONNX file.
 *
 * Runs in the inference worker and may run in main (no onnxruntime here). File-list rules and on-disk
 * checks are the InternVL manifest's own ([Note: One manifest check] in `manifest.ts`).
 */
import path from 'node:path';
import { z } from 'zod';
import { readGraphSignature, ONNX_FLOAT, ONNX_INT64, type GraphValue } from './graph-check';
import {
  BUNDLE_ID,
  BUNDLE_ID_RULE,
  BundleError,
  bundleFilesSchema,
  bundlePath,
  checkListedFiles,
  readManifestFile,
  RESERVED_NAMES,
  type LoadBundleOptions,
} from './manifest';

const tokenId = z.number().int().nonnegative();

/** zod schema of a text-embedder manifest.json (schema 1). */
export const embedderManifestSchema = z.object({
  schema: z.literal(1),
  id: z.string().regex(BUNDLE_ID, `id must match ${BUNDLE_ID.source} (${BUNDLE_ID_RULE})`),
  name: z.string().min(1),
  family: z.literal('text-embedder'),
  version: z.string().min(1),
  source: z.string().min(1),
  random_weights: z.boolean(),
  /** Informational (`modernbert`, `xlm-roberta`…): the engine needs only the graph's I/O. */
  architecture: z.string().min(1),
  embedding: z.object({
    dim: z.number().int().positive(),
    pooling: z.enum(['cls', 'mean']),
    normalize: z.boolean(),
    /** Tokens per text the engine keeps, [CLS] and [SEP] included; longer texts are cut at the end. */
    max_length: z.number().int().min(3),
    /** Prepended to every text of that kind before tokenizing (e5: "query: " / "passage: "; granite: ""). */
    prefixes: z.object({ query: z.string(), passage: z.string() }),
  }),
  /** [CLS] and [SEP] wrap every text; `pad` fills the batch (masked, so any valid id works). */
  tokens: z.object({ cls: tokenId, sep: tokenId, pad: tokenId }),
  graph: z.object({ output: z.string().min(1) }),
  variants: z.record(z.string(), z.object({ model: z.string().min(1) })),
  files: bundleFilesSchema,
});

/** A parsed text-embedder manifest. */
export type EmbedderManifest = z.infer<typeof embedderManifestSchema>;

/** A text-embedder bundle whose files were checked. */
export interface EmbedderBundle {
  dir: string;
  manifest: EmbedderManifest;
  tokenizerPath: string;
  /** Absolute graph path per variant. */
  variants: Record<string, string>;
}

/** Parses and validates manifest text; throws {@link BundleError} with every zod issue listed. */
export function parseEmbedderManifest(text: string, where = 'manifest.json'): EmbedderManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BundleError(`${where} is not valid JSON: ${(e as Error).message}`, 'bad-manifest');
  }
  const family = (raw as { family?: unknown } | null)?.family;
  if (family !== 'text-embedder') {
    throw new BundleError(
      `${where} is a ${typeof family === 'string' ? `"${family}"` : 'family-less'} bundle, not a text embedder (family "text-embedder")`,
      'bad-manifest',
    );
  }
  const parsed = embedderManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BundleError(`${where} is invalid: ${issues}`, 'bad-manifest');
  }
  return parsed.data;
}

/**
 * Reads and checks a text-embedder bundle folder: manifest schema, every listed file present with its
 * size (and sha256 when asked), `tokenizer.json` and every variant's graph listed.
 */
export async function loadEmbedderBundle(dir: string, options: LoadBundleOptions = {}): Promise<EmbedderBundle> {
  const manifestPath = path.join(dir, RESERVED_NAMES.manifest);
  const manifest = parseEmbedderManifest(await readManifestFile(manifestPath), manifestPath);
  await checkListedFiles(dir, manifest.files, options);
  const listed = new Set(manifest.files.map((f) => f.path));
  if (!listed.has('tokenizer.json')) throw new BundleError('manifest does not list tokenizer.json', 'bad-manifest');
  const variants: Record<string, string> = {};
  for (const [name, v] of Object.entries(manifest.variants)) {
    if (!listed.has(v.model)) throw new BundleError(`variant ${name}: model file ${v.model} is not listed in files`, 'bad-manifest');
    variants[name] = bundlePath(dir, v.model);
  }
  if (Object.keys(variants).length === 0) throw new BundleError('manifest lists no variants', 'bad-manifest');
  return { dir, manifest, tokenizerPath: bundlePath(dir, 'tokenizer.json'), variants };
}

/** Inputs an encoder graph may take: ids and mask always, token types for BERT/XLM-R exports. */
export const EMBEDDER_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
/** Name of one {@link EMBEDDER_INPUTS}. */
export type EmbedderInput = (typeof EMBEDDER_INPUTS)[number];

function describeValue(v: GraphValue): string {
  return `${v.name} [${v.dims.join(', ')}] (element type ${v.elemType})`;
}

/**
 * Checks an encoder graph against the manifest: int64 [batch, sequence] `input_ids` and `attention_mask`
 * (and optionally `token_type_ids`), nothing else; a float32 [batch, sequence, dim] output named
 * `graph.output`. Returns the inputs the engine must feed. Throws {@link BundleError}.
 */
export function checkEmbedderGraph(file: string, m: EmbedderManifest): EmbedderInput[] {
  const sig = readGraphSignature(file);
  const base = path.basename(file);
  const inputs: EmbedderInput[] = [];
  for (const v of sig.inputs) {
    const name = EMBEDDER_INPUTS.find((n) => n === v.name);
    if (name === undefined)
      throw new BundleError(`${base}: unexpected graph input ${describeValue(v)}; a text encoder takes ${EMBEDDER_INPUTS.join(', ')}`);
    if (v.elemType !== ONNX_INT64 || v.dims.length !== 2)
      throw new BundleError(`${base}: input ${describeValue(v)} must be int64 [batch, sequence]`);
    inputs.push(name);
  }
  for (const need of ['input_ids', 'attention_mask'] as const) {
    if (!inputs.includes(need)) throw new BundleError(`${base}: the graph has no "${need}" input`);
  }
  const out = sig.outputs.find((o) => o.name === m.graph.output);
  if (out === undefined) {
    throw new BundleError(`${base}: manifest names output "${m.graph.output}", the graph has ${sig.outputs.map(describeValue).join(', ')}`);
  }
  const dim = out.dims[2];
  if (out.elemType !== ONNX_FLOAT || out.dims.length !== 3 || (typeof dim === 'number' && dim !== m.embedding.dim)) {
    throw new BundleError(`${base}: output ${describeValue(out)} must be float32 [batch, sequence, ${m.embedding.dim}]`);
  }
  return inputs;
}
