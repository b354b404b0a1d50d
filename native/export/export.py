"""@file CLI: turn an InternVL checkpoint, or a config + seed, into a Shoebox model bundle.

Owns: the `random`, `convert` and `random-embedder` subcommands, checkpoint config parsing, tokenizer
placement (the text-embedder bundle itself is built by embedder_export.py).
Runs: /usr/bin/python3 native/export/export.py {random,convert} ... (torch 1.13, onnx 1.12, CPU).

  random           --config configs/tiny.json --seed 0 --out DIR [--variants fp32,int8,q4,fp16]
  convert          --checkpoint DIR --out DIR [--variants ...] [--id ID]
  random-embedder  --config configs/tiny-embedder.json --seed 0 --out DIR [--variants fp32,int8]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import sys
import time
from typing import Any, Dict, List, Tuple

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from internvl_ref import InternVLChatModel, LlmConfig, ModelConfig, VisionConfig  # noqa: E402
from onnx_export import SUFFIX, export_fp32, write_manifest  # noqa: E402
from text import SPECIAL_NAMES, write_tokenizer  # noqa: E402
from weights import hf_to_original, is_hf_layout, random_model, read_safetensors  # noqa: E402

ALL_VARIANTS = ("fp32", "int8", "q4", "fp16")


def parse_variants(s: str) -> List[str]:
    out = [v.strip() for v in s.split(",") if v.strip()]
    bad = [v for v in out if v not in ALL_VARIANTS]
    if bad or "fp32" not in out:
        raise SystemExit(f"--variants must include fp32 and only {','.join(ALL_VARIANTS)}; got {s!r}")
    return out


def build_bundle(model: InternVLChatModel, out: str, source: str, random_weights: bool, variants: List[str],
                 tokenizer_src: str | None) -> Dict[str, Any]:
    """Export graphs + variants + tokenizer into `out` and write the manifest last."""
    cfg = model.cfg
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    timings: Dict[str, float] = {}
    t = time.time()
    paths = {"fp32": export_fp32(model, os.path.join(out, "onnx"))}
    timings["fp32_s"] = round(time.time() - t, 2)
    for v in variants:
        if v == "fp32":
            continue
        from quantize import make_variant  # local import: only needed for variants
        t = time.time()
        paths[v] = {}
        for g, rel in paths["fp32"].items():
            dst = f"onnx/{g}{SUFFIX[v]}.onnx"
            make_variant(os.path.join(out, rel), os.path.join(out, dst), v)
            paths[v][g] = dst
        timings[f"{v}_s"] = round(time.time() - t, 2)
    tok_path = os.path.join(out, "tokenizer.json")
    if tokenizer_src:
        shutil.copyfile(tokenizer_src, tok_path)
    else:
        write_tokenizer(tok_path, cfg.tokens["special"], cfg.llm.vocab_size)
    manifest = write_manifest(out, cfg, source, random_weights, paths)
    print(json.dumps({"bundle": out, "timings": timings,
                      "bytes": {f["path"]: f["bytes"] for f in manifest["files"]}}))
    return manifest


# --------------------------------------------------------------------------------------------------
# convert
# --------------------------------------------------------------------------------------------------

def _first(d: Dict[str, Any], *keys, default=None):
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


def _scalar(x):
    return x[0] if isinstance(x, (list, tuple)) else x


def config_from_checkpoint(ckpt: Dict[str, Any], special: Dict[str, int], model_id: str) -> ModelConfig:
    """ModelConfig from an original (`llm_config`) or -hf (`text_config`) InternVL config.json."""
    vc = ckpt.get("vision_config") or {}
    lc = ckpt.get("llm_config") or ckpt.get("text_config") or {}
    if not vc or not lc:
        raise ValueError("config.json lacks vision_config and llm_config/text_config: not an InternVL checkpoint")
    arch = (lc.get("architectures") or [lc.get("model_type", "")])[0]
    if "qwen2" not in str(arch).lower():
        raise ValueError(f"unsupported language model {arch!r}: only Qwen2-based InternVL (2.5-1B, 3-1B/2B)")
    if _first(vc, "qk_normalization", "use_qk_norm", default=False) or \
            _first(vc, "norm_type", default="layer_norm") != "layer_norm":
        raise ValueError("unsupported vision tower (RMSNorm / QK-norm InternViT-6B)")
    heads = lc["num_attention_heads"]
    vision = VisionConfig(
        hidden_size=vc["hidden_size"], num_layers=vc["num_hidden_layers"], num_heads=vc["num_attention_heads"],
        intermediate_size=vc["intermediate_size"], image_size=int(_scalar(_first(
            ckpt, "force_image_size", default=_first(vc, "image_size", default=448)))),
        patch_size=int(_scalar(vc.get("patch_size", 14))), layer_norm_eps=float(vc.get("layer_norm_eps", 1e-6)),
        qkv_bias=bool(_first(vc, "qkv_bias", "attention_bias", default=True)))
    llm = LlmConfig(
        hidden_size=lc["hidden_size"], num_layers=lc["num_hidden_layers"], num_heads=heads,
        num_kv_heads=lc.get("num_key_value_heads", heads), head_dim=lc.get("head_dim") or lc["hidden_size"] // heads,
        intermediate_size=lc["intermediate_size"], vocab_size=lc["vocab_size"],
        rope_theta=float(lc.get("rope_theta", 1e6)), rms_norm_eps=float(lc.get("rms_norm_eps", 1e-6)),
        max_position_embeddings=int(lc.get("max_position_embeddings", 32768)))
    if ckpt.get("template", "internvl2_5") != "internvl2_5":
        raise ValueError(f"unsupported template {ckpt.get('template')!r}: only internvl2_5")
    if abs(float(_first(ckpt, "downsample_ratio", default=0.5)) - 0.5) > 1e-9:
        raise ValueError("only downsample_ratio 0.5 is supported")
    if _first(ckpt, "ps_version", default="v2") != "v2" or int(_first(ckpt, "select_layer", "vision_feature_layer",
                                                                       default=-1)) != -1:
        raise ValueError("only ps_version v2 and select_layer -1 are supported")
    return ModelConfig(
        id=model_id, name=model_id, vision=vision, llm=llm, template="internvl2_5",
        system_message=ckpt.get("system_message"), max_tiles=int(_first(ckpt, "max_dynamic_patch", default=12)),
        tokenizer="file", tokens={"special": special, "eos": [special["<|im_end|>"]],
                                  "pad": special["<|endoftext|>"], "bos": None})


def special_ids_from_tokenizer(path: str) -> Dict[str, int]:
    with open(path, "r", encoding="utf-8") as f:
        tj = json.load(f)
    found = {t["content"]: int(t["id"]) for t in tj.get("added_tokens", [])}
    missing = [n for n in SPECIAL_NAMES if n not in found]
    if missing:
        raise ValueError(f"{path}: special tokens missing from added_tokens: {missing}")
    return {n: found[n] for n in SPECIAL_NAMES}


def load_checkpoint_weights(ckpt_dir: str) -> Dict[str, torch.Tensor]:
    files = sorted(glob.glob(os.path.join(ckpt_dir, "*.safetensors")))
    sd: Dict[str, torch.Tensor] = {}
    if files:
        for f in files:
            sd.update(read_safetensors(f))
    else:
        bins = sorted(glob.glob(os.path.join(ckpt_dir, "pytorch_model*.bin")))
        if not bins:
            raise ValueError(f"{ckpt_dir}: no *.safetensors or pytorch_model*.bin")
        for f in bins:
            # weights_only: a checkpoint is data; never run pickled code from it
            sd.update({k: v.float() for k, v in torch.load(f, map_location="cpu", weights_only=True).items()})
    return hf_to_original(sd) if is_hf_layout(sd) else sd


def load_checkpoint(ckpt_dir: str, model_id: str) -> Tuple[InternVLChatModel, str]:
    """(reference model with the checkpoint's weights, tokenizer.json path)."""
    cfg_path, tok_path = os.path.join(ckpt_dir, "config.json"), os.path.join(ckpt_dir, "tokenizer.json")
    for p in (cfg_path, tok_path):
        if not os.path.isfile(p):
            raise ValueError(f"checkpoint is missing {os.path.basename(p)} ({p})")
    with open(cfg_path, "r", encoding="utf-8") as f:
        ckpt_cfg = json.load(f)
    cfg = config_from_checkpoint(ckpt_cfg, special_ids_from_tokenizer(tok_path), model_id)
    sd = load_checkpoint_weights(ckpt_dir)
    model = InternVLChatModel(cfg)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(sd))
    if "language_model.lm_head.weight" in missing and "language_model.model.embed_tokens.weight" in sd:
        sd["language_model.lm_head.weight"] = sd["language_model.model.embed_tokens.weight"]   # tied checkpoints
        missing.remove("language_model.lm_head.weight")
    if missing:
        raise ValueError(f"checkpoint lacks {len(missing)} weights, e.g. {missing[:5]}")
    unexpected = sorted(set(sd) - set(expected))
    if unexpected:
        raise ValueError(f"checkpoint has {len(unexpected)} unexpected weights, e.g. {unexpected[:5]}")
    for k, v in sd.items():
        if tuple(v.shape) != tuple(expected[k].shape):
            raise ValueError(f"{k}: shape {tuple(v.shape)} != expected {tuple(expected[k].shape)}")
    model.load_state_dict(sd)
    return model.eval(), tok_path


