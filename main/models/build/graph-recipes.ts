/**
 * @file The weightless graphs Shoebox ships (`assets/graphs/<arch>/`, made by
 * native/export/make_graphs.py): their `recipe.json` (which checkpoint weight, through which
 * transform, lands at which offset of which graph's data file), checked on load, and the choice of
 * the graph set whose architecture equals a checkpoint's.
 *
 * Runs in main (the bundle build). See [Note: Shipped graphs, weights built in Node] in make_graphs.py.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RECIPE_OPS } from './transforms';

/** ONNX TensorProto data types a recipe may write, with their byte width. */
export const ONNX_DTYPE_BYTES: Readonly<Record<number, number>> = { 1: 4, 2: 1, 3: 1, 10: 2 };

const tensorSchema = z.object({
  name: z.string(),
  dtype: z.number().int(),
  shape: z.array(z.number().int().nonnegative()),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  src: z.string(),
  transpose: z.boolean(),
  op: z.enum(RECIPE_OPS),
  src_shape: z.array(z.number().int().nonnegative()),
});
export type RecipeTensor = z.infer<typeof tensorSchema>;

const graphSchema = z.object({
  graph: z.string().regex(/^[\w.-]+\.onnx$/),
  data: z.string().regex(/^[\w.-]+\.onnx_data$/),
  data_bytes: z.number().int().nonnegative(),
  data_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tensors: z.array(tensorSchema),
});
export type RecipeGraph = z.infer<typeof graphSchema>;

const archSchema = z.object({
  vision: z.object({
    hidden_size: z.number(),
    num_layers: z.number(),
    num_heads: z.number(),
    intermediate_size: z.number(),
    image_size: z.number(),
    patch_size: z.number(),
    layer_norm_eps: z.number(),
    qkv_bias: z.boolean(),
  }),
  llm: z.object({
    hidden_size: z.number(),
    num_layers: z.number(),
    num_heads: z.number(),
    num_kv_heads: z.number(),
    head_dim: z.number(),
    intermediate_size: z.number(),
    vocab_size: z.number(),
    rope_theta: z.number(),
    rms_norm_eps: z.number(),
  }),
  downsample_ratio: z.number(),
  ps_version: z.string(),
});
export type Arch = z.infer<typeof archSchema>;

const recipeSchema = z.object({
  version: z.literal(1),
  config: z.string(),
  arch: archSchema,
  reference: z.object({ seed: z.number() }),
  variants: z.record(z.string(), z.record(z.enum(['vision_encoder', 'embed_tokens', 'decoder_model_merged']), graphSchema)),
});
export type Recipe = z.infer<typeof recipeSchema> & { dir: string };

/** Reads and checks one graph set's recipe: every tensor fits its data file and its dtype × shape. */
export async function loadRecipe(dir: string): Promise<Recipe> {
  const file = path.join(dir, 'recipe.json');
  const parsed = recipeSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const recipe = parsed.data;
  for (const [variant, graphs] of Object.entries(recipe.variants)) {
    for (const g of Object.values(graphs)) {
      for (const t of g.tensors) {
        const width = ONNX_DTYPE_BYTES[t.dtype];
        const numel = t.shape.reduce((a, b) => a * b, 1);
        const packed = t.op === 'q4-packed';
        if (width === undefined || (!packed && numel * width !== t.length) || t.offset + t.length > g.data_bytes) {
          throw new Error(`${file}: ${variant} ${g.graph}: tensor ${t.name} does not fit its data file`);
        }
      }
    }
  }
  return { ...recipe, dir };
}

/** Every graph set under `root` (a folder of `<arch>/recipe.json`). */
export async function loadRecipes(root: string): Promise<Recipe[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const out: Recipe[] = [];
  for (const n of names.sort()) {
    const dir = path.join(root, n);
    if ((await readdir(dir).catch(() => [] as string[])).includes('recipe.json')) out.push(await loadRecipe(dir));
  }
  return out;
}

/** Differences between two architectures, as `key: a ≠ b` lines (empty when equal). */
export function archDifferences(a: Arch, b: Arch): string[] {
  const diffs: string[] = [];
  const walk = (x: unknown, y: unknown, at: string) => {
    if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
      for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
    } else if (typeof x === 'number' && typeof y === 'number' ? Math.abs(x - y) > 1e-12 * Math.max(1, Math.abs(x)) : x !== y) {
      diffs.push(`${at}: ${String(y)} (graphs: ${String(x)})`);
    }
  };
  walk(a, b, '');
  return diffs;
}

/**
 * The graph set for `arch`, or an Error that says what Shoebox has graphs for and how the checkpoint
 * differs from the nearest.
 */
export function pickRecipe(recipes: readonly Recipe[], arch: Arch): Recipe {
  let nearest: { r: Recipe; diffs: string[] } | null = null;
  for (const r of recipes) {
    const diffs = archDifferences(r.arch, arch);
    if (diffs.length === 0) return r;
    if (nearest === null || diffs.length < nearest.diffs.length) nearest = { r, diffs };
  }
  if (nearest === null) throw new Error('this copy of Shoebox has no model graphs installed (assets/graphs is empty)');
  throw new Error(
    `Shoebox has no graphs for this checkpoint's architecture; the nearest (${nearest.r.config}) differs in ${nearest.diffs.slice(0, 4).join('; ')}`,
  );
}
