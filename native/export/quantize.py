"""@file Weight-quantized bundle variants as ONNX graph rewrites with Debian's `onnx` package.

Owns: `_int8` (per-channel int8 weights: DynamicQuantizeLinear + MatMulInteger, the transformation of
onnxruntime's dynamic quantizer), `_q4` (com.microsoft MatMulNBits, 4 bits, block 32, symmetric) and
`_fp16` (see fp16.py). Runs: /usr/bin/python3 (no onnxruntime for Python here: accuracy is checked by
check_bundle.py through onnxruntime-node).

[Note: which weights are quantized] Every MatMul whose second input is a 2-D float initializer (all
Linear layers of InternViT, mlp1, Qwen2 and the lm_head). The patch-embedding Conv, norms, biases and
activation x activation MatMuls (attention) stay float32. The token embedding Gather becomes a gather
of int8 rows times a gathered per-row scale (the table is never dequantized as a whole).

[Note: int8 reduced-range weights] MatMulInteger runs as u8 activations x s8 weights. On x86 CPUs
without VNNI (AVX2-only, AVX-512 without VNNI), onnxruntime's MLAS kernels use VPMADDUBSW, which adds
two u8 x s8 products into a *saturating* int16: 255 * 127 * 2 = 64770 overflows 32767, so results
depend on the CPU (the tiny bundle's first-logits cosine to fp32 was 0.968 on AVX2 and 0.997 with
VNNI, whose VPDPBUSD accumulates in int32). Weights for MatMulInteger therefore use 7 bits,
[-63, 63] (onnxruntime's documented `reduce_range` remedy): 255 * 63 * 2 = 32130 fits int16, so every
kernel computes the exact integer product and the int8 variant gives the same logits on every x86
CPU. The embedding table (a Gather, no integer kernel) keeps the full [-127, 127].
See https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html (x86-64 saturation).
"""
from __future__ import annotations

import os
from typing import Dict, List, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from onnx_export import EXTERNAL_DATA_THRESHOLD, save_model

Q4_BLOCK = 32
INT8_MATMUL_QMAX = 63   # reduced range, see [Note: int8 reduced-range weights]
INT8_GATHER_QMAX = 127
Q4_ACCURACY_LEVEL = 4   # MatMulNBits computes with int8 activations on CPU (fast); 0 would use fp32


def _inits(graph: onnx.GraphProto) -> Dict[str, onnx.TensorProto]:
    return {t.name: t for t in graph.initializer}


def tensor_array(t: onnx.TensorProto, base_dir: str = "") -> np.ndarray:
    """A tensor's values. An external-data tensor (a graph loaded with `load_external_data=False`) is
    mapped read-only from its file under `base_dir`, never copied into the proto: the variants of a
    full-size graph are made without holding its weights in memory (make_graphs.py)."""
    if t.data_location != TensorProto.EXTERNAL:
        return numpy_helper.to_array(t)
    info = {e.key: e.value for e in t.external_data}
    dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t.data_type]
    return np.memmap(os.path.join(base_dir, info["location"]), dtype=dtype, mode="r",
                     offset=int(info.get("offset", "0")), shape=tuple(t.dims))


def _weight_matmuls(graph: onnx.GraphProto, base_dir: str = "") -> List[Tuple[int, onnx.NodeProto, np.ndarray]]:
    inits = _inits(graph)
    out = []
    for i, n in enumerate(graph.node):
        if n.op_type == "MatMul" and n.input[1] in inits:
            t = inits[n.input[1]]
            if t.data_type == TensorProto.FLOAT and len(t.dims) == 2:
                out.append((i, n, tensor_array(t, base_dir)))
    return out


