/**
 * The shipped InternVL3-2B graph set (`assets/graphs/internvl3-2b/`, made by
 * native/export/make_graphs.py with configs/internvl3-2b.json): its recipe describes exactly that
 * architecture, an InternVL3-2B `config.json` (both hub layouts) selects it and not the 1B set, every
 * weight it names has InternVL3-2B's shape, and no file is large (the graphs carry no weights).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCheckpointConfig } from '../../main/models/build/checkpoint-config';
import { loadRecipe, loadRecipes, pickRecipe, type Arch } from '../../main/models/build/graph-recipes';

const ROOT = 'assets/graphs';
const SET = path.join(ROOT, 'internvl3-2b');
const MB = 1024 * 1024;

/** native/export/make_graphs.py's `arch_of` on a native/export/configs file. */
function archOfConfig(file: string): Arch {
  const c = JSON.parse(readFileSync(file, 'utf8')) as { vision: Arch['vision']; llm: Arch['llm'] & { max_position_embeddings?: number } };
  const { max_position_embeddings: _unused, ...llm } = c.llm;
  return { vision: c.vision, llm, downsample_ratio: 0.5, ps_version: 'v2' };
}

/** The facts of OpenGVLab/InternVL3-2B's config.json that the build reads (original layout). */
const INTERNVL3_2B_CONFIG = {
  architectures: ['InternVLChatModel'],
  template: 'internvl2_5',
  downsample_ratio: 0.5,
  ps_version: 'v2',
  select_layer: -1,
  force_image_size: 448,
  max_dynamic_patch: 12,
  vision_config: {
    architectures: ['InternVisionModel'],
    hidden_size: 1024,
    num_hidden_layers: 24,
    num_attention_heads: 16,
    intermediate_size: 4096,
    image_size: 448,
    patch_size: 14,
    layer_norm_eps: 1e-6,
    qkv_bias: true,
    qk_normalization: false,
    norm_type: 'layer_norm',
  },
  llm_config: {
    architectures: ['Qwen2ForCausalLM'],
    hidden_size: 1536,
    num_hidden_layers: 28,
    num_attention_heads: 12,
    num_key_value_heads: 2,
    intermediate_size: 8960,
    vocab_size: 151674,
    rope_theta: 1000000.0,
    rms_norm_eps: 1e-6,
    max_position_embeddings: 32768,
  },
};

describe('InternVL3-2B graph set', () => {
  it("recipe's arch is configs/internvl3-2b.json's, with all four variants of the three graphs", async () => {
    const recipe = await loadRecipe(SET);
    expect(recipe.config).toBe('internvl3-2b.json');
    expect(recipe.arch).toEqual(archOfConfig('native/export/configs/internvl3-2b.json'));
    expect(Object.keys(recipe.variants).sort()).toEqual(['fp16', 'fp32', 'int8', 'q4']);
    for (const graphs of Object.values(recipe.variants)) {
      expect(Object.keys(graphs).sort()).toEqual(['decoder_model_merged', 'embed_tokens', 'vision_encoder']);
      for (const g of Object.values(graphs)) expect(statSync(path.join(SET, g.graph)).isFile()).toBe(true);
    }
  });

  it('names InternVL3-2B-shaped weights (untied lm_head, 28 layers, GQA 12/2 of 128)', async () => {
    const recipe = await loadRecipe(SET);
    const shapes = new Map<string, number[]>();
    for (const graphs of Object.values(recipe.variants)) {
      for (const g of Object.values(graphs)) for (const t of g.tensors) shapes.set(t.src, t.src_shape);
    }
    expect(shapes.get('language_model.lm_head.weight')).toEqual([151674, 1536]);
    expect(shapes.get('language_model.model.embed_tokens.weight')).toEqual([151674, 1536]);
    expect(shapes.get('language_model.model.layers.27.self_attn.k_proj.weight')).toEqual([256, 1536]);
    expect(shapes.get('language_model.model.layers.27.mlp.down_proj.weight')).toEqual([1536, 8960]);
    expect(shapes.has('language_model.model.layers.28.mlp.down_proj.weight')).toBe(false);
    expect(shapes.get('mlp1.3.weight')).toEqual([1536, 1536]);
  });

  it('is chosen for an InternVL3-2B config.json, in both layouts, and the 1B set is not', async () => {
    const recipes = await loadRecipes(ROOT);
    const original = parseCheckpointConfig(INTERNVL3_2B_CONFIG);
    expect(path.basename(pickRecipe(recipes, original.arch).dir)).toBe('internvl3-2b');
    const { llm_config, ...rest } = INTERNVL3_2B_CONFIG;
    const hf = parseCheckpointConfig({ ...rest, text_config: llm_config });
    expect(path.basename(pickRecipe(recipes, hf.arch).dir)).toBe('internvl3-2b');
    const one = recipes.find((r) => path.basename(r.dir) === 'internvl3-1b');
    expect(one).toBeDefined();
    expect(() => pickRecipe([one!], original.arch)).toThrow(/llm\.hidden_size: 1536 \(graphs: 896\)/);
  });

  it('ships no weights: every file is under 2 MB', () => {
    const files = readdirSync(SET);
    expect(files).toContain('recipe.json');
    expect(files.filter((f) => f.endsWith('.onnx_data'))).toEqual([]);
    for (const f of files) expect(statSync(path.join(SET, f)).size, f).toBeLessThan(2 * MB);
  });
});
