/**
 * @file Builds a Shoebox InternVL bundle from a verified checkpoint, in Node, without Python: the
 * shipped weightless graphs of the checkpoint's architecture (graph-recipes.ts) are copied, each
 * graph's external-data file is written from the checkpoint's safetensors, streamed tensor by tensor
 * (safetensors.ts, checkpoint-names.ts, transforms.ts), then tokenizer.json and the manifest.
 *
 * Runs in a worker thread of main (build-in-worker.ts; each tensor's arithmetic is synchronous, the
 * largest, the InternVL3-1B lm_head, a second or more), or wherever it is called (tests). Plain Node;
 * no Electron.
 *
 * [Note: Bundle build staging] Everything is written in `modelsDir/.builds/<id>/` under the lock
 * `modelsDir/.builds/<id>.lock` (a second build of the same id is refused while the first lives). The
 * folder becomes `modelsDir/<id>` by one rename, after the manifest is checked and the verified marker
 * written ([Note: Verified installs]); so a kill -9 at any point leaves either no bundle or a whole
 * one, and a later build throws the leftover staging folder away and starts again (building is
 * minutes of CPU, not gigabytes of network). The checkpoint is removed only after the rename, and
 * only when the caller does not keep it. Free disk is checked first for everything the build writes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Log } from '../../log';
import { loadAnyBundle } from '../any-manifest';
import { DiskFullError, ensureFreeSpace, hashInto, writeVerifiedMarker } from '../bundle-files';
import { acquireLock, LockedError } from '../lock-file';
import { planWeightSources } from './checkpoint-names';
import { parseCheckpointConfig, type CheckpointConfig } from './checkpoint-config';
import { loadRecipes, pickRecipe, type Recipe, type RecipeGraph, type RecipeTensor } from './graph-recipes';
import { CheckpointError, readCheckpointIndex, readTensorF32, type TensorEntry } from './safetensors';
import { bundleTokenizer } from './tokenizer-build';
import { transformsOf } from './transforms';

/** Folder under modelsDir that holds bundles while they are built. */
export const BUILDS_DIR = '.builds';

const GRAPHS = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'] as const;

/** Phases of a build, in order. */
export type BuildPhase = 'checking' | 'weights' | 'hashing' | 'installing';

export interface BuildProgress {
  phase: BuildPhase;
  /** Bytes done / total in this phase (checkpoint bytes read while writing weights; bundle bytes hashed). */
  done: number;
  total: number;
}

export interface BuildOptions {
  /** Bundle id (the catalog's), also the folder name under modelsDir. */
  id: string;
  name: string;
  /** Manifest `source`, e.g. `OpenGVLab/InternVL3-1B@<revision>`. */
  source: string;
  /** The verified checkpoint folder (config.json, safetensors, tokenizer files). */
  checkpointDir: string;
  modelsDir: string;
  /** Root of the shipped graph sets (`<root>/<arch>/recipe.json`). */
  graphsDir: string;
  /** Variants to build; fp32 is always built (the engine's reference). Default fp32 + int8. */
  variants?: readonly string[];
  /** Keep the checkpoint after a successful build (default: remove it). */
  keepCheckpoint?: boolean;
  randomWeights?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
  log: Log;
}

/** Raised for a checkpoint or situation the build refuses; the message is for the user. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly code: 'unsupported' | 'bad-checkpoint' | 'disk-full' | 'busy' | 'exists',
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

/** What {@link buildBundle} made. */
export interface BuildResult {
  dir: string;
  variants: string[];
  bytes: number;
  seconds: number;
}

interface Job {
  t: RecipeTensor;
  fh: FileHandle;
  where: string;
}

