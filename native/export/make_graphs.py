"""@file Weightless graphs for the in-app bundle build: ONNX graphs whose weights are external data,
plus the recipe that says how to make every weight byte from a checkpoint tensor.

Owns: `assets/graphs/<arch>/` (shipped) and `test/fixtures/graphs/<arch>/` (tests): for each variant
and graph, `<graph><suffix>.onnx` (the exact graph export.py writes, with every weight initializer
turned into an external-data reference into `<graph><suffix>.onnx_data`) and one `recipe.json`.
Runs: /usr/bin/python3 native/export/make_graphs.py --config configs/internvl3-1b.json --out DIR
(torch 1.13 + onnx 1.12; deterministic: the same config gives byte-identical files).

[Note: Shipped graphs, weights built in Node] The app never runs Python. export.py's graphs are
generated once per architecture, here, with seeded random weights; every initializer is traced back
to the checkpoint tensor it came from (by exact value: the tensor itself or its transpose, since
torch folds `Linear` weights into transposed MatMul initializers), and every variant initializer to
the quantize.py / fp16.py transform of one fp32 initializer (`X_q`, `X_scale`, `X_zp`, `X_q4`,
`X_q4_scales`, `X_fp16`). The recipe is checked here by recomputing every weight from the state dict
with numpy and comparing bytes. The Node builder (main/models/build/) then streams a checkpoint,
applies the same transforms and writes each graph's `.onnx_data` at the recipe's offsets; the graph
files are copied as they are. The reference bytes of each data file under this script's random
weights (`reference.data_sha256`) let a test check the Node arithmetic bit for bit on a checkpoint
written from the same weights (write_checkpoint.py).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from typing import Any, Dict, List, Tuple

import numpy as np
import onnx
import torch
from onnx import TensorProto, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from model_config import ModelConfig  # noqa: E402
from onnx_export import GRAPHS, SUFFIX, export_fp32  # noqa: E402
from quantize import (INT8_GATHER_QMAX, INT8_MATMUL_QMAX, make_variant, quantize_int8_weights,  # noqa: E402
                      quantize_q4_weights)
from weights import random_model  # noqa: E402

RECIPE_VERSION = 1
ALIGN = 64
# Initializers that are not weights (shape constants of num_logits_to_keep) stay inside the graph.
MAX_INLINE_BYTES = 1024


def arch_of(cfg: ModelConfig) -> Dict[str, Any]:
    """What a checkpoint's config must match for these graphs (every number baked into them)."""
    return {"vision": dict(cfg.vision.__dict__), "llm": {k: v for k, v in cfg.llm.__dict__.items()
                                                        if k != "max_position_embeddings"},
            "downsample_ratio": cfg.downsample_ratio, "ps_version": cfg.ps_version}


def _fp32_sources(model: onnx.ModelProto, sd: Dict[str, np.ndarray]) -> Dict[str, Dict[str, Any]]:
    """fp32 initializer name -> {src, transpose}, found by exact value."""
    by_shape: Dict[Tuple[int, ...], List[str]] = {}
    for k, v in sd.items():
        by_shape.setdefault(tuple(v.shape), []).append(k)
    out: Dict[str, Dict[str, Any]] = {}
    for t in model.graph.initializer:
        if t.data_type != TensorProto.FLOAT:
            continue
        arr = numpy_helper.to_array(t)
        name = t.name[2:] if t.name.startswith("m.") else t.name
        if name in sd and sd[name].size == arr.size and np.array_equal(sd[name].reshape(arr.shape), arr):
            out[t.name] = {"src": name, "transpose": False}
            continue
        if arr.ndim == 2:
            hit = [k for k in by_shape.get((arr.shape[1], arr.shape[0]), []) if np.array_equal(sd[k].T, arr)]
            if len(hit) == 1:
                out[t.name] = {"src": hit[0], "transpose": True}
                continue
        if len(t.raw_data) > MAX_INLINE_BYTES:
            raise RuntimeError(f"initializer {t.name} {list(t.dims)} matches no weight of the reference")
    return out


_DERIVED = [("_q4_scales", "q4-scales"), ("_q4", "q4-packed"), ("_fp16", "fp16"), ("_scale", "int8-scale"),
            ("_zp", "int8-zp"), ("_q", "int8-q")]


def _recipe_for(t: onnx.TensorProto, graph: onnx.GraphProto, fp32: Dict[str, Dict[str, Any]]) -> Dict[str, Any] | None:
    if t.name in fp32 and t.data_type == TensorProto.FLOAT:
        return dict(fp32[t.name], op="copy")
    for suffix, op in _DERIVED:
        if not t.name.endswith(suffix):
            continue
        base = t.name[: -len(suffix)]
        if base not in fp32:
            continue
        if op.startswith("int8-"):
            # A table read by Gather is quantized per row (full range); a MatMulInteger weight per column (7 bits).
            gathered = any(n.op_type == "Gather" and n.input[0] == base + "_q" for n in graph.node)
            op = op.replace("int8-", "int8-gather-" if gathered else "int8-matmul-")
        return dict(fp32[base], op=op)
    return None


