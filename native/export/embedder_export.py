"""@file Text-embedder bundles: ONNX export of the reference encoder, the int8 variant, tokenizer and manifest.

Owns: the text-embedder layout of BUNDLE-SPEC.md ("Text-embedder bundles"): `onnx/model.onnx` with the
I/O names of the authors' published ONNX files (input_ids, attention_mask -> last_hidden_state, see
EMBEDDER.md), `onnx/model_int8.onnx` (quantize.py's rewrite), `tokenizer.json`, `manifest.json`.
Runs: /usr/bin/python3 native/export/export.py random-embedder --config ... --seed N --out DIR
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from typing import Any, Dict, List

import onnx
import torch

from embedder_ref import EmbedderConfig, ModernBertEncoder, random_encoder
from embedder_text import write_tokenizer
from onnx_export import BUNDLE_VERSION, OPSET, sha256_file

EMBEDDER_VARIANTS = ("fp32", "int8")
INPUTS = ["input_ids", "attention_mask"]
OUTPUT = "last_hidden_state"
FILES = {"fp32": "onnx/model.onnx", "int8": "onnx/model_int8.onnx"}


def drop_trailing_empty_inputs(m: onnx.ModelProto) -> None:
    """torch 1.13 writes the bias-less LayerNorm as LayerNormalization(x, gain, ''). onnxruntime 1.30's
    extended optimizers (the skip-LayerNorm fusion) crash the process on that empty optional input, so it is
    dropped: a trailing optional input may be omitted, which is what newer exporters write."""
    for n in m.graph.node:
        while len(n.input) > 0 and n.input[-1] == "":
            del n.input[-1]


@torch.no_grad()
def export_encoder(model: ModernBertEncoder, path: str) -> None:
    """fp32 graph with dynamic batch and sequence axes; the dummy batch is padded so nothing is specialised."""
    ids = torch.tensor([[1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 0, 0]], dtype=torch.int64)
    mask = torch.tensor([[1] * 7, [1] * 5 + [0, 0]], dtype=torch.int64)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "sequence_length"},
            OUTPUT: {0: "batch_size", 1: "sequence_length"}}
    tmp = tempfile.mkdtemp(prefix="shoebox-embedder-")
    try:
        tmp_path = os.path.join(tmp, "model.onnx")
        torch.onnx.export(model.eval(), (ids, mask), tmp_path, input_names=INPUTS, output_names=[OUTPUT],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
        m = onnx.load(tmp_path)
        drop_trailing_empty_inputs(m)
        onnx.checker.check_model(m)
        onnx.save_model(m, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def manifest_for(cfg: EmbedderConfig, source: str, random_weights: bool, variants: List[str],
                 files: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        "schema": 1, "id": cfg.id, "name": cfg.name, "family": "text-embedder", "version": BUNDLE_VERSION,
        "source": source, "random_weights": random_weights, "architecture": "modernbert",
        "embedding": {"dim": cfg.hidden_size, "pooling": cfg.pooling, "normalize": cfg.normalize,
                      "max_length": cfg.max_length, "prefixes": dict(cfg.prefixes)},
        "tokens": {"cls": cfg.tokens["cls"], "sep": cfg.tokens["sep"], "pad": cfg.tokens["pad"]},
        "graph": {"output": OUTPUT},
        "variants": {v: {"model": FILES[v]} for v in variants},
        "files": files,
    }


def build_embedder_bundle(cfg: EmbedderConfig, config_name: str, seed: int, out: str,
                          variants: List[str]) -> Dict[str, Any]:
    """Export fp32 (+ int8), write tokenizer.json, then manifest.json last (a folder without it is no bundle).
    `config_name` names configs/<config_name>.json in the manifest's source."""
    bad = [v for v in variants if v not in EMBEDDER_VARIANTS]
    if bad or "fp32" not in variants:
        raise ValueError(f"text-embedder variants must include fp32 and only {','.join(EMBEDDER_VARIANTS)}; "
                         f"got {variants}")
    tok = cfg.tokenizer()
    model = random_encoder(cfg, seed)
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    manifest_path = os.path.join(out, "manifest.json")
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    timings: Dict[str, float] = {}
    t = time.time()
    export_encoder(model, os.path.join(out, FILES["fp32"]))
    timings["fp32_s"] = round(time.time() - t, 2)
    if "int8" in variants:
        from quantize import make_variant  # local import: only needed for variants
        t = time.time()
        make_variant(os.path.join(out, FILES["fp32"]), os.path.join(out, FILES["int8"]), "int8")
        timings["int8_s"] = round(time.time() - t, 2)
    write_tokenizer(os.path.join(out, "tokenizer.json"), tok, cfg.vocab_size)
    rels = ["tokenizer.json"] + [FILES[v] for v in variants]
    files = [{"path": r, "bytes": os.path.getsize(os.path.join(out, r)), "sha256": sha256_file(os.path.join(out, r))}
             for r in sorted(rels)]
    manifest = manifest_for(cfg, f"random:{config_name}:seed={seed}", True, variants, files)
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(json.dumps({"bundle": out, "timings": timings, "bytes": {f["path"]: f["bytes"] for f in files}}))
    return manifest
