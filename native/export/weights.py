"""@file Weights for the reference: seeded random init, checkpoint reading (original / -hf), safetensors.

Owns: `random_model` (same config + seed -> bit-identical weights, used by export, goldens and bench),
`load_checkpoint` (InternVL original or `-hf` layout -> reference names and config), and a small
safetensors reader/writer (Debian has no python3-safetensors: the format is an 8-byte little-endian
header length, a JSON header {name: {dtype, shape, data_offsets}}, then raw little-endian tensors).
Runs: /usr/bin/python3.
"""
from __future__ import annotations

import json
import os
import re
import struct
from typing import Any, Dict, Tuple

import numpy as np
import torch

from internvl_ref import InternVLChatModel, ModelConfig

# --------------------------------------------------------------------------------------------------
# Random weights
# --------------------------------------------------------------------------------------------------


def _random_tensor(name: str, shape: Tuple[int, ...], gen: torch.Generator, init: Dict[str, float]) -> torch.Tensor:
    """Init rule by parameter role; scales keep activations O(1) so logits have clear greedy margins."""
    def normal(std: float) -> torch.Tensor:
        return torch.randn(shape, generator=gen, dtype=torch.float32) * std

    leaf = name.rsplit(".", 1)[-1]
    if name.endswith(("ls1", "ls2")):
        return 0.5 + normal(init.get("layer_scale_std", 0.1))
    if leaf == "weight" and len(shape) == 1:                 # LayerNorm / RMSNorm gains
        return 1.0 + normal(init.get("norm_std", 0.1))
    if leaf == "bias":
        return normal(init.get("bias_std", 0.02))
    if name.endswith(("class_embedding", "position_embedding")):
        return normal(init.get("pos_std", 0.2))
    if name.endswith("embed_tokens.weight"):
        return normal(init.get("embed_std", 1.0))
    fan_in = int(np.prod(shape[1:]))
    gain = init.get("lm_head_gain", 2.0) if name.endswith("lm_head.weight") else init.get("gain", 1.0)
    return normal(gain / fan_in ** 0.5)


def random_model(cfg: ModelConfig, seed: int) -> InternVLChatModel:
    """A reference model with the seeded random weights of `cfg` (eval mode, float32)."""
    torch.manual_seed(seed)
    model = InternVLChatModel(cfg)
    gen = torch.Generator().manual_seed(seed)
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name in sorted(params):
            p = params[name]
            p.copy_(_random_tensor(name, tuple(p.shape), gen, cfg.init))
    return model.eval()


# --------------------------------------------------------------------------------------------------
# safetensors
# --------------------------------------------------------------------------------------------------

