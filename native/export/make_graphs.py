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
import gc
import hashlib
import json
import os
import shutil
import sys
import tempfile
from typing import Any, Dict, Iterator, List, Tuple

import numpy as np
import onnx
import torch
from onnx import TensorProto
from onnx.external_data_helper import _get_attribute_tensors, load_external_data_for_tensor, uses_external_data

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from model_config import ModelConfig  # noqa: E402
import onnx_export  # noqa: E402
from onnx_export import EXTERNAL_DATA_THRESHOLD, GRAPHS, SUFFIX, add_num_logits_to_keep, export_fp32  # noqa: E402
from quantize import (INT8_GATHER_QMAX, INT8_MATMUL_QMAX, make_variant, quantize_int8_weights,  # noqa: E402
                      quantize_q4_weights, tensor_array, tensor_nbytes)
from weights import random_model  # noqa: E402

RECIPE_VERSION = 1
ALIGN = 64
# Initializers that are not weights (shape constants of num_logits_to_keep) stay inside the graph.
MAX_INLINE_BYTES = 1024
CHUNK = 1 << 26
FILE_BACKED_MIN_BYTES = 1 << 20   # smaller weights stay in ordinary memory

# [Note: make_graphs memory] The InternVL3-2B graphs must be made on a 23 GB machine, so no graph is
# ever loaded with its weights: graphs are read with `load_external_data=False`, each weight is mapped
# from its data file (np.memmap) when it is compared, transformed or hashed, the state dict `sd` holds
# views of the torch parameters, and after the fp32 export (to disk) one graph at a time is turned
# into variants, stripped and deleted. The output is byte-identical to loading everything: onnx.load's only trace on a tensor it
# read from external data is an explicitly set `data_location = DEFAULT` (a proto2 field, serialized
# once set), so `_inline` repeats exactly that for every tensor that stays inside a graph, and the
# fp32 intermediate externalizes exactly the tensors onnx.save_model would have (plus big ones that
# must have a recipe anyway). The model's own weights live in a file-backed np.memmap (`_file_backed`):
# torch.onnx.export's tracer clones every parameter of the module it traces (the whole model, for each
# graph, since export.py's wrappers hold it), so at full size the model and that clone would not fit
# together in anonymous memory; the mapped weights are clean page cache the kernel can drop and re-read.


def arch_of(cfg: ModelConfig) -> Dict[str, Any]:
    """What a checkpoint's config must match for these graphs (every number baked into them)."""
    return {"vision": dict(cfg.vision.__dict__), "llm": {k: v for k, v in cfg.llm.__dict__.items()
                                                        if k != "max_position_embeddings"},
            "downsample_ratio": cfg.downsample_ratio, "ps_version": cfg.ps_version}


def _inline(t: onnx.TensorProto, base_dir: str) -> None:
    """What onnx.load does to an external tensor (see [Note: make_graphs memory])."""
    load_external_data_for_tensor(t, base_dir)
    t.data_location = TensorProto.DEFAULT
    del t.external_data[:]


def _chunks(t: onnx.TensorProto, base_dir: str) -> Iterator[memoryview]:
    """A tensor's data bytes, a bounded piece at a time (mapped from its file when external)."""
    if t.data_location != TensorProto.EXTERNAL:
        yield memoryview(t.raw_data)
        return
    info = {e.key: e.value for e in t.external_data}
    n = tensor_nbytes(t)
    if n == 0:
        return
    mm = np.memmap(os.path.join(base_dir, info["location"]), dtype=np.uint8, mode="r",
                   offset=int(info.get("offset", "0")), shape=(n,))
    for i in range(0, n, CHUNK):
        yield memoryview(mm[i:i + CHUNK])
    del mm


def _set_external(t: onnx.TensorProto, location: str, offset: int, length: int) -> None:
    t.ClearField("raw_data")
    del t.external_data[:]
    for k, val in (("location", location), ("offset", str(offset)), ("length", str(length))):
        e = t.external_data.add()
        e.key, e.value = k, val
    t.data_location = TensorProto.EXTERNAL


