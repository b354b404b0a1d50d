/**
 * @file The manifest Shoebox writes for a model installed straight from the hub ([Note: Hub
 * downloads]): today the text embedder (family `text-embedder`, native/export/BUNDLE-SPEC.md), whose
 * authors publish ONNX graphs and `tokenizer.json`, so that the downloaded files are a bundle as they
 * are. Nothing in it is made up: the architecture and special token ids come from the revision's
 * `config.json`, pooling and normalisation from its sentence-transformers module list, prefixes from
 * its prompts, the variants from the graphs fetched, and every file's size and sha256 from the
 * verified download. The result goes through `parseManifest` like any manifest ([Note: One manifest
 * check]) before the folder is installed.
 *
 * Runs in main (reads a few small JSON files from the staging folder).
 */
import path from 'node:path';
import { z } from 'zod';
import { readManifestFile } from '../../../native/bundle/manifest';
import type { VerifiedFile } from '../bundle-files';
import { pinnedHubSource, type CatalogEntry } from '../catalog';
import type { HubManifestBuilder } from './hub-download';

/** Architectures the text-embedder runtime runs (BUNDLE-SPEC.md). */
const EMBEDDER_ARCHITECTURES = ['modernbert'];
/**
 * Longest input the bundle embeds, in tokens: captions and queries are short, and this is what the
 * export script writes for its embedder bundles (native/export/configs/granite-embedding-97m-r2.json).
 */
const EMBEDDER_MAX_LENGTH = 512;
/** The output the authors' ONNX exports name (input_ids, attention_mask -> last_hidden_state). */
const EMBEDDER_OUTPUT = 'last_hidden_state';

const tokenId = z.number().int().nonnegative();
const configSchema = z.object({
  model_type: z.string(),
  hidden_size: z.number().int().positive(),
  cls_token_id: tokenId,
  sep_token_id: tokenId,
  pad_token_id: tokenId,
});
const poolingSchema = z.object({
  word_embedding_dimension: z.number().int().positive().optional(),
  pooling_mode_cls_token: z.boolean().optional(),
  pooling_mode_mean_tokens: z.boolean().optional(),
});
const modulesSchema = z.array(z.object({ type: z.string() }));
const sbertSchema = z.object({ max_seq_length: z.number().int().positive().optional() });
const promptsSchema = z.object({ prompts: z.record(z.string(), z.string()).optional() });

/** Reads and checks one small JSON file of the download (capped at 1 MiB, a regular file); throws when it is absent or wrong. */
async function readJson<T>(dir: string, rel: string, schema: z.ZodType<T>, files: readonly VerifiedFile[]): Promise<T> {
  if (!files.some((f) => f.path === rel)) throw new Error(`the revision has no ${rel}`);
  const text = await readManifestFile(path.join(dir, ...rel.split('/')));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${rel} is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${rel} is not as expected: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The manifest builder for `entry` when its hub source is a complete install; undefined for a checkpoint. */
export function hubManifestBuilder(entry: CatalogEntry): HubManifestBuilder | undefined {
  const { source } = pinnedHubSource(entry);
  if (!source || source.layout !== 'onnx-embedder') return undefined;
  const variantFiles = source.variantFiles ?? {};
  return async ({ dir, files, variants }) => {
    const config = await readJson(dir, 'config.json', configSchema, files);
    if (!EMBEDDER_ARCHITECTURES.includes(config.model_type)) {
      throw new Error(`its architecture "${config.model_type}" is not one Shoebox runs (${EMBEDDER_ARCHITECTURES.join(', ')})`);
    }
    const pooling = await readJson(dir, '1_Pooling/config.json', poolingSchema, files);
    if (pooling.pooling_mode_cls_token === pooling.pooling_mode_mean_tokens) {
      throw new Error('1_Pooling/config.json must choose exactly one of CLS and mean pooling');
    }
    const dim = pooling.word_embedding_dimension ?? config.hidden_size;
    if (dim !== config.hidden_size) throw new Error(`the pooled dimension ${dim} differs from hidden_size ${config.hidden_size}`);
    const modules = await readJson(dir, 'modules.json', modulesSchema, files);
    const has = (rel: string) => files.some((f) => f.path === rel);
    const sbert = has('sentence_bert_config.json') ? await readJson(dir, 'sentence_bert_config.json', sbertSchema, files) : {};
    const prompts = has('config_sentence_transformers.json')
      ? ((await readJson(dir, 'config_sentence_transformers.json', promptsSchema, files)).prompts ?? {})
      : {};
    const embedding = {
      dim,
      pooling: pooling.pooling_mode_cls_token ? ('cls' as const) : ('mean' as const),
      normalize: modules.some((m) => /(^|\.)Normalize$/.test(m.type)),
      max_length: Math.min(sbert.max_seq_length ?? EMBEDDER_MAX_LENGTH, EMBEDDER_MAX_LENGTH),
      prefixes: { query: prompts['query'] ?? '', passage: prompts['document'] ?? prompts['passage'] ?? '' },
    };
    // What the catalog recorded about this model must be what its files say.
    const expected = entry.textEmbedder;
    if (expected) {
      const said = { dim: embedding.dim, pooling: embedding.pooling, normalize: embedding.normalize, prefixes: embedding.prefixes };
      const want = { dim: expected.dim, pooling: expected.pooling, normalize: expected.normalize, prefixes: expected.prefixes };
      if (JSON.stringify(said) !== JSON.stringify(want)) {
        throw new Error(`its files say ${JSON.stringify(said)}, but Shoebox's catalog expects ${JSON.stringify(want)} for this model`);
      }
    }
    const manifest = {
      schema: 1,
      id: entry.id,
      name: entry.name,
      family: 'text-embedder',
      version: '1',
      source: `${source.repo}@${source.revision}`,
      random_weights: false,
      architecture: config.model_type,
      embedding,
      tokens: { cls: config.cls_token_id, sep: config.sep_token_id, pad: config.pad_token_id },
      graph: { output: EMBEDDER_OUTPUT },
      variants: Object.fromEntries(variants.map((v) => [v, { model: variantFiles[v] }])),
      files: files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
    };
    return JSON.stringify(manifest, null, 2) + '\n';
  };
}