def _replace(graph: onnx.GraphProto, replacements: Dict[int, List[onnx.NodeProto]], new_inits: List[onnx.TensorProto],
             drop_inits: set) -> None:
    nodes = []
    for i, n in enumerate(graph.node):
        nodes.extend(replacements.get(i, [n]))
    del graph.node[:]
    graph.node.extend(nodes)
    still_used = {x for n in graph.node for x in n.input}
    keep = [t for t in graph.initializer if t.name not in drop_inits or t.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(keep + new_inits)


def quantize_int8_weights(w: np.ndarray, axis: int, qmax: int) -> Tuple[np.ndarray, np.ndarray]:
    """Symmetric per-channel int8 in [-qmax, qmax], reduced along `axis`: returns (q int8, scale float32)."""
    amax = np.max(np.abs(w), axis=axis, keepdims=True)
    scale = np.where(amax > 0, amax / float(qmax), 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale), -qmax, qmax).astype(np.int8)
    return q, scale


def to_int8(model: onnx.ModelProto, base_dir: str = "") -> onnx.ModelProto:
    g = model.graph
    reps: Dict[int, List[onnx.NodeProto]] = {}
    new_inits: List[onnx.TensorProto] = []
    drop = set()
    dq_cache: Dict[str, Tuple[str, str, str, List[onnx.NodeProto]]] = {}
    first_use: Dict[str, int] = {}
    for idx, n, w in _weight_matmuls(g, base_dir):
        a, b, y = n.input[0], n.input[1], n.output[0]
        q, scale = quantize_int8_weights(w, axis=0, qmax=INT8_MATMUL_QMAX)   # scale per output column: [1, N]
        new_inits += [numpy_helper.from_array(q, b + "_q"),
                      numpy_helper.from_array(np.zeros(w.shape[1], np.int8), b + "_zp"),
                      numpy_helper.from_array(scale.reshape(-1), b + "_scale")]
        drop.add(b)
        pre: List[onnx.NodeProto] = []
        if a not in dq_cache:           # q/k/v (and gate/up) share one quantized activation
            aq, as_, az = a + "_quant", a + "_scale", a + "_zero_point"
            pre = [helper.make_node("DynamicQuantizeLinear", [a], [aq, as_, az], name=a + "_DynamicQuantizeLinear")]
            dq_cache[a] = (aq, as_, az, pre)
            first_use[a] = idx
        aq, as_, az, _ = dq_cache[a]
        nodes = pre + [
            helper.make_node("MatMulInteger", [aq, b + "_q", az, b + "_zp"], [y + "_i32"], name=n.name + "_MatMulInteger"),
            helper.make_node("Cast", [y + "_i32"], [y + "_f32"], to=TensorProto.FLOAT, name=n.name + "_Cast"),
            helper.make_node("Mul", [as_, b + "_scale"], [y + "_s"], name=n.name + "_ScaleMul"),
            helper.make_node("Mul", [y + "_f32", y + "_s"], [y], name=n.name + "_OutMul"),
        ]
        reps[idx] = nodes
    _replace(g, reps, new_inits, drop)
    _quantize_gathers(g, base_dir)
    return model


def _quantize_gathers(g: onnx.GraphProto, base_dir: str = "") -> None:
    """Embedding tables: Gather(int8 rows) * Gather(per-row scale)."""
    inits = _inits(g)
    reps: Dict[int, List[onnx.NodeProto]] = {}
    new_inits, drop = [], set()
    for i, n in enumerate(g.node):
        if n.op_type != "Gather" or n.input[0] not in inits:
            continue
        t = inits[n.input[0]]
        if t.data_type != TensorProto.FLOAT or len(t.dims) != 2 or t.dims[0] * t.dims[1] < 4096:
            continue
        axis = next((a.i for a in n.attribute if a.name == "axis"), 0)
        if axis != 0:
            continue
        w = tensor_array(t, base_dir)
        q, scale = quantize_int8_weights(w, axis=1, qmax=INT8_GATHER_QMAX)   # [V, 1]
        name, y = n.input[0], n.output[0]
        new_inits += [numpy_helper.from_array(q, name + "_q"), numpy_helper.from_array(scale, name + "_scale")]
        drop.add(name)
        reps[i] = [
            helper.make_node("Gather", [name + "_q", n.input[1]], [y + "_q"], axis=0, name=n.name + "_GatherQ"),
            helper.make_node("Cast", [y + "_q"], [y + "_f32"], to=TensorProto.FLOAT, name=n.name + "_Cast"),
            helper.make_node("Gather", [name + "_scale", n.input[1]], [y + "_s"], axis=0, name=n.name + "_GatherS"),
            helper.make_node("Mul", [y + "_f32", y + "_s"], [y], name=n.name + "_Mul"),
        ]
    _replace(g, reps, new_inits, drop)


