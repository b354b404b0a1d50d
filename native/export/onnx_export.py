"""@file ONNX export of the reference model into a bundle (BUNDLE-SPEC.md) and the manifest writer.

Owns: the three transformers.js-layout graphs (vision_encoder, embed_tokens, decoder_model_merged),
their I/O names and dynamic axes, external data for big graphs, and manifest.json (files + sha256).
Runs: /usr/bin/python3 with torch 1.13 `torch.onnx.export` (opset 17) and Debian's onnx 1.12.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from typing import Any, Dict, List, Optional

import onnx
import torch
import torch.nn as nn

from internvl_ref import InternVLChatModel, ModelConfig

OPSET = 17
BUNDLE_VERSION = "1"
# Graphs with more weight bytes than this keep their tensors in `<file>.onnx_data` (protobuf's 2 GiB cap).
EXTERNAL_DATA_THRESHOLD = 1_500_000_000
GRAPHS = ("vision_encoder", "embed_tokens", "decoder_model_merged")
SUFFIX = {"fp32": "", "fp16": "_fp16", "int8": "_int8", "q4": "_q4"}


class _Vision(nn.Module):
    def __init__(self, m: InternVLChatModel):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        return self.m.extract_feature(pixel_values)


class _Embed(nn.Module):
    def __init__(self, m: InternVLChatModel):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        return self.m.embed(input_ids)


class _Decoder(nn.Module):
    def __init__(self, m: InternVLChatModel):
        super().__init__()
        self.m = m

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        logits, presents = self.m.language_model(inputs_embeds, attention_mask, position_ids, list(past))
        return (logits, *presents)


def past_names(n_layers: int, prefix: str) -> List[str]:
    return [f"{prefix}.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]


def add_num_logits_to_keep(m: onnx.ModelProto) -> None:
    """Decoder input `num_logits_to_keep` (int64 scalar): 0 = logits for every position, N = the last N.

    [Note: num_logits_to_keep] As in transformers.js (engines feed it when the session lists it in
    inputNames): a 3k-token prefill need not return 3k x 151674 floats. It is a plain graph input, not an
    initializer-backed default, because onnxruntime-node only accepts feeds named in `inputNames`, which
    leaves overridable initializers out. Implemented as Slice(hidden, starts=-N, axes=1) before the
    lm_head MatMul (-0 = 0 keeps all)."""
    from onnx import TensorProto, helper, numpy_helper
    import numpy as np
    g = m.graph
    head = next((n for n in g.node if n.op_type == "MatMul" and "logits" in n.output), None)
    if head is None:
        raise RuntimeError("decoder graph: no MatMul produces 'logits'")
    h = head.input[0]
    name = "num_logits_to_keep"
    g.input.append(helper.make_tensor_value_info(name, TensorProto.INT64, []))
    g.initializer.extend([numpy_helper.from_array(np.array([0], dtype=np.int64), "nltk_axes0"),
                          numpy_helper.from_array(np.array([1], dtype=np.int64), "nltk_axes1"),
                          numpy_helper.from_array(np.array([2 ** 62], dtype=np.int64), "nltk_end")])
    nodes = [helper.make_node("Unsqueeze", [name, "nltk_axes0"], ["nltk_1d"], name="nltk_Unsqueeze"),
             helper.make_node("Neg", ["nltk_1d"], ["nltk_start"], name="nltk_Neg"),
             helper.make_node("Slice", [h, "nltk_start", "nltk_end", "nltk_axes1"], ["nltk_hidden"], name="nltk_Slice")]
    idx = list(g.node).index(head)
    head.input[0] = "nltk_hidden"
    for k, n in enumerate(nodes):
        g.node.insert(idx + k, n)
    for o in g.output:
        if o.name == "logits":
            o.type.tensor_type.shape.dim[1].dim_param = "logits_sequence_length"


def _save(model_path_tmp: str, out_path: str) -> None:
    """Re-save an exported graph into `out_path`, moving weights to one external file when large."""
    m = onnx.load(model_path_tmp)            # also loads any external tensors torch wrote
    if any(o.name == "logits" for o in m.graph.output):
        add_num_logits_to_keep(m)
    size = sum(len(t.raw_data) for t in m.graph.initializer)
    save_model(m, out_path, size > EXTERNAL_DATA_THRESHOLD)


def save_model(m: onnx.ModelProto, out_path: str, external: bool) -> None:
    data = os.path.basename(out_path) + "_data"
    if os.path.exists(out_path + "_data"):
        os.remove(out_path + "_data")
    if external:
        onnx.save_model(m, out_path, save_as_external_data=True, all_tensors_to_one_file=True, location=data,
                        size_threshold=1024)
    else:
        onnx.save_model(m, out_path)


@torch.no_grad()
def export_fp32(model: InternVLChatModel, onnx_dir: str) -> Dict[str, str]:
    """Export the three fp32 graphs into onnx_dir; returns {graph: relative path}."""
    cfg = model.cfg
    os.makedirs(onnx_dir, exist_ok=True)
    c = cfg.llm
    n_past = past_names(c.num_layers, "past_key_values")
    n_present = past_names(c.num_layers, "present")
    size = cfg.vision.image_size
    b, s, p = 2, 3, 4     # non-trivial dummy sizes so nothing is specialised to 1
    jobs = [
        ("vision_encoder", _Vision(model), (torch.randn(2, 3, size, size),), ["pixel_values"], ["image_features"],
         {"pixel_values": {0: "num_tiles"}, "image_features": {0: "num_tiles"}}),
        ("embed_tokens", _Embed(model), (torch.randint(0, c.vocab_size, (b, s)),), ["input_ids"], ["inputs_embeds"],
         {"input_ids": {0: "batch_size", 1: "sequence_length"},
          "inputs_embeds": {0: "batch_size", 1: "sequence_length"}}),
    ]
    dec_inputs = (torch.randn(b, s, c.hidden_size), torch.ones(b, p + s, dtype=torch.int64),
                  torch.arange(p, p + s).unsqueeze(0).expand(b, s).contiguous(),
                  *[torch.randn(b, c.num_kv_heads, p, c.head_dim) for _ in n_past])
    dec_axes: Dict[str, Dict[int, str]] = {
        "inputs_embeds": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in n_past:
        dec_axes[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in n_present:
        dec_axes[n] = {0: "batch_size", 2: "total_sequence_length"}
    jobs.append(("decoder_model_merged", _Decoder(model), dec_inputs,
                 ["inputs_embeds", "attention_mask", "position_ids", *n_past], ["logits", *n_present], dec_axes))
    out: Dict[str, str] = {}
    for name, mod, args, ins, outs, axes in jobs:
        tmp = tempfile.mkdtemp(prefix="shoebox-export-")
        try:
            tmp_path = os.path.join(tmp, name + ".onnx")
            torch.onnx.export(mod.eval(), args, tmp_path, input_names=ins, output_names=outs, dynamic_axes=axes,
                              opset_version=OPSET, do_constant_folding=True)
            _save(tmp_path, os.path.join(onnx_dir, name + ".onnx"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        out[name] = f"onnx/{name}.onnx"
    return out


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_tokens(cfg: ModelConfig) -> Dict[str, Any]:
    sp = cfg.special_id
    return {"img_start": sp("<img>"), "img_end": sp("</img>"), "img_context": sp("<IMG_CONTEXT>"),
            "im_start": sp("<|im_start|>"), "im_end": sp("<|im_end|>"), "eos": list(cfg.tokens["eos"]),
            "pad": cfg.tokens.get("pad"), "bos": cfg.tokens.get("bos")}


def write_manifest(bundle: str, cfg: ModelConfig, source: str, random_weights: bool,
                   variants: Dict[str, Dict[str, str]], extra: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """manifest.json (schema 1) listing every file under the bundle except itself."""
    files = []
    for root, _, names in os.walk(bundle):
        for n in sorted(names):
            full = os.path.join(root, n)
            rel = os.path.relpath(full, bundle).replace(os.sep, "/")
            if rel == "manifest.json":
                continue
            files.append({"path": rel, "bytes": os.path.getsize(full), "sha256": sha256_file(full)})
    files.sort(key=lambda f: f["path"])
    v, c = cfg.vision, cfg.llm
    manifest: Dict[str, Any] = {
        "schema": 1, "id": cfg.id, "name": cfg.name, "family": "internvl", "version": BUNDLE_VERSION,
        "source": source, "random_weights": random_weights, "template": cfg.template,
        "system_message": cfg.system_message,
        "image": {"size": v.image_size, "patch_size": v.patch_size, "downsample_ratio": cfg.downsample_ratio,
                  "num_image_token": cfg.num_image_token, "min_tiles": 1, "max_tiles": cfg.max_tiles,
                  "use_thumbnail": True, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "tokens": manifest_tokens(cfg),
        "llm": {"hidden_size": c.hidden_size, "num_layers": c.num_layers, "num_attention_heads": c.num_heads,
                "num_kv_heads": c.num_kv_heads, "head_dim": c.head_dim, "vocab_size": c.vocab_size,
                "max_position_embeddings": c.max_position_embeddings},
        "variants": variants,
        "files": files,
    }
    if extra:
        manifest.update(extra)
    with open(os.path.join(bundle, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")
    return manifest
