"""@file Check a text-embedder bundle against the PyTorch reference through onnxruntime-node.

Owns: the parity check `make_fixtures.sh` runs after building the tiny embedder: token ids of the bundle's
tokenizer.json in @huggingface/tokenizers == the Python twin (with and without [CLS]/[SEP]); every variant's
last_hidden_state and pooled embedding vs the reference on the golden texts. Prints one JSON line per
variant; exits 1 when fp32 disagrees (ids not identical, or a pooled cosine under 0.9999).
Runs: /usr/bin/python3 native/export/check_embedder.py --bundle DIR --config CONFIG --seed N
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from embedder_ref import EmbedderConfig, embed, pad_batch, pool, random_encoder  # noqa: E402
from make_embedder_goldens import CASES  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FP32_COSINE_MIN = 0.9999


def run_node(bundle: str, variant: str, job: dict) -> dict:
    d = tempfile.mkdtemp(prefix="shoebox-embcheck-")
    try:
        with open(os.path.join(d, "job.json"), "w", encoding="utf-8") as f:
            json.dump(job, f, ensure_ascii=False)
        subprocess.run(["node", os.path.join(HERE, "run_embedder.mjs"), bundle, variant, d], check=True,
                       cwd=os.path.abspath(os.path.join(HERE, "..", "..")))
        with open(os.path.join(d, "result.json"), "r", encoding="utf-8") as f:
            return json.load(f)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def check(bundle: str, cfg: EmbedderConfig, seed: int) -> int:
    with open(os.path.join(bundle, "manifest.json"), "r", encoding="utf-8") as f:
        manifest = json.load(f)
    model = random_encoder(cfg, seed)
    tok = cfg.tokenizer()
    texts = [t for _, t in CASES]
    ref = embed(model, tok, texts, "passage")
    ids, mask = pad_batch(ref["ids"], cfg.tokens["pad"])
    with torch.no_grad():
        ref_hidden = model(ids, mask).numpy()
    status = 0
    for variant in manifest["variants"]:
        res = run_node(bundle, variant, {"strings": texts, "rows": ref["ids"]})
        ids_ok = all(a == tok.encode(t) for a, t in zip(res["token_ids"], texts))
        special_ok = all(a == [tok.cls] + tok.encode(t) + [tok.sep] for a, t in zip(res["with_special"], texts))
        hidden = [np.asarray(h, dtype=np.float32) for h in res["hidden"]]
        max_abs = max(float(np.abs(h - ref_hidden[i, :len(h)]).max()) for i, h in enumerate(hidden))
        h_pad = np.zeros_like(ref_hidden)
        for i, h in enumerate(hidden):
            h_pad[i, :len(h)] = h
        vecs = pool(torch.from_numpy(h_pad), mask, cfg.pooling, cfg.normalize).numpy()
        cos = [float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))) for a, b in zip(vecs, ref["vectors"])]
        line = {"variant": variant, "ids_identical": ids_ok, "cls_sep_wrap_identical": special_ok,
                "hidden_max_abs": max_abs, "cosine_min": min(cos), "cosine_mean": sum(cos) / len(cos)}
        print(json.dumps(line))
        if variant == "fp32" and not (ids_ok and special_ok and min(cos) >= FP32_COSINE_MIN):
            status = 1
    return status


def main() -> int:
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "tiny-embedder.json"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    return check(a.bundle, EmbedderConfig.load(a.config), a.seed)


if __name__ == "__main__":
    sys.exit(main())