def quantize_q4_weights(w: np.ndarray, block: int = Q4_BLOCK) -> Tuple[np.ndarray, np.ndarray]:
    """[K, N] float -> (packed uint8 [N, K/block, block/2], scales float32 [N, K/block]); zero point 8."""
    k, n = w.shape
    kb = (k + block - 1) // block
    wt = np.zeros((n, kb * block), np.float32)
    wt[:, :k] = w.T
    blocks = wt.reshape(n, kb, block)
    amax = np.max(np.abs(blocks), axis=2, keepdims=True)
    scale = np.where(amax > 0, amax / 7.0, 1.0).astype(np.float32)
    q = (np.clip(np.rint(blocks / scale), -8, 7) + 8).astype(np.uint8)      # 0..15
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)          # even index -> low nibble
    return packed, scale.reshape(n, kb)


def to_q4(model: onnx.ModelProto, base_dir: str = "") -> onnx.ModelProto:
    g = model.graph
    reps: Dict[int, List[onnx.NodeProto]] = {}
    new_inits, drop = [], set()
    for idx, n, w in _weight_matmuls(g, base_dir):
        k, nn = w.shape
        packed, scale = quantize_q4_weights(w)
        b = n.input[1]
        new_inits += [numpy_helper.from_array(packed, b + "_q4"), numpy_helper.from_array(scale, b + "_q4_scales")]
        drop.add(b)
        reps[idx] = [helper.make_node("MatMulNBits", [n.input[0], b + "_q4", b + "_q4_scales"], [n.output[0]],
                                      name=n.name + "_MatMulNBits", domain="com.microsoft", K=k, N=nn, bits=4,
                                      block_size=Q4_BLOCK, accuracy_level=Q4_ACCURACY_LEVEL)]
    _replace(g, reps, new_inits, drop)
    _quantize_gathers(g, base_dir)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def tensor_nbytes(t: onnx.TensorProto) -> int:
    """Byte length of a tensor's data, inline or external (what `len(t.raw_data)` is once loaded)."""
    if t.data_location != TensorProto.EXTERNAL:
        return len(t.raw_data)
    info = {e.key: e.value for e in t.external_data}
    if "length" in info:
        return int(info["length"])
    return int(np.prod(t.dims, dtype=np.int64)) * np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t.data_type]).itemsize


def make_variant(src: str, dst: str, variant: str, lazy: bool = False) -> None:
    """Write variant `variant` of the fp32 graph `src` to `dst` (external data when large).

    `lazy` (make_graphs.py): the fp32 weights stay in `src`'s data file and are mapped one at a time;
    the float initializers the variant keeps remain references into that file, so `dst` must be in
    `src`'s folder and is only good as long as `src`'s data file is."""
    if lazy and os.path.dirname(os.path.abspath(src)) != os.path.dirname(os.path.abspath(dst)):
        raise ValueError("make_variant(lazy=True) writes beside its source graph")
    model = onnx.load(src, load_external_data=not lazy)
    base = os.path.dirname(src) if lazy else ""
    if variant == "int8":
        model = to_int8(model, base)
    elif variant == "q4":
        model = to_q4(model, base)
    elif variant == "fp16":
        from fp16 import to_fp16
        model = to_fp16(model, base)
    else:
        raise ValueError(f"unknown variant {variant}")
    size = sum(tensor_nbytes(t) for t in model.graph.initializer)
    save_model(model, dst, size > EXTERNAL_DATA_THRESHOLD)
    onnx.checker.check_model(dst if size > EXTERNAL_DATA_THRESHOLD or lazy else model)
    if not os.path.isfile(dst):
        raise RuntimeError(f"variant {variant} was not written to {dst}")
