/**
 * @file An InternVL checkpoint's `config.json` (original layout: `llm_config`; `-hf` layout:
 * `text_config`) → the architecture the shipped graphs must match and the manifest fields that come
 * from the config. Refuses what Shoebox cannot build, with the reason: an InternLM2, Phi-3 or other
 * non-Qwen2 language model, an InternViT-6B tower (RMSNorm / QK-norm), another template,
 * downsampling, pixel-shuffle version or feature layer.
 *
 * Runs in main (the bundle build). Pure. The rules are native/export/export.py's
 * `config_from_checkpoint`, so the app and the export tool accept the same checkpoints.
 */
import type { Arch } from './graph-recipes';

/** What the manifest takes from config.json besides the architecture. */
export interface CheckpointConfig {
  arch: Arch;
  systemMessage: string | null;
  maxTiles: number;
  maxPositionEmbeddings: number;
}

type Json = Record<string, unknown>;

const obj = (x: unknown): Json | null => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : null);

function first(d: Json, keys: string[], fallback: unknown): unknown {
  for (const k of keys) if (d[k] !== undefined && d[k] !== null) return d[k];
  return fallback;
}

const scalar = (x: unknown): unknown => (Array.isArray(x) ? x[0] : x);

function num(d: Json, key: string, where: string, fallback?: number): number {
  const v = scalar(d[key] ?? fallback);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.json: ${where}.${key} is missing or not a number`);
  return v;
}

/** Parses config.json's object; throws an Error whose message the user sees. */
export function parseCheckpointConfig(ckpt: unknown): CheckpointConfig {
  const c = obj(ckpt);
  if (c === null) throw new Error('config.json is not a JSON object');
  const vc = obj(c['vision_config']);
  const lc = obj(c['llm_config']) ?? obj(c['text_config']);
  if (!vc || !lc) throw new Error('config.json lacks vision_config and llm_config/text_config: this is not an InternVL checkpoint');
  const archs = lc['architectures'];
  const arch = String((Array.isArray(archs) ? archs[0] : undefined) ?? lc['model_type'] ?? '');
  if (!arch.toLowerCase().includes('qwen2')) {
    const why = /internlm/i.test(arch)
      ? 'InternLM2-based InternVL (InternVL2-2B, InternVL2.5-2B) is not supported yet'
      : 'only Qwen2-based InternVL is supported';
    throw new Error(`unsupported language model ${JSON.stringify(arch)}: ${why} (InternVL2.5-1B, InternVL3-1B, InternVL3-2B)`);
  }
  if (first(vc, ['qk_normalization', 'use_qk_norm'], false) === true || first(vc, ['norm_type'], 'layer_norm') !== 'layer_norm') {
    throw new Error('unsupported vision tower (RMSNorm / QK-norm InternViT-6B): only InternViT-300M is supported');
  }
  const heads = num(lc, 'num_attention_heads', 'llm_config');
  const hidden = num(lc, 'hidden_size', 'llm_config');
  const template = c['template'] ?? 'internvl2_5';
  if (template !== 'internvl2_5') throw new Error(`unsupported template ${JSON.stringify(template)}: only internvl2_5`);
  const downsample = Number(first(c, ['downsample_ratio'], 0.5));
  if (Math.abs(downsample - 0.5) > 1e-9) throw new Error('only downsample_ratio 0.5 is supported');
  if (first(c, ['ps_version'], 'v2') !== 'v2' || Number(first(c, ['select_layer', 'vision_feature_layer'], -1)) !== -1) {
    throw new Error('only ps_version v2 and select_layer -1 are supported');
  }
  const imageSize = Number(scalar(first(c, ['force_image_size'], first(vc, ['image_size'], 448))));
  const sys = c['system_message'];
  return {
    arch: {
      vision: {
        hidden_size: num(vc, 'hidden_size', 'vision_config'),
        num_layers: num(vc, 'num_hidden_layers', 'vision_config'),
        num_heads: num(vc, 'num_attention_heads', 'vision_config'),
        intermediate_size: num(vc, 'intermediate_size', 'vision_config'),
        image_size: imageSize,
        patch_size: num(vc, 'patch_size', 'vision_config', 14),
        layer_norm_eps: num(vc, 'layer_norm_eps', 'vision_config', 1e-6),
        qkv_bias: Boolean(first(vc, ['qkv_bias', 'attention_bias'], true)),
      },
      llm: {
        hidden_size: hidden,
        num_layers: num(lc, 'num_hidden_layers', 'llm_config'),
        num_heads: heads,
        num_kv_heads: num(lc, 'num_key_value_heads', 'llm_config', heads),
        head_dim: typeof lc['head_dim'] === 'number' && lc['head_dim'] > 0 ? lc['head_dim'] : Math.floor(hidden / heads),
        intermediate_size: num(lc, 'intermediate_size', 'llm_config'),
        vocab_size: num(lc, 'vocab_size', 'llm_config'),
        rope_theta: num(lc, 'rope_theta', 'llm_config', 1e6),
        rms_norm_eps: num(lc, 'rms_norm_eps', 'llm_config', 1e-6),
      },
      downsample_ratio: 0.5,
      ps_version: 'v2',
    },
    systemMessage: typeof sys === 'string' ? sys : null,
    maxTiles: Number(first(c, ['max_dynamic_patch'], 12)),
    maxPositionEmbeddings: num(lc, 'max_position_embeddings', 'llm_config', 32768),
  };
}
