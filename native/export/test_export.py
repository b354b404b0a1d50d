"""@file Self-test of the export tools: tie rule, pixel shuffle closed form, tokenizer, convert round-trip,
and (from test_embedder.py) the text-embedder export.

Runs: cd native/export && /usr/bin/python3 -m unittest test_export   (about 20 s on 2 cores)
The ONNX cases also run the exported bundles through onnxruntime-node (skipped when node is missing).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export  # noqa: E402
from internvl_ref import ModelConfig, pixel_shuffle  # noqa: E402
from preprocess import target_ratios, tile_grid  # noqa: E402
from text import ByteTokenizer, build_prompt, write_tokenizer  # noqa: E402
from weights import original_to_hf, random_model, write_safetensors  # noqa: E402
from test_embedder import ExportCli, Reference, SplitAndMerges  # noqa: E402,F401  (run with this module)

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "configs", "tiny.json")


def checkpoint_config(cfg: ModelConfig, layout: str) -> dict:
    """A config.json like the real checkpoints' (original `internvl_chat` or `-hf` `internvl`)."""
    v, c = cfg.vision, cfg.llm
    llm = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": c.hidden_size,
           "num_hidden_layers": c.num_layers, "num_attention_heads": c.num_heads,
           "num_key_value_heads": c.num_kv_heads, "intermediate_size": c.intermediate_size,
           "vocab_size": c.vocab_size, "rope_theta": c.rope_theta, "rms_norm_eps": c.rms_norm_eps,
           "max_position_embeddings": c.max_position_embeddings, "tie_word_embeddings": False}
    if layout == "original":
        return {"architectures": ["InternVLChatModel"], "template": "internvl2_5", "downsample_ratio": 0.5,
                "ps_version": "v2", "select_layer": -1, "force_image_size": v.image_size, "max_dynamic_patch": 12,
                "vision_config": {"hidden_size": v.hidden_size, "num_hidden_layers": v.num_layers,
                                  "num_attention_heads": v.num_heads, "intermediate_size": v.intermediate_size,
                                  "image_size": v.image_size, "patch_size": v.patch_size, "qkv_bias": True,
                                  "layer_norm_eps": v.layer_norm_eps, "norm_type": "layer_norm",
                                  "qk_normalization": False},
                "llm_config": llm}
    return {"architectures": ["InternVLForConditionalGeneration"], "model_type": "internvl", "downsample_ratio": 0.5,
            "_name_or_path": "OpenGVLab/InternVL3-1B-hf",
            "image_token_id": cfg.special_id("<IMG_CONTEXT>"), "vision_feature_layer": -1,
            "vision_config": {"hidden_size": v.hidden_size, "num_hidden_layers": v.num_layers,
                              "num_attention_heads": v.num_heads, "intermediate_size": v.intermediate_size,
                              "image_size": [v.image_size, v.image_size], "patch_size": [v.patch_size, v.patch_size],
                              "attention_bias": True, "layer_norm_eps": v.layer_norm_eps, "norm_type": "layer_norm",
                              "use_qk_norm": False},
            "text_config": llm}