/** Builds `modelsDir/<id>` ([Note: Bundle build staging]). Rejects with {@link BuildError} for bad input. */
export async function buildBundle(o: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const { id, modelsDir, log } = o;
  const finalDir = path.join(modelsDir, id);
  const report = (phase: BuildPhase, done: number, total: number) => o.onProgress?.({ phase, done, total });
  report('checking', 0, 1);
  if (existsSync(finalDir)) throw new BuildError(`model ${id} is already installed in ${finalDir}; delete it first`, 'exists');

  const plan = await planBuild(o);
  const variants = plan.variants;
  const graphs = variants.flatMap((v) => GRAPHS.map((g) => ({ v, g, r: plan.recipe.variants[v]![g] })));
  const graphBytes = graphs.reduce((s, x) => s + x.r.data_bytes, 0) + 4 * 1024 * 1024 + plan.tokenizer.text.length;
  try {
    ensureFreeSpace(modelsDir, graphBytes);
  } catch (err) {
    if (err instanceof DiskFullError) throw new BuildError(err.message, 'disk-full');
    throw err;
  }

  let release: () => Promise<void>;
  try {
    release = await acquireLock(path.join(modelsDir, BUILDS_DIR, `${id}.lock`), `model ${id}`, 'built');
  } catch (err) {
    if (err instanceof LockedError) throw new BuildError(err.message, 'busy');
    throw err;
  }
  const staging = path.join(modelsDir, BUILDS_DIR, id);
  const handles: FileHandle[] = [];
  try {
    await rm(staging, { recursive: true, force: true }); // a leftover of a killed build: start again
    await mkdir(path.join(staging, 'onnx'), { recursive: true });

    // Graph files as shipped; each data file sized up front (its gaps are the recipe's zero padding).
    const jobsBySource = new Map<string, Job[]>();
    for (const { r } of graphs) {
      await copyFile(path.join(plan.recipe.dir, r.graph), path.join(staging, 'onnx', r.graph));
      const where = path.join(staging, 'onnx', r.data);
      const fh = await open(where, 'w');
      handles.push(fh);
      await fh.truncate(r.data_bytes);
      for (const t of r.tensors) {
        const key = `${t.src}\0${t.transpose}`;
        if (!jobsBySource.has(key)) jobsBySource.set(key, []);
        jobsBySource.get(key)!.push({ t, fh, where });
      }
    }

    // Weights: one checkpoint tensor at a time, in file order, each written into every variant that uses it.
    const order = [...jobsBySource.keys()].sort((a, b) => plan.position(a.split('\0')[0]!) - plan.position(b.split('\0')[0]!));
    const total = plan.readBytes;
    let done = 0;
    report('weights', 0, total);
    for (const key of order) {
      o.signal?.throwIfAborted();
      const [src, tr] = key.split('\0') as [string, string];
      const parts = plan.sources.get(src)!;
      const data = await readConcat(parts);
      const shape = plan.srcShape.get(src)!;
      const rows = shape.length >= 2 ? shape[0]! : 1;
      const make = transformsOf({ data, rows, cols: data.length / rows }, tr === 'true');
      for (const j of jobsBySource.get(key)!) {
        const bytes = make(j.t.op);
        if (bytes.length !== j.t.length)
          throw new Error(`internal: ${j.t.name} came out ${bytes.length} bytes, the recipe says ${j.t.length}`);
        await writeAt(j.fh, bytes, j.t.offset, j.where);
      }
      done += parts.reduce((s, p) => s + p.bytes, 0);
      report('weights', done, total);
    }
    for (const fh of handles.splice(0)) {
      await fh.sync();
      await fh.close();
    }

    await writeFile(path.join(staging, 'tokenizer.json'), plan.tokenizer.text);
    const files = await listFiles(staging, graphs, (d, t) => report('hashing', d, t));
    report('installing', 0, 1);
    const manifestText = manifestJson(o, plan.config, plan.tokenizer.special, variants, graphs, files);
    await writeFile(path.join(staging, 'manifest.json'), manifestText);
    await loadAnyBundle(staging, manifestText); // the same checks as any download or import
    await writeVerifiedMarker(staging, manifestText, { kind: 'download', from: `build:${o.source}` });
    if (existsSync(finalDir)) throw new BuildError(`model ${id} appeared in ${finalDir} while building; delete it first`, 'exists');
    await rename(staging, finalDir);
    const bytes = files.reduce((s, f) => s + f.bytes, 0);
    const seconds = (Date.now() - started) / 1000;
    log.info(`built model ${id} from its checkpoint`, { dir: finalDir, variants, bytes, seconds });
    if (!o.keepCheckpoint) await rm(o.checkpointDir, { recursive: true, force: true });
    report('installing', 1, 1);
    return { dir: finalDir, variants, bytes, seconds };
  } catch (err) {
    for (const fh of handles) await fh.close().catch(() => {});
    await rm(staging, { recursive: true, force: true }).catch(() => {});
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new BuildError(`the disk filled up while building ${id}; free some space and try again`, 'disk-full');
    throw err;
  } finally {
    await release();
  }
}