_ST_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32,
              "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path: str) -> Dict[str, torch.Tensor]:
    """Read every tensor of a .safetensors file (F32/F16/BF16/ints) into float32/int torch tensors."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: not a safetensors file (too short)")
    (hlen,) = struct.unpack("<Q", raw[:8])
    if hlen > len(raw) - 8:
        raise ValueError(f"{path}: header length {hlen} exceeds file size")
    header = json.loads(raw[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    out: Dict[str, torch.Tensor] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        buf = raw[base + start:base + end]
        shape = tuple(meta["shape"])
        dt = meta["dtype"]
        if dt == "BF16":
            u16 = np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32).reshape(shape)
        elif dt in _ST_DTYPES:
            arr = np.frombuffer(buf, dtype=np.dtype(_ST_DTYPES[dt]).newbyteorder("<")).reshape(shape)
        else:
            raise ValueError(f"{path}: unsupported dtype {dt} for {name}")
        t = torch.from_numpy(arr.copy())
        out[name] = t.float() if t.is_floating_point() else t
    return out


def write_safetensors(path: str, tensors: Dict[str, torch.Tensor]) -> None:
    """Write float32 tensors as F32 safetensors (used by tests to build fake checkpoints)."""
    header: Dict[str, Any] = {}
    blobs = []
    off = 0
    for name in sorted(tensors):
        b = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# --------------------------------------------------------------------------------------------------
# Checkpoint layouts
# --------------------------------------------------------------------------------------------------

# -hf name -> original name, applied in order to each key (inverse of transformers'
# convert_internvl_weights_to_hf.py mappings; both the `model.`-prefixed and the older prefix-less forms).
_HF_TO_ORIGINAL = [
    (r"^model\.vision_tower\.", "vision_model."), (r"^vision_tower\.", "vision_model."),
    (r"^model\.multi_modal_projector\.", "mlp1."), (r"^multi_modal_projector\.", "mlp1."),
    (r"^mlp1\.layer_norm\.", "mlp1.0."), (r"^mlp1\.linear_1\.", "mlp1.1."), (r"^mlp1\.linear_2\.", "mlp1.3."),
    (r"^model\.language_model\.", "language_model.model."), (r"^lm_head\.", "language_model.lm_head."),
    (r"\.encoder\.layer\.", ".encoder.layers."), (r"\.embeddings\.cls_token$", ".embeddings.class_embedding"),
    (r"\.embeddings\.position_embeddings$", ".embeddings.position_embedding"),
    (r"\.embeddings\.patch_embeddings\.projection\.", ".embeddings.patch_embedding."),
    (r"\.lambda_(\d)$", r".ls\1"), (r"\.attention\.projection_layer\.", ".attn.proj."),
    (r"\.attention\.output\.dense\.", ".attn.proj."), (r"\.intermediate\.dense\.", ".mlp.fc1."),
    (r"\.output\.dense\.", ".mlp.fc2."), (r"\.attention\.", ".attn."),
    (r"\.layernorm_before\.", ".norm1."), (r"\.layernorm_after\.", ".norm2."),
]


def is_hf_layout(keys) -> bool:
    return any(k.startswith(("model.vision_tower.", "vision_tower.", "model.language_model.")) for k in keys)


def hf_to_original(sd: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Rename -hf keys to original keys and fuse the split q/k/v of the vision attention into qkv."""
    renamed: Dict[str, torch.Tensor] = {}
    for k, v in sd.items():
        n = k
        for pat, rep in _HF_TO_ORIGINAL:
            n = re.sub(pat, rep, n)
        renamed[n] = v
    out: Dict[str, torch.Tensor] = {}
    for k, v in renamed.items():
        m = re.match(r"^(vision_model\.encoder\.layers\.\d+\.attn)\.(q|k|v)_proj\.(weight|bias)$", k)
        if not m:
            out[k] = v
            continue
        if m.group(2) != "q":
            continue
        pre, kind = m.group(1), m.group(3)
        parts = [renamed.get(f"{pre}.{p}_proj.{kind}") for p in "qkv"]
        if any(p is None for p in parts):
            raise ValueError(f"-hf checkpoint: incomplete q/k/v for {pre}")
        out[f"{pre}.qkv.{kind}"] = torch.cat(parts, dim=0)
    return out


def original_to_hf(sd: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Original -> current -hf names (used to build test checkpoints; the mapping of internvl.md §3)."""
    out: Dict[str, torch.Tensor] = {}
    for k, v in sd.items():
        m = re.match(r"^(vision_model\.encoder\.layers\.\d+\.attn)\.qkv\.(weight|bias)$", k)
        if m:
            q, kk, vv = torch.chunk(v, 3, dim=0)
            for p, t in zip("qkv", (q, kk, vv)):
                out[_orig_name_to_hf(f"{m.group(1)}.{p}_proj.{m.group(2)}")] = t
            continue
        out[_orig_name_to_hf(k)] = v
    return out


def _orig_name_to_hf(k: str) -> str:
    rules = [(r"^vision_model\.", "model.vision_tower."), (r"\.layers\.", ".layer."),
             (r"class_embedding$", "cls_token"), (r"position_embedding$", "position_embeddings"),
             (r"patch_embedding\.", "patch_embeddings.projection."), (r"\.ls(\d)$", r".lambda_\1"),
             (r"\.attn\.proj\.", ".attention.projection_layer."), (r"\.attn\.", ".attention."),
             (r"\.norm1\.", ".layernorm_before."), (r"\.norm2\.", ".layernorm_after."),
             (r"^mlp1\.0\.", "model.multi_modal_projector.layer_norm."),
             (r"^mlp1\.1\.", "model.multi_modal_projector.linear_1."),
             (r"^mlp1\.3\.", "model.multi_modal_projector.linear_2."),
             (r"^language_model\.model\.", "model.language_model."), (r"^language_model\.lm_head\.", "lm_head.")]
    if k.startswith("language_model."):
        rules = rules[-2:]
    for pat, rep in rules:
        k = re.sub(pat, rep, k)
    return k