class TieRule(unittest.TestCase):
    def test_documented_grids(self):
        # internvl.md §2.4 plus the tie cases the goldens use
        cases = [((4032, 3024), 6, (3, 2)), ((4032, 3024), 12, (4, 3)), ((6000, 4000), 6, (3, 2)),
                 ((6000, 4000), 12, (3, 2)), ((1920, 1080), 6, (2, 1)), ((1920, 1080), 12, (4, 2)),
                 ((1000, 1000), 6, (2, 2)), ((1000, 1000), 12, (3, 3)), ((448, 448), 12, (1, 1)),
                 ((640, 480), 6, (3, 2)), ((640, 480), 12, (4, 3)), ((512, 512), 12, (1, 1)),
                 ((600, 400), 2, (2, 1)), ((640, 360), 12, (2, 1)), ((300, 800), 6, (1, 3))]
        for (w, h), mx, want in cases:
            self.assertEqual(tile_grid(w, h, mx), want, f"{w}x{h} max {mx}")

    def test_tie_prefers_more_tiles_only_above_half_canvas(self):
        # 1:1 ties with 2:2 and 3:3; the 2x2 canvas is 896^2, half of it 401408 px
        self.assertEqual(tile_grid(633, 633, 12), (1, 1))     # 400689 <= 401408
        self.assertEqual(tile_grid(634, 634, 12), (2, 2))     # 401956 >  401408
        self.assertEqual(tile_grid(950, 950, 12), (2, 2))     # 902500 <= half of 3x3 (903168)
        self.assertEqual(tile_grid(951, 951, 12), (3, 3))

    def test_order_within_a_tile_count_never_matters(self):
        """The original iterates a Python set sorted by count; ours is width-major. Same grid everywhere."""
        from preprocess import find_closest_aspect_ratio
        for mx in (6, 12):
            ours = target_ratios(1, mx)
            theirs = sorted({(i, j) for n in range(1, mx + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                             if 1 <= i * j <= mx}, key=lambda r: r[0] * r[1])
            rev = sorted(ours, key=lambda r: (r[0] * r[1], -r[0]))        # height-major within a count
            for w in range(1, 4100, 13):
                for h in range(1, 4100, 17):
                    want = find_closest_aspect_ratio(w / h, theirs, w, h, 448)
                    self.assertEqual(find_closest_aspect_ratio(w / h, ours, w, h, 448), want, (w, h, mx))
                    self.assertEqual(find_closest_aspect_ratio(w / h, rev, w, h, 448), want, (w, h, mx))

    def test_ratios_sorted_by_count(self):
        r = target_ratios(1, 12)
        self.assertEqual([a * b for a, b in r], sorted(a * b for a, b in r))
        self.assertIn((12, 1), r)
        self.assertNotIn((4, 4), r)


class PixelShuffle(unittest.TestCase):
    def test_closed_form(self):
        x = torch.randn(2, 32, 32, 5)
        out = pixel_shuffle(x, 0.5, "v2")
        self.assertEqual(tuple(out.shape), (2, 16, 16, 20))
        for i, j in [(0, 0), (3, 7), (15, 15), (9, 2)]:
            want = torch.cat([x[:, 2 * i, 2 * j], x[:, 2 * i, 2 * j + 1], x[:, 2 * i + 1, 2 * j],
                              x[:, 2 * i + 1, 2 * j + 1]], dim=-1)
            self.assertTrue(torch.equal(out[:, i, j], want))

    def test_v1_is_transposed(self):
        x = torch.randn(1, 4, 4, 3)
        self.assertTrue(torch.equal(pixel_shuffle(x, 0.5, "v1").transpose(1, 2), pixel_shuffle(x, 0.5, "v2")))


class Tokenizer(unittest.TestCase):
    def test_bytes_and_specials(self):
        cfg = ModelConfig.load(TINY)
        tok = ByteTokenizer(cfg.tokens["special"])
        self.assertEqual(tok.encode("a<img>é"), [97, 259, 0xC3, 0xA9])
        self.assertEqual(tok.encode("e\u0301"), [0xC3, 0xA9])            # NFC
        self.assertEqual(tok.decode(tok.encode("Grüße <box>x</box>")), "Grüße x")
        p = build_prompt("hi", [2], 256)
        ids = tok.encode(p)
        self.assertEqual(ids.count(261), 512)
        self.assertEqual(ids[-11:], [257] + list(b"assistant\n"))
        self.assertTrue(p.endswith("<|im_end|>\n<|im_start|>assistant\n"))
        self.assertIn("<img><IMG_CONTEXT>", p)
        with self.assertRaises(ValueError):
            build_prompt("<image><image>", [1], 256)


NODE_RUN_GRAPH = """
import * as ort from '__ORT__';
import { readFileSync, writeFileSync } from 'node:fs';
const [model, xin, yout, ...dims] = process.argv.slice(2);
const b = readFileSync(xin);
const s = await ort.InferenceSession.create(model);
const o = await s.run({ x: new ort.Tensor('float32', new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), dims.map(Number)) });
writeFileSync(yout, Buffer.from(o.y.data.buffer, o.y.data.byteOffset, o.y.data.byteLength));
"""


@unittest.skipIf(shutil.which("node") is None, "node not installed")
class QuantizedGraphs(unittest.TestCase):
    """One MatMul rewritten to int8 / q4 and run by onnxruntime-node equals the numpy dequantized maths."""

    def _run(self, model, x: "np.ndarray") -> "np.ndarray":
        import numpy as np
        with tempfile.TemporaryDirectory() as d:
            onnx.save(model, os.path.join(d, "m.onnx"))
            x.astype("<f4").tofile(os.path.join(d, "x.bin"))
            script = os.path.join(d, "run-graph.mjs")
            ort_entry = os.path.join(HERE, "..", "..", "node_modules", "onnxruntime-node", "dist", "index.js")
            with open(script, "w") as f:
                f.write(NODE_RUN_GRAPH.replace("__ORT__", os.path.abspath(ort_entry)))
            subprocess.run(["node", script, os.path.join(d, "m.onnx"), os.path.join(d, "x.bin"),
                            os.path.join(d, "y.bin"), *map(str, x.shape)], check=True)
            return np.fromfile(os.path.join(d, "y.bin"), dtype="<f4")

    def test_int8_and_q4_match_dequantized_weights(self):
        import numpy as np
        import quantize
        from onnx import TensorProto, helper, numpy_helper
        rng = np.random.default_rng(0)
        k, n = 96, 40
        w = rng.standard_normal((k, n)).astype(np.float32)
        x = rng.standard_normal((2, 5, k)).astype(np.float32)

        def base():
            g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "g",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 5, k])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                                  [numpy_helper.from_array(w, "w")])
            return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])

        packed, scales = quantize.quantize_q4_weights(w)
        q = np.zeros((n, packed.shape[1], quantize.Q4_BLOCK), np.uint8)
        q[..., 0::2], q[..., 1::2] = packed & 15, packed >> 4
        w4 = ((q.astype(np.float32) - 8) * scales[..., None]).reshape(n, -1)[:, :k].T
        level = quantize.Q4_ACCURACY_LEVEL
        try:
            quantize.Q4_ACCURACY_LEVEL = 0          # fp32 compute: must equal the dequantized maths exactly
            y4 = self._run(quantize.to_q4(base()), x).reshape(2, 5, n)
        finally:
            quantize.Q4_ACCURACY_LEVEL = level
        self.assertLess(float(np.abs(y4 - x @ w4).max()), 1e-4)
        qi, si = quantize.quantize_int8_weights(w, 0, quantize.INT8_MATMUL_QMAX)
        m8 = quantize.to_int8(base())
        # [Note: int8 reduced-range weights]: no MatMulInteger weight may leave [-63, 63], or AVX2 saturates
        q8 = [numpy_helper.to_array(t) for t in m8.graph.initializer if t.name.endswith("_q")]
        self.assertTrue(q8 and all(int(np.abs(q.astype(np.int32)).max()) <= 63 for q in q8))
        y8 = self._run(m8, x).reshape(2, 5, n)
        ref8 = x @ (qi.astype(np.float32) * si)
        # only the dynamic uint8 quantization of x remains: well under 1% of the output range
        self.assertLess(float(np.abs(y8 - ref8).max()), 0.01 * float(np.abs(ref8).max()))