def apply_recipe(r: Dict[str, Any], sd: Dict[str, np.ndarray], shape: List[int]) -> np.ndarray:
    """numpy twin of the Node builder's transforms (main/models/build/transforms.ts)."""
    w = sd[r["src"]].astype(np.float32)
    if r["transpose"]:
        w = w.T
    op = r["op"]
    if op == "copy":
        out = w.reshape(shape)
    elif op == "fp16":
        out = w.astype(np.float16).reshape(shape)
    elif op in ("int8-matmul-q", "int8-matmul-scale"):
        q, s = quantize_int8_weights(w, axis=0, qmax=INT8_MATMUL_QMAX)
        out = q if op.endswith("-q") else s.reshape(-1)
    elif op == "int8-matmul-zp":
        out = np.zeros(w.shape[1], np.int8)
    elif op in ("int8-gather-q", "int8-gather-scale"):
        q, s = quantize_int8_weights(w, axis=1, qmax=INT8_GATHER_QMAX)
        out = q if op.endswith("-q") else s
    elif op in ("q4-packed", "q4-scales"):
        packed, s = quantize_q4_weights(w)
        out = packed if op == "q4-packed" else s
    else:
        raise ValueError(op)
    return np.ascontiguousarray(out).reshape(shape)


def strip_graph(src: str, dst: str, fp32: Dict[str, Dict[str, Any]], sd: Dict[str, np.ndarray]) -> Dict[str, Any]:
    """Write `dst` (weights as external data refs) and return its recipe entry; checks every recipe."""
    model = onnx.load(src)
    g = model.graph
    data_name = os.path.basename(dst) + "_data"
    tensors: List[Dict[str, Any]] = []
    data = hashlib.sha256()
    offset = 0
    for t in g.initializer:
        r = _recipe_for(t, g, fp32)
        if r is None:
            if len(t.raw_data) > MAX_INLINE_BYTES or t.data_location == TensorProto.EXTERNAL:
                raise RuntimeError(f"{os.path.basename(src)}: no recipe for initializer {t.name}")
            continue
        raw = t.raw_data
        mine = apply_recipe(r, sd, list(t.dims)).tobytes()
        if mine != raw:
            raise RuntimeError(f"{os.path.basename(src)}: recipe {r} does not reproduce {t.name}")
        pad = (-offset) % ALIGN
        data.update(b"\0" * pad)
        offset += pad
        tensors.append({"name": t.name, "dtype": t.data_type, "shape": list(t.dims), "offset": offset,
                        "length": len(raw), **r, "src_shape": list(sd[r["src"]].shape)})
        data.update(raw)
        t.ClearField("raw_data")
        del t.external_data[:]
        for k, val in (("location", data_name), ("offset", str(offset)), ("length", str(len(raw)))):
            e = t.external_data.add()
            e.key, e.value = k, val
        t.data_location = TensorProto.EXTERNAL
        offset += len(raw)
    for n in g.node:
        n.doc_string = ""
    onnx.save_model(model, dst)
    return {"graph": os.path.basename(dst), "data": data_name, "data_bytes": offset,
            "data_sha256": data.hexdigest(), "tensors": tensors}


def main(argv: List[str] | None = None) -> int:
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--seed", type=int, default=0,
                    help="random weights used to trace the recipe (and for the reference hashes)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--variants", default="fp32,int8,q4,fp16")
    a = ap.parse_args(argv)
    cfg = ModelConfig.load(a.config)
    variants = [v for v in a.variants.split(",") if v]
    model = random_model(cfg, a.seed)
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    tmp = tempfile.mkdtemp(prefix="shoebox-graphs-")
    try:
        paths = {"fp32": export_fp32(model, os.path.join(tmp, "onnx"))}
        fp32_sources: Dict[str, Dict[str, Any]] = {}
        for g, rel in paths["fp32"].items():
            fp32_sources[g] = _fp32_sources(onnx.load(os.path.join(tmp, rel)), sd)
        for v in variants:
            if v == "fp32":
                continue
            paths[v] = {}
            for g, rel in paths["fp32"].items():
                dst = f"onnx/{g}{SUFFIX[v]}.onnx"
                make_variant(os.path.join(tmp, rel), os.path.join(tmp, dst), v)
                paths[v][g] = dst
        if os.path.isdir(a.out):
            shutil.rmtree(a.out)
        os.makedirs(a.out)
        recipe: Dict[str, Any] = {"version": RECIPE_VERSION, "config": os.path.basename(a.config),
                                  "arch": arch_of(cfg), "reference": {"seed": a.seed}, "variants": {}}
        for v in variants:
            recipe["variants"][v] = {}
            for g in GRAPHS:
                name = f"{g}{SUFFIX[v]}.onnx"
                recipe["variants"][v][g] = strip_graph(os.path.join(tmp, paths[v][g]), os.path.join(a.out, name),
                                                       fp32_sources[g], sd)
        with open(os.path.join(a.out, "recipe.json"), "w", encoding="utf-8") as f:
            json.dump(recipe, f, indent=1)
            f.write("\n")
        sizes = {n: os.path.getsize(os.path.join(a.out, n)) for n in sorted(os.listdir(a.out))}
        print(json.dumps({"out": a.out, "bytes": sizes}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