/** Everything checked before a byte is written. */
interface BuildPlan {
  config: CheckpointConfig;
  recipe: Recipe;
  variants: string[];
  tokenizer: Awaited<ReturnType<typeof bundleTokenizer>>;
  /** original weight name → its checkpoint tensors (q/k/v concatenated for -hf). */
  sources: Map<string, TensorEntry[]>;
  srcShape: Map<string, number[]>;
  /** Order key of a weight: where its first part sits in the checkpoint. */
  position: (src: string) => number;
  readBytes: number;
}

async function planBuild(o: BuildOptions): Promise<BuildPlan> {
  const bad = (msg: string) => new BuildError(msg, 'bad-checkpoint');
  let configJson: unknown;
  try {
    configJson = JSON.parse(await readFile(path.join(o.checkpointDir, 'config.json'), 'utf8'));
  } catch (err) {
    throw bad(`the checkpoint's config.json cannot be read: ${(err as Error).message}`);
  }
  let config: CheckpointConfig;
  let recipe: Recipe;
  try {
    config = parseCheckpointConfig(configJson);
    recipe = pickRecipe(await loadRecipes(o.graphsDir), config.arch);
  } catch (err) {
    throw new BuildError(`cannot build ${o.name}: ${(err as Error).message}`, 'unsupported');
  }
  const wanted = [...new Set(['fp32', ...(o.variants ?? ['fp32', 'int8'])])];
  const unknown = wanted.filter((v) => !(v in recipe.variants));
  if (unknown.length > 0)
    throw new BuildError(
      `no ${unknown.join(', ')} graphs for ${recipe.config} (there are ${Object.keys(recipe.variants).join(', ')})`,
      'unsupported',
    );

  let index: TensorEntry[];
  let tokenizer: BuildPlan['tokenizer'];
  try {
    index = await readCheckpointIndex(o.checkpointDir);
    tokenizer = await bundleTokenizer(o.checkpointDir);
  } catch (err) {
    if (err instanceof CheckpointError || err instanceof Error) throw bad(`the checkpoint cannot be read: ${err.message}`);
    throw err;
  }
  const byName = new Map(index.map((e) => [e.name, e]));
  let plan: ReturnType<typeof planWeightSources>;
  try {
    plan = planWeightSources(index.map((e) => e.name));
  } catch (err) {
    throw bad((err as Error).message);
  }
  // What the graphs need, with the shape each weight must have.
  const srcShape = new Map<string, number[]>();
  for (const v of wanted)
    for (const g of Object.values<RecipeGraph>(recipe.variants[v]!)) for (const t of g.tensors) srcShape.set(t.src, t.src_shape);
  const tied = 'language_model.lm_head.weight';
  if (!plan.has(tied) && plan.has('language_model.model.embed_tokens.weight'))
    plan.set(tied, plan.get('language_model.model.embed_tokens.weight')!);
  const missing = [...srcShape.keys()].filter((k) => !plan.has(k));
  if (missing.length > 0) throw bad(`the checkpoint lacks ${missing.length} weights, e.g. ${missing.slice(0, 5).join(', ')}`);
  const unexpected = [...plan.keys()].filter((k) => !srcShape.has(k));
  if (unexpected.length > 0)
    throw bad(`the checkpoint has ${unexpected.length} weights these graphs do not use, e.g. ${unexpected.slice(0, 5).join(', ')}`);
  const sources = new Map<string, TensorEntry[]>();
  for (const [k, shape] of srcShape) {
    const parts = plan.get(k)!.parts.map((p) => byName.get(p)!);
    const rows = parts.reduce((s, p) => s + (p.shape[0] ?? 1), 0);
    const got = parts.length === 1 ? parts[0]!.shape : [rows, ...parts[0]!.shape.slice(1)];
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i]))
      throw bad(`${k}: shape ${JSON.stringify(got)}, the graphs need ${JSON.stringify(shape)}`);
    sources.set(k, parts);
  }
  const files = [...new Set(index.map((e) => e.file))].sort();
  const position = (src: string) => {
    const e = sources.get(src)![0]!;
    return files.indexOf(e.file) * 2 ** 40 + e.start;
  };
  const readBytes = [...sources.values()].reduce((s, parts) => s + parts.reduce((a, p) => a + p.bytes, 0), 0);
  return { config, recipe, variants: wanted, tokenizer, sources, srcShape, position, readBytes };
}