def save_fp32_lean(model_path_tmp: str, out_path: str) -> None:
    """onnx_export._save without loading the weights: the same graph, its big weights streamed into
    `<out>_data` (every tensor onnx.save_model would externalize there, and every one over
    MAX_INLINE_BYTES), the rest inline exactly as onnx.load + save would leave them."""
    base = os.path.dirname(model_path_tmp)
    m = onnx.load(model_path_tmp, load_external_data=False)
    for t in _get_attribute_tensors(m):
        if uses_external_data(t):
            _inline(t, base)
    if any(o.name == "logits" for o in m.graph.output):
        add_num_logits_to_keep(m)
    gc.collect()
    inits = list(m.graph.initializer)
    external = sum(tensor_nbytes(t) for t in inits) > EXTERNAL_DATA_THRESHOLD
    overhead = sys.getsizeof(b"")
    data_name = os.path.basename(out_path) + "_data"
    offset = 0
    with open(out_path + "_data", "wb") as f:
        for t in inits:
            n = tensor_nbytes(t)
            has_data = uses_external_data(t) or t.HasField("raw_data")
            saved_external = external and has_data and overhead + n >= 1024   # onnx.save_model's test
            if not (saved_external or (has_data and n > MAX_INLINE_BYTES)):
                if uses_external_data(t):
                    _inline(t, base)
                continue
            for piece in _chunks(t, base):
                f.write(piece)
            _set_external(t, data_name, offset, n)
            offset += n
    onnx.save_model(m, out_path)


