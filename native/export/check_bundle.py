"""@file Check a bundle's ONNX variants (run by onnxruntime-node) against the PyTorch reference.

Owns: the accuracy report of each variant (features, first-step logits, greedy ids) and the tokenizer
check (JS @huggingface/tokenizers ids == Python ByteTokenizer ids). Runs: /usr/bin/python3, calls node.

  check_bundle.py --bundle DIR (--config configs/tiny.json --seed 0 | --checkpoint CKPT_DIR)
                  [--image PNG] [--max-tiles 6] [--variants fp32,int8] [--steps 32] [--keep-last]
With --checkpoint (a converted real model) the prompt is tokenized by the bundle's tokenizer.json in
node (no `tokenizers` for Python here) and the reference runs on the checkpoint's weights.
Prints one JSON line per variant; exits 1 if fp32 does not match (tolerances below) or tokenizers differ.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from internvl_ref import ModelConfig  # noqa: E402
from preprocess import load_image  # noqa: E402
from text import ByteTokenizer, build_prompt  # noqa: E402
from weights import random_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER_STRINGS = ["Hello, world!", "  two  spaces\tand\ttabs\n", "Grüße aus Köln – 東京 📷 café",
                     "e\u0301 (decomposed é, NFC makes it one char)",
                     "<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\nWhat is this?<|im_end|>\n",
                     "<box>[[1, 2, 3, 4]]</box><ref>cat</ref><quad></quad><|endoftext|>"]
FP32_TOL = {"features_max_abs": 1e-4, "logits_max_abs": 1e-3}


def run_node(bundle: str, variant: str, job: str) -> dict:
    subprocess.run(["node", os.path.join(HERE, "run_bundle.mjs"), bundle, variant, job], check=True)
    with open(os.path.join(job, "result.json"), "r", encoding="utf-8") as f:
        return json.load(f)


def main() -> int:
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--config", help="config of a random bundle (with --seed)")
    ap.add_argument("--checkpoint", help="checkpoint folder a bundle was converted from")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image", default="/usr/lib/python3/dist-packages/skimage/data/astronaut.png")
    ap.add_argument("--max-tiles", type=int, default=6)
    ap.add_argument("--variants", default=None, help="default: every variant in the manifest")
    ap.add_argument("--steps", type=int, default=32)
    ap.add_argument("--keep-last", action="store_true", help="feed num_logits_to_keep=1 to the decoder")
    a = ap.parse_args()
    with open(os.path.join(a.bundle, "manifest.json"), "r", encoding="utf-8") as f:
        manifest = json.load(f)
    if bool(a.config) == bool(a.checkpoint):
        ap.error("give exactly one of --config or --checkpoint")
    if a.checkpoint:
        from export import load_checkpoint
        model, _ = load_checkpoint(a.checkpoint, "check")
        cfg = model.cfg
    else:
        cfg = ModelConfig.load(a.config)
        model = random_model(cfg, a.seed)
    variants = a.variants.split(",") if a.variants else list(manifest["variants"])
    pv, _, grid = load_image(a.image, a.max_tiles, cfg.vision.image_size)
    prompt = build_prompt("Describe this photo in one sentence.", [pv.shape[0]], cfg.num_image_token,
                          cfg.system_message)
    tok = ByteTokenizer(cfg.tokens["special"]) if not a.checkpoint else None
    if tok is not None:
        ids = tok.encode(prompt)
    else:
        with tempfile.TemporaryDirectory(prefix="shoebox-check-") as job:
            with open(os.path.join(job, "job.json"), "w", encoding="utf-8") as f:
                json.dump({"tokenize_only": True, "strings": [prompt]}, f)
            ids = run_node(a.bundle, next(iter(manifest["variants"])), job)["token_ids"][0]
    with torch.no_grad():
        feats = model.extract_feature(pv)
        ref = model.generate(ids, feats, a.steps, cfg.tokens["eos"])
    ref_logits = ref["first_logits"].numpy()
    ok = True
    for v in variants:
        with tempfile.TemporaryDirectory(prefix="shoebox-check-") as job:
            pv.numpy().astype("<f4").tofile(os.path.join(job, "pixel_values.bin"))
            with open(os.path.join(job, "job.json"), "w", encoding="utf-8") as f:
                json.dump({"input_ids": ids, "steps": a.steps, "num_tiles": int(pv.shape[0]), "keep_last": a.keep_last,
                           "strings": TOKENIZER_STRINGS if v == variants[0] and tok else []}, f)
            res = run_node(a.bundle, v, job)
            js_feats = np.fromfile(os.path.join(job, "image_features.bin"), dtype="<f4").reshape(feats.shape)
        fdiff = float(np.abs(js_feats - feats.numpy()).max())
        ldiff = float(np.abs(np.array(res["first_logits"], dtype=np.float32) - ref_logits).max())
        same_prefix = 0
        for x, y in zip(res["ids"], ref["ids"]):
            if x != y:
                break
            same_prefix += 1
        fr = feats.numpy()
        jl = np.array(res["first_logits"], dtype=np.float64)
        report = {"variant": v, "tiles": int(pv.shape[0]), "grid": list(grid), "prompt_tokens": len(ids),
                  "features_max_abs": fdiff, "features_ref_std": float(feats.std()),
                  "features_rel_rmse": float(np.sqrt(np.mean((js_feats - fr) ** 2)) / np.sqrt(np.mean(fr ** 2))),
                  "logits_cosine": float(jl @ ref_logits / (np.linalg.norm(jl) * np.linalg.norm(ref_logits))),
                  "logits_max_abs": ldiff, "logits_ref_std": float(ref_logits.std()),
                  "greedy_same_prefix": same_prefix, "greedy_len": len(ref["ids"]),
                  "argmax_first_same": int(np.argmax(res["first_logits"])) == int(np.argmax(ref_logits)),
                  "timings_ms": res["timings"]}
        if v == variants[0] and tok is not None:
            py_ids = [tok.encode(s) for s in TOKENIZER_STRINGS]
            report["tokenizer_match"] = py_ids == res["token_ids"]
            if not report["tokenizer_match"]:
                ok = False
                for s, p, j in zip(TOKENIZER_STRINGS, py_ids, res["token_ids"]):
                    if p != j:
                        print(f"tokenizer mismatch for {s!r}:\n  py {p}\n  js {j}", file=sys.stderr)
        if v == "fp32" and (fdiff > FP32_TOL["features_max_abs"] or ldiff > FP32_TOL["logits_max_abs"]
                            or res["ids"] != ref["ids"]):
            ok = False
        print(json.dumps(report))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
