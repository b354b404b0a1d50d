/**
 * @file Weight names of InternVL checkpoints: OpenGVLab's original layout (`vision_model.*`, `mlp1.*`,
 * `language_model.*`, the names the graphs' recipes use) and the transformers-native `-hf` layout
 * (`model.vision_tower.*`, split q/k/v in the vision attention, ...). Pure; no I/O.
 *
 * Runs in main (the bundle build). The rules are native/export/weights.py's `_HF_TO_ORIGINAL` and
 * `hf_to_original`, in the same order, so both tools read a checkpoint the same way; the tests check
 * them against the names `weights.original_to_hf` writes.
 */

/** -hf name → original name, applied in order to each key (weights.py `_HF_TO_ORIGINAL`). */
const HF_TO_ORIGINAL: [RegExp, string][] = [
  [/^model\.vision_tower\./, 'vision_model.'],
  [/^vision_tower\./, 'vision_model.'],
  [/^model\.multi_modal_projector\./, 'mlp1.'],
  [/^multi_modal_projector\./, 'mlp1.'],
  [/^mlp1\.layer_norm\./, 'mlp1.0.'],
  [/^mlp1\.linear_1\./, 'mlp1.1.'],
  [/^mlp1\.linear_2\./, 'mlp1.3.'],
  [/^model\.language_model\./, 'language_model.model.'],
  [/^lm_head\./, 'language_model.lm_head.'],
  [/\.encoder\.layer\./, '.encoder.layers.'],
  [/\.embeddings\.cls_token$/, '.embeddings.class_embedding'],
  [/\.embeddings\.position_embeddings$/, '.embeddings.position_embedding'],
  [/\.embeddings\.patch_embeddings\.projection\./, '.embeddings.patch_embedding.'],
  [/\.lambda_(\d)$/, '.ls$1'],
  [/\.attention\.projection_layer\./, '.attn.proj.'],
  [/\.attention\.output\.dense\./, '.attn.proj.'],
  [/\.intermediate\.dense\./, '.mlp.fc1.'],
  [/\.output\.dense\./, '.mlp.fc2.'],
  [/\.attention\./, '.attn.'],
  [/\.layernorm_before\./, '.norm1.'],
  [/\.layernorm_after\./, '.norm2.'],
];

const SPLIT_QKV = /^(vision_model\.encoder\.layers\.\d+\.attn)\.(q|k|v)_proj\.(weight|bias)$/;

/** True for a checkpoint in the `-hf` layout (weights.py `is_hf_layout`). */
export function isHfLayout(names: Iterable<string>): boolean {
  for (const k of names)
    if (k.startsWith('model.vision_tower.') || k.startsWith('vision_tower.') || k.startsWith('model.language_model.')) return true;
  return false;
}

/** The original name of a `-hf` name (q/k/v parts keep their `q_proj`/`k_proj`/`v_proj` form). */
export function hfToOriginal(name: string): string {
  let n = name;
  for (const [re, rep] of HF_TO_ORIGINAL) n = n.replace(re, rep);
  return n;
}

/**
 * Where each original-layout weight comes from: one checkpoint tensor, or (for the `-hf` layout's
 * split vision attention) the q, k and v tensors concatenated along dim 0, in that order.
 */
export type WeightSource = { parts: string[] };

/**
 * Maps the checkpoint's tensor names onto original names. Throws an Error naming what is wrong:
 * two tensors that map to one name, or a q/k/v group with a part missing.
 */
export function planWeightSources(names: readonly string[]): Map<string, WeightSource> {
  const out = new Map<string, WeightSource>();
  const add = (orig: string, parts: string[]) => {
    if (out.has(orig)) throw new Error(`two checkpoint tensors map to the weight ${orig}`);
    out.set(orig, { parts });
  };
  if (!isHfLayout(names)) {
    for (const n of names) add(n, [n]);
    return out;
  }
  const renamed = new Map<string, string>(); // original-form name → checkpoint name
  for (const n of names) {
    const o = hfToOriginal(n);
    if (renamed.has(o)) throw new Error(`checkpoint tensors ${renamed.get(o)} and ${n} map to the same weight ${o}`);
    renamed.set(o, n);
  }
  for (const [o, n] of renamed) {
    const m = SPLIT_QKV.exec(o);
    if (!m) {
      add(o, [n]);
      continue;
    }
    if (m[2] !== 'q') continue;
    const parts = ['q', 'k', 'v'].map((p) => renamed.get(`${m[1]}.${p}_proj.${m[3]}`));
    if (parts.some((p) => p === undefined)) throw new Error(`-hf checkpoint: incomplete q/k/v for ${m[1]}`);
    add(`${m[1]}.qkv.${m[3]}`, parts as string[]);
  }
  for (const o of renamed.keys()) {
    const m = SPLIT_QKV.exec(o);
    if (m && m[2] !== 'q' && !renamed.has(`${m[1]}.q_proj.${m[3]}`)) throw new Error(`-hf checkpoint: incomplete q/k/v for ${m[1]}`);
  }
  return out;
}