def _file_backed(model: torch.nn.Module, path: str) -> None:
    """Move every large parameter and buffer of `model` into one file mapped with np.memmap (same values,
    see [Note: make_graphs memory])."""
    tensors, seen = [], set()
    for t in list(model.parameters()) + list(model.buffers()):
        if id(t) not in seen and t.is_contiguous() and t.numel() * t.element_size() >= FILE_BACKED_MIN_BYTES:
            seen.add(id(t))
            tensors.append(t)
    total = sum(-(-t.numel() * t.element_size() // ALIGN) * ALIGN for t in tensors)
    if total == 0:
        return
    mm = np.memmap(path, dtype=np.uint8, mode="w+", shape=(total,))
    offset = 0
    with torch.no_grad():
        for t in tensors:
            a = t.detach().numpy()
            view = mm[offset:offset + a.nbytes].view(a.dtype).reshape(a.shape)
            view[...] = a
            t.data = torch.from_numpy(view)
            offset += -(-a.nbytes // ALIGN) * ALIGN
            del a
    mm.flush()
    gc.collect()


def _fp32_sources(path: str, sd: Dict[str, np.ndarray]) -> Dict[str, Dict[str, Any]]:
    """fp32 initializer name -> {src, transpose}, found by exact value."""
    model = onnx.load(path, load_external_data=False)
    base = os.path.dirname(path)
    by_shape: Dict[Tuple[int, ...], List[str]] = {}
    for k, v in sd.items():
        by_shape.setdefault(tuple(v.shape), []).append(k)
    out: Dict[str, Dict[str, Any]] = {}
    for t in model.graph.initializer:
        if t.data_type != TensorProto.FLOAT:
            continue
        arr = tensor_array(t, base)
        name = t.name[2:] if t.name.startswith("m.") else t.name
        if name in sd and sd[name].size == arr.size and np.array_equal(sd[name].reshape(arr.shape), arr):
            out[t.name] = {"src": name, "transpose": False}
            continue
        if arr.ndim == 2:
            # A corner first: a full strided compare per candidate is quadratic in the layer count (hours at 2B).
            corner = np.array(arr[:2, :8])
            hit = [k for k in by_shape.get((arr.shape[1], arr.shape[0]), [])
                   if np.array_equal(sd[k].T[:2, :8], corner) and np.array_equal(sd[k].T, arr)]
            if len(hit) == 1:
                out[t.name] = {"src": hit[0], "transpose": True}
                continue
        if tensor_nbytes(t) > MAX_INLINE_BYTES:
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
    w = sd[r["src"]].astype(np.float32, copy=False)
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
    """Write `dst` (weights as external data refs) and return its recipe entry; checks every recipe.
    Reads `src` without its weights and maps one weight at a time ([Note: make_graphs memory])."""
    model = onnx.load(src, load_external_data=False)
    base = os.path.dirname(src)
    g = model.graph
    for t in _get_attribute_tensors(model):
        if uses_external_data(t):
            _inline(t, base)
    data_name = os.path.basename(dst) + "_data"
    tensors: List[Dict[str, Any]] = []
    data = hashlib.sha256()
    offset = 0
    for t in g.initializer:
        r = _recipe_for(t, g, fp32)
        if r is None:
            if uses_external_data(t):
                _inline(t, base)
            if len(t.raw_data) > MAX_INLINE_BYTES:
                raise RuntimeError(f"{os.path.basename(src)}: no recipe for initializer {t.name}")
            continue
        n = tensor_nbytes(t)
        mine = np.ascontiguousarray(apply_recipe(r, sd, list(t.dims))).reshape(-1).view(np.uint8)
        at = 0
        for piece in _chunks(t, base):
            if not np.array_equal(mine[at:at + len(piece)], np.frombuffer(piece, np.uint8)):
                raise RuntimeError(f"{os.path.basename(src)}: recipe {r} does not reproduce {t.name}")
            at += len(piece)
        if at != n or len(mine) != n:
            raise RuntimeError(f"{os.path.basename(src)}: recipe {r} does not reproduce {t.name}")
        del mine
        pad = (-offset) % ALIGN
        data.update(b"\0" * pad)
        offset += pad
        tensors.append({"name": t.name, "dtype": t.data_type, "shape": list(t.dims), "offset": offset,
                        "length": n, **r, "src_shape": list(sd[r["src"]].shape)})
        for piece in _chunks(t, base):
            data.update(piece)
        _set_external(t, data_name, offset, n)
        offset += n
    for n in g.node:
        n.doc_string = ""
    onnx.save_model(model, dst)
    return {"graph": os.path.basename(dst), "data": data_name, "data_bytes": offset,
            "data_sha256": data.hexdigest(), "tensors": tensors}


def _remove_graph(path: str) -> None:
    for p in (path, path + "_data"):
        if os.path.exists(p):
            os.remove(p)


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
    tmp = tempfile.mkdtemp(prefix="shoebox-graphs-")
    try:
        _file_backed(model, os.path.join(tmp, "weights.bin"))
        sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}   # views, no copies
        onnx_dir = os.path.join(tmp, "onnx")
        plain_save = onnx_export._save
        onnx_export._save = save_fp32_lean
        try:
            paths = export_fp32(model, onnx_dir)
        finally:
            onnx_export._save = plain_save
        gc.collect()
        if os.path.isdir(a.out):
            shutil.rmtree(a.out)
        os.makedirs(a.out)
        entries: Dict[Tuple[str, str], Dict[str, Any]] = {}
        for g in GRAPHS:      # one graph at a time: its variants, stripped, then its files deleted
            src = os.path.join(tmp, paths[g])
            fp32_sources = _fp32_sources(src, sd)
            for v in variants:
                name = f"{g}{SUFFIX[v]}.onnx"
                path = src if v == "fp32" else os.path.join(onnx_dir, name)
                if v != "fp32":
                    make_variant(src, path, v, lazy=True)
                entries[(v, g)] = strip_graph(path, os.path.join(a.out, name), fp32_sources, sd)
                if v != "fp32":
                    _remove_graph(path)
                gc.collect()
            _remove_graph(src)
        recipe: Dict[str, Any] = {"version": RECIPE_VERSION, "config": os.path.basename(a.config),
                                  "arch": arch_of(cfg), "reference": {"seed": a.seed},
                                  "variants": {v: {g: entries[(v, g)] for g in GRAPHS} for v in variants}}
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