class ConvertRoundTrip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(2)
        cls.cfg = ModelConfig.load(TINY)
        cls.model = random_model(cls.cfg, 11)
        cls.tmp = tempfile.mkdtemp(prefix="shoebox-convert-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def _write_ckpt(self, layout: str, fmt: str) -> str:
        d = tempfile.mkdtemp(prefix=f"ckpt-{layout}-{fmt}-", dir=self.tmp)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(checkpoint_config(self.cfg, layout), f)
        write_tokenizer(os.path.join(d, "tokenizer.json"), self.cfg.tokens["special"])
        sd = self.model.state_dict()
        if layout == "hf":
            sd = original_to_hf(sd)
        if fmt == "safetensors":
            write_safetensors(os.path.join(d, "model.safetensors"), sd)
        else:
            torch.save({k: v.clone() for k, v in sd.items()}, os.path.join(d, "pytorch_model.bin"))
        return d

    def _assert_same(self, ckpt: str):
        model, _ = export.load_checkpoint(ckpt, "test")
        want = self.model.state_dict()
        got = model.state_dict()
        self.assertEqual(set(got), set(want))
        for k in want:
            self.assertTrue(torch.equal(got[k], want[k]), k)
        self.assertEqual(model.cfg.llm.__dict__, self.cfg.llm.__dict__)
        self.assertEqual(model.cfg.vision.__dict__, self.cfg.vision.__dict__)
        self.assertEqual(model.cfg.special_id("<IMG_CONTEXT>"), self.cfg.special_id("<IMG_CONTEXT>"))
        return model

    def test_original_safetensors(self):
        self._assert_same(self._write_ckpt("original", "safetensors"))

    def test_original_bin(self):
        self._assert_same(self._write_ckpt("original", "bin"))

    def test_hf_safetensors(self):
        sd = original_to_hf(self.model.state_dict())
        self.assertIn("model.vision_tower.encoder.layer.0.attention.q_proj.weight", sd)
        self.assertIn("model.multi_modal_projector.linear_1.weight", sd)
        self.assertIn("lm_head.weight", sd)
        self._assert_same(self._write_ckpt("hf", "safetensors"))

    def test_bad_checkpoint_errors(self):
        d = self._write_ckpt("original", "safetensors")
        os.remove(os.path.join(d, "model.safetensors"))
        with self.assertRaisesRegex(ValueError, "no \\*.safetensors"):
            export.load_checkpoint(d, "x")
        with open(os.path.join(d, "model.safetensors"), "wb") as f:
            f.write(b"\x01\x02")
        with self.assertRaisesRegex(ValueError, "not a safetensors"):
            export.load_checkpoint(d, "x")

    def test_bf16_safetensors(self):
        """Real checkpoints are bf16: the reader widens them exactly (bf16 = top 16 bits of fp32)."""
        import struct
        import numpy as np
        from weights import read_safetensors
        x = torch.randn(3, 5)
        bits = (x.numpy().view(np.uint32) >> 16).astype("<u2")
        header = json.dumps({"w": {"dtype": "BF16", "shape": [3, 5], "data_offsets": [0, bits.nbytes]}}).encode()
        path = os.path.join(self.tmp, "bf16.safetensors")
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(header)) + header + bits.tobytes())
        want = torch.from_numpy((bits.astype(np.uint32) << 16).view(np.float32))
        self.assertTrue(torch.equal(read_safetensors(path)["w"], want))
        self.assertLess(float((want - x).abs().max()), 0.01 * float(x.abs().max()) + 1e-6)

    @unittest.skipIf(shutil.which("node") is None, "node not installed")
    def test_convert_cli_bundle_matches_reference(self):
        ckpt = self._write_ckpt("hf", "safetensors")
        out = os.path.join(self.tmp, "bundle")
        self.assertEqual(export.main(["convert", "--checkpoint", ckpt, "--out", out, "--id", "conv-test"]), 0)
        with open(os.path.join(out, "manifest.json")) as f:
            m = json.load(f)
        self.assertFalse(m["random_weights"])
        self.assertEqual(m["source"], "OpenGVLab/InternVL3-1B-hf")
        self.assertEqual(m["id"], "conv-test")
        self.assertEqual(export.main(["convert", "--checkpoint", ckpt, "--out", out, "--id", "Bad Id"]), 2)
        self.assertEqual(m["tokens"]["img_context"], 261)
        # the converted bundle must reproduce the reference model (seed 11) through onnxruntime-node
        for ref in (["--config", TINY, "--seed", "11"], ["--checkpoint", ckpt]):
            r = subprocess.run([sys.executable, os.path.join(HERE, "check_bundle.py"), "--bundle", out, *ref,
                                "--steps", "8", "--variants", "fp32"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
