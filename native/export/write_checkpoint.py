"""@file A random-weight InternVL checkpoint in the exact layouts of the Hugging Face hub, for the tests
of the in-app bundle build (and, at full size, `npm run bench:install`).

Owns: `test/fixtures/checkpoints/<name>/` (via make_checkpoint_fixtures.sh) — config.json as OpenGVLab
writes it (original: `llm_config`; `-hf`: `text_config`), the weights of `weights.random_model(config,
seed)` under original or `-hf` names (split vision q/k/v), as F32 or BF16 safetensors sharded with
`model.safetensors.index.json`, the tokenizer files (tokenizer.json, or only the slow Qwen2 files
vocab.json + merges.txt + added_tokens.json + tokenizer_config.json as in OpenGVLab/InternVL2_5-1B)
with InternVL's added tokens, and `expected.json`: the sha256 of every graph data file a correct build
writes from these weights (make_graphs.py's recipe applied with numpy to exactly these values, i.e.
the bytes export.py's graphs hold for this checkpoint).
Runs: /usr/bin/python3 native/export/write_checkpoint.py --config configs/tiny.json --seed 4 --out DIR
      --layout original|hf --dtype f32|bf16 --shards N --tokenizer json|slow [--graphs DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import sys
from typing import Any, Dict, List

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from make_graphs import ALIGN, apply_recipe  # noqa: E402
from model_config import ModelConfig  # noqa: E402
from text import SPECIAL_NAMES, bytes_to_unicode, tokenizer_json  # noqa: E402
from weights import original_to_hf, random_model  # noqa: E402


def _config_json(cfg: ModelConfig, layout: str, repo: str) -> Dict[str, Any]:
    v, c = cfg.vision, cfg.llm
    llm = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": c.hidden_size,
           "num_hidden_layers": c.num_layers, "num_attention_heads": c.num_heads,
           "num_key_value_heads": c.num_kv_heads, "intermediate_size": c.intermediate_size,
           "vocab_size": c.vocab_size, "rope_theta": c.rope_theta, "rms_norm_eps": c.rms_norm_eps,
           "max_position_embeddings": c.max_position_embeddings, "tie_word_embeddings": False,
           "torch_dtype": "bfloat16", "hidden_act": "silu"}
    if layout == "original":
        return {"_name_or_path": repo, "architectures": ["InternVLChatModel"], "model_type": "internvl_chat",
                "template": cfg.template, "force_image_size": v.image_size, "downsample_ratio": cfg.downsample_ratio,
                "ps_version": cfg.ps_version, "select_layer": -1, "max_dynamic_patch": cfg.max_tiles,
                "min_dynamic_patch": 1, "dynamic_image_size": True, "use_thumbnail": True, "torch_dtype": "bfloat16",
                "vision_config": {"architectures": ["InternVisionModel"], "model_type": "intern_vit_6b",
                                  "hidden_size": v.hidden_size, "num_hidden_layers": v.num_layers,
                                  "num_attention_heads": v.num_heads, "intermediate_size": v.intermediate_size,
                                  "image_size": v.image_size, "patch_size": v.patch_size,
                                  "layer_norm_eps": v.layer_norm_eps, "qkv_bias": v.qkv_bias,
                                  "qk_normalization": False, "norm_type": "layer_norm", "hidden_act": "gelu"},
                "llm_config": llm}
    return {"architectures": ["InternVLForConditionalGeneration"], "model_type": "internvl",
            "downsample_ratio": cfg.downsample_ratio, "vision_feature_layer": -1,
            "vision_feature_select_strategy": "default", "projector_hidden_act": "gelu",
            "image_token_id": cfg.special_id("<IMG_CONTEXT>"), "torch_dtype": "bfloat16",
            "vision_config": {"model_type": "internvl_vision", "hidden_size": v.hidden_size,
                              "num_hidden_layers": v.num_layers, "num_attention_heads": v.num_heads,
                              "intermediate_size": v.intermediate_size, "image_size": [v.image_size, v.image_size],
                              "patch_size": [v.patch_size, v.patch_size], "layer_norm_eps": v.layer_norm_eps,
                              "attention_bias": v.qkv_bias, "use_qk_norm": False, "norm_type": "layer_norm"},
            "text_config": llm}


def _tensor_bytes(t: torch.Tensor, dtype: str) -> bytes:
    if dtype == "bf16":
        return t.detach().contiguous().to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    return t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()


def write_shards(out: str, sd: Dict[str, torch.Tensor], dtype: str, shards: int) -> None:
    """Writes one tensor at a time (the header first, from shapes alone): at full size a shard's bytes
    never sit in memory together, only the model and one converted tensor (`bench:install` at 2B)."""
    names = sorted(sd)
    groups = [names[i::shards] for i in range(shards)] if shards > 1 else [names]
    groups = [sorted(g) for g in groups]
    width = 2 if dtype == "bf16" else 4
    weight_map: Dict[str, str] = {}
    total = 0
    for i, group in enumerate(groups):
        fname = "model.safetensors" if shards == 1 else f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        header: Dict[str, Any] = {"__metadata__": {"format": "pt"}}
        off = 0
        for n in group:
            size = sd[n].numel() * width
            header[n] = {"dtype": "BF16" if dtype == "bf16" else "F32", "shape": list(sd[n].shape),
                         "data_offsets": [off, off + size]}
            off += size
            weight_map[n] = fname
        total += off
        h = json.dumps(header, separators=(",", ":")).encode("utf-8")
        h += b" " * ((8 - len(h) % 8) % 8)
        with open(os.path.join(out, fname), "wb") as f:
            f.write(struct.pack("<Q", len(h)))
            f.write(h)
            for n in group:
                b = _tensor_bytes(sd[n], dtype)
                assert len(b) == header[n]["data_offsets"][1] - header[n]["data_offsets"][0]
                f.write(b)
                del b
    if shards > 1:
        with open(os.path.join(out, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def write_tokenizer(out: str, cfg: ModelConfig, kind: str) -> None:
    special = cfg.tokens["special"]
    decoder = {str(special[n]): {"content": n, "lstrip": False, "normalized": False, "rstrip": False,
                                 "single_word": False, "special": True} for n in SPECIAL_NAMES}
    tok_cfg = {"added_tokens_decoder": decoder, "bos_token": None, "eos_token": "<|im_end|>",
               "pad_token": "<|endoftext|>", "model_max_length": 8192, "tokenizer_class": "Qwen2Tokenizer",
               "clean_up_tokenization_spaces": False, "errors": "replace", "split_special_tokens": False}
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tok_cfg, f, ensure_ascii=False, indent=2)
    if kind == "json":
        with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tokenizer_json(special, cfg.llm.vocab_size), f, ensure_ascii=False, separators=(",", ":"))
        return
    b2u = bytes_to_unicode()
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({b2u[b]: b for b in range(256)}, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
    with open(os.path.join(out, "added_tokens.json"), "w", encoding="utf-8") as f:
        json.dump({n: special[n] for n in SPECIAL_NAMES}, f, indent=2)
    with open(os.path.join(out, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}, f, indent=2)


def expected_hashes(recipe_path: str, sd: Dict[str, np.ndarray]) -> Dict[str, Dict[str, str]]:
    """sha256 of every graph data file a correct build writes from `sd` (original names, float32)."""
    with open(recipe_path, "r", encoding="utf-8") as f:
        recipe = json.load(f)
    out: Dict[str, Dict[str, str]] = {}
    for v, graphs in recipe["variants"].items():
        out[v] = {}
        for g, r in graphs.items():
            buf = bytearray(r["data_bytes"])
            for t in r["tensors"]:
                b = apply_recipe(t, sd, t["shape"]).tobytes()
                buf[t["offset"]:t["offset"] + len(b)] = b
            assert all(t["offset"] % ALIGN == 0 for t in r["tensors"])
            out[v][g] = hashlib.sha256(bytes(buf)).hexdigest()
    return out


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--layout", choices=("original", "hf"), default="original")
    ap.add_argument("--dtype", choices=("f32", "bf16"), default="bf16")
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--tokenizer", choices=("json", "slow"), default="json")
    ap.add_argument("--repo", default="OpenGVLab/test-checkpoint")
    ap.add_argument("--graphs", default=None, help="graph set (make_graphs.py output) to write expected.json for")
    a = ap.parse_args(argv)
    cfg = ModelConfig.load(a.config)
    os.makedirs(a.out, exist_ok=True)
    sd = {k: v.detach() for k, v in random_model(cfg, a.seed).state_dict().items()}
    if a.dtype == "bf16":          # the values the checkpoint really holds
        sd = {k: v.to(torch.bfloat16).float() for k, v in sd.items()}
    write_shards(a.out, original_to_hf(sd) if a.layout == "hf" else sd, a.dtype, a.shards)
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(_config_json(cfg, a.layout, a.repo), f, indent=2)
    with open(os.path.join(a.out, "generation_config.json"), "w", encoding="utf-8") as f:
        json.dump({"eos_token_id": cfg.tokens["eos"]}, f)
    write_tokenizer(a.out, cfg, a.tokenizer)
    if a.graphs:
        exp = expected_hashes(os.path.join(a.graphs, "recipe.json"), {k: v.numpy() for k, v in sd.items()})
        with open(os.path.join(a.out, "expected.json"), "w", encoding="utf-8") as f:
            json.dump({"data_sha256": exp}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
