"""@file `_fp16` variant: float16 weights and weight matmuls, float32 everywhere numerics are fragile.

Owns: the fp16 graph rewrite. Runs: /usr/bin/python3 with Debian's onnx (called by quantize.make_variant).

[Note: fp16 variant policy] Graph inputs and outputs stay float32 (BUNDLE-SPEC.md), so the engine feeds
the same tensors to every variant. Weight MatMuls (every MatMul with a 2-D float initializer, i.e. all
Linear layers and the lm_head), the patch-embedding Conv and the token-embedding Gather run in float16
on float16 weights, with Casts around them. Everything else stays float32: norms (LayerNorm, RMSNorm's
pow/mean), softmax and the attention matmuls (q.k scores are not yet scaled and can exceed fp16's
65504), residual adds, RoPE angles (positions above 2048 are not exact in fp16) and the mask
(float32 min would become -inf, and a fully masked padding row would turn into NaN). This halves the
weight bytes and puts the FLOPs on fp16 paths (tensor cores on GPUs); onnxruntime's CPU EP runs fp16
matmuls slower than fp32, so CPU users should pick fp32/int8/q4.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def to_fp16(model: onnx.ModelProto, base_dir: str = "") -> onnx.ModelProto:
    from quantize import tensor_array   # quantize imports this module lazily: no cycle at import time
    g = model.graph
    inits: Dict[str, onnx.TensorProto] = {t.name: t for t in g.initializer}
    users: Dict[str, int] = {}
    for n in g.node:
        for x in n.input:
            users[x] = users.get(x, 0) + 1
    converted: Dict[str, str] = {}          # fp32 initializer name -> its fp16 copy
    new_nodes: List[onnx.NodeProto] = []

    def half_init(name: str) -> str:
        if name not in converted:
            arr = tensor_array(inits[name], base_dir).astype(np.float16)
            g.initializer.append(numpy_helper.from_array(arr, name + "_fp16"))
            converted[name] = name + "_fp16"
        return converted[name]

    casts: Dict[str, str] = {}              # one Cast per activation, shared by q/k/v and gate/up

    def cast(src: str, to: int, tag: str) -> str:
        out = f"{src}_{tag}"
        if out not in casts:
            new_nodes.append(helper.make_node("Cast", [src], [out], to=to, name=out + "_Cast"))
            casts[out] = src
        return out

    for n in g.node:
        is_weight_mm = n.op_type == "MatMul" and n.input[1] in inits and len(inits[n.input[1]].dims) == 2 \
            and inits[n.input[1]].data_type == TensorProto.FLOAT
        is_conv = n.op_type == "Conv" and n.input[1] in inits
        is_embed = n.op_type == "Gather" and n.input[0] in inits and len(inits[n.input[0]].dims) == 2 \
            and inits[n.input[0]].data_type == TensorProto.FLOAT
        if not (is_weight_mm or is_conv or is_embed):
            new_nodes.append(n)
            continue
        y = n.output[0]
        if is_embed:
            ins = [half_init(n.input[0]), n.input[1]]
        else:
            ins = [cast(n.input[0], TensorProto.FLOAT16, "fp16"), half_init(n.input[1])]
            ins += [half_init(x) if x in inits else cast(x, TensorProto.FLOAT16, "fp16") for x in n.input[2:]]
        half_out = y + "_fp16out"
        node = helper.make_node(n.op_type, ins, [half_out], name=n.name + "_fp16", domain=n.domain)
        node.attribute.extend(n.attribute)
        new_nodes.append(node)
        new_nodes.append(helper.make_node("Cast", [half_out], [y], to=TensorProto.FLOAT, name=y + "_Cast32"))
    del g.node[:]
    g.node.extend(new_nodes)
    used = {x for n in g.node for x in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    return model