async function readConcat(parts: TensorEntry[]): Promise<Float32Array> {
  if (parts.length === 1) return readTensorF32(parts[0]!);
  const arrays = [];
  for (const p of parts) arrays.push(await readTensorF32(p));
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

async function writeAt(fh: FileHandle, buf: Uint8Array, position: number, where: string): Promise<void> {
  let off = 0;
  try {
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
      off += bytesWritten;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new DiskFullError(path.dirname(where), buf.length - off, null);
    throw err;
  }
}

interface BuiltFile {
  path: string;
  bytes: number;
  sha256: string;
}

async function listFiles(
  staging: string,
  graphs: { r: RecipeGraph }[],
  onProgress: (done: number, total: number) => void,
): Promise<BuiltFile[]> {
  const rels = ['tokenizer.json', ...graphs.flatMap(({ r }) => [`onnx/${r.graph}`, `onnx/${r.data}`])];
  const out: BuiltFile[] = [];
  const total = graphs.reduce((s, { r }) => s + r.data_bytes, 0);
  let done = 0;
  for (const rel of rels.sort()) {
    const hash = createHash('sha256');
    const bytes = await hashInto(hash, path.join(staging, ...rel.split('/')));
    out.push({ path: rel, bytes, sha256: hash.digest('hex') });
    done += rel.endsWith('_data') ? bytes : 0;
    onProgress(done, total);
  }
  return out;
}

function manifestJson(
  o: BuildOptions,
  c: CheckpointConfig,
  special: Record<string, number>,
  variants: string[],
  graphs: { v: string; g: string; r: RecipeGraph }[],
  files: BuiltFile[],
): string {
  const { vision, llm } = c.arch;
  const grid = vision.image_size / vision.patch_size;
  const sp = (n: string) => special[n]!;
  const manifest = {
    schema: 1,
    id: o.id,
    name: o.name,
    family: 'internvl',
    version: '1',
    source: o.source,
    random_weights: o.randomWeights ?? false,
    template: 'internvl2_5',
    system_message: c.systemMessage,
    image: {
      size: vision.image_size,
      patch_size: vision.patch_size,
      downsample_ratio: c.arch.downsample_ratio,
      num_image_token: Math.floor(grid * grid * c.arch.downsample_ratio ** 2),
      min_tiles: 1,
      max_tiles: c.maxTiles,
      use_thumbnail: true,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    tokens: {
      img_start: sp('<img>'),
      img_end: sp('</img>'),
      img_context: sp('<IMG_CONTEXT>'),
      im_start: sp('<|im_start|>'),
      im_end: sp('<|im_end|>'),
      eos: [sp('<|im_end|>')],
      pad: sp('<|endoftext|>'),
      bos: null,
    },
    llm: {
      hidden_size: llm.hidden_size,
      num_layers: llm.num_layers,
      num_attention_heads: llm.num_heads,
      num_kv_heads: llm.num_kv_heads,
      head_dim: llm.head_dim,
      vocab_size: llm.vocab_size,
      max_position_embeddings: c.maxPositionEmbeddings,
    },
    variants: Object.fromEntries(
      variants.map((v) => [v, Object.fromEntries(graphs.filter((x) => x.v === v).map((x) => [x.g, `onnx/${x.r.graph}`]))]),
    ),
    files,
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}