def checkpoint_source(ckpt_dir: str, folder: str) -> str:
    """`_name_or_path` of the checkpoint's config when it looks like a hub id, else the folder name."""
    try:
        with open(os.path.join(ckpt_dir, "config.json"), "r", encoding="utf-8") as f:
            name = json.load(f).get("_name_or_path") or ""
    except (OSError, ValueError):
        name = ""
    return name if re.fullmatch(r"[\w.-]+/[\w.-]+", name) else folder


def main(argv: List[str] | None = None) -> int:
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("random", help="random-weight bundle from a config")
    r.add_argument("--config", required=True)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", required=True)
    r.add_argument("--variants", default="fp32")
    c = sub.add_parser("convert", help="bundle from an InternVL checkpoint (original or -hf layout)")
    c.add_argument("--checkpoint", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--id", default=None, help="bundle id (default: checkpoint folder name, lower-cased)")
    c.add_argument("--variants", default="fp32")
    c.add_argument("--source", default=None,
                   help="manifest source, e.g. OpenGVLab/InternVL3-1B (default: config _name_or_path or folder name)")
    e = sub.add_parser("random-embedder", help="random-weight text-embedder bundle (ModernBERT) from a config")
    e.add_argument("--config", required=True)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--out", required=True)
    e.add_argument("--variants", default="fp32")
    a = ap.parse_args(argv)
    variants = parse_variants(a.variants)
    try:
        if a.cmd == "random-embedder":
            from embedder_export import build_embedder_bundle
            from embedder_ref import EmbedderConfig
            name = os.path.splitext(os.path.basename(a.config))[0]
            build_embedder_bundle(EmbedderConfig.load(a.config), name, a.seed, a.out, variants)
        elif a.cmd == "random":
            cfg = ModelConfig.load(a.config)
            model = random_model(cfg, a.seed)
            name = os.path.splitext(os.path.basename(a.config))[0]
            build_bundle(model, a.out, f"random:{name}:seed={a.seed}", True, variants, None)
        else:
            folder = os.path.basename(os.path.normpath(a.checkpoint))
            mid = a.id or folder.lower()
            if not re.fullmatch(r"[a-z0-9._-]+", mid):
                raise ValueError(f"bundle id {mid!r} must match [a-z0-9._-]+ (pass --id)")
            model, tok = load_checkpoint(a.checkpoint, mid)
            build_bundle(model, a.out, a.source or checkpoint_source(a.checkpoint, folder), False, variants, tok)
    except (ValueError, OSError, KeyError) as err:
        print(f"export: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
