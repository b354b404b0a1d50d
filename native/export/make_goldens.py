"""@file Make the goldens (test/fixtures/goldens/) from the PyTorch reference on the tiny bundle's weights.

Owns: the golden files of BUNDLE-SPEC.md ("Goldens"): per fixture image the tile grid, the Pillow
tiles, the image features, the prompt ids, the first-step logits and the greedy continuation.
Runs: /usr/bin/python3 native/export/make_goldens.py [--config configs/tiny.json --seed 0 --out DIR]
The weights are `random_model(config, seed)`, i.e. exactly those `export.py random` writes into
test/fixtures/models/tiny-internvl (make_fixtures.sh builds both from the same config and seed).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from internvl_ref import ModelConfig  # noqa: E402
from preprocess import dynamic_preprocess, load_rgb, normalize, tiles_to_uint8  # noqa: E402
from text import ByteTokenizer, build_prompt  # noqa: E402
from weights import random_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
IMAGES = os.path.join(REPO, "test", "fixtures", "images", "ml")

# (golden name, image file, max_tiles, question, write tiles.png). Photos upscaled to many tiles make
# large PNGs; those cases carry per-tile sha256 only, to keep the goldens under ~3 MB.
CASES = [
    ("square", "square.png", 12, "Describe this photo in one sentence.", True),            # 1:1 ties -> 1 tile
    ("ratio-4x3", "ratio-4x3.png", 6, "What animal is this?", False),                       # 3x2 + thumbnail
    ("ratio-3x2", "ratio-3x2.png", 2, "Describe this photo in one sentence.", False),       # 1:1 vs 2:1 tie -> 2x1
    ("ratio-16x9", "ratio-16x9.png", 12, "Read any text in the image.", True),              # 2:1 vs 4:2 tie -> 2x1
    ("tall", "tall.png", 6, "Wer ist auf dem Foto? 写真には何が写っていますか？", False),          # 1x3
    ("tiny", "tiny.png", 6, "Describe this photo in one sentence.", True),                  # 40x30 upscaled
    ("huge", "huge.png", 12, "<image>\nList three tags for this photo.", True),             # 4x3 from 12 MP
]
MAX_NEW_TOKENS = 32
# Tolerances the TypeScript test applies (fp32 ONNX vs PyTorch; measured diffs are ~1e-5, see README).
TOLERANCES = {"pixel_values_max_abs": 1e-6, "tiles_u8_max_abs": 0, "features_max_abs": 1e-3,
              "first_logits_max_abs": 1e-3, "greedy_ids": "identical"}


def write_npy(path: str, arr: np.ndarray) -> None:
    np.save(path, np.ascontiguousarray(arr.astype("<f4")), allow_pickle=False)


def main() -> int:
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "tiny.json"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--images", default=IMAGES)
    ap.add_argument("--out", default=os.path.join(REPO, "test", "fixtures", "goldens"))
    a = ap.parse_args()
    cfg = ModelConfig.load(a.config)
    model = random_model(cfg, a.seed)
    tok = ByteTokenizer(cfg.tokens["special"])
    os.makedirs(a.out, exist_ok=True)
    index = []
    for name, file, max_tiles, question, store_tiles in CASES:
        img = load_rgb(os.path.join(a.images, file))
        tiles, (cols, rows) = dynamic_preprocess(img, max_num=max_tiles, image_size=cfg.vision.image_size)
        u8 = tiles_to_uint8(tiles)
        pv = normalize(u8)
        with torch.no_grad():
            feats = model.extract_feature(pv)
            prompt = build_prompt(question, [len(tiles)], cfg.num_image_token, cfg.system_message)
            ids = tok.encode(prompt)
            gen = model.generate(ids, feats, MAX_NEW_TOKENS, cfg.tokens["eos"])
        png = os.path.join(a.out, f"{name}.tiles.png")
        if store_tiles:
            Image.fromarray(u8.reshape(-1, u8.shape[2], 3), "RGB").save(png, optimize=True)
        elif os.path.exists(png):
            os.remove(png)
        write_npy(os.path.join(a.out, f"{name}.features.npy"), feats.numpy())
        g = {
            "image": file, "image_size": list(img.size), "max_tiles": max_tiles, "grid": {"cols": cols, "rows": rows},
            "num_tiles": len(tiles), "tiles_png": store_tiles,
            "tiles_sha256": [hashlib.sha256(t.tobytes()).hexdigest() for t in u8], "question": question, "system_message": cfg.system_message,
            "input_ids": ids, "prompt_length": len(ids),
            "pixel_values_mean": [float(x) for x in pv.mean(dim=(0, 2, 3))],
            "features_shape": list(feats.shape),
            "first_logits": [float(x) for x in gen["first_logits"]],
            "greedy_ids": gen["ids"], "greedy_min_margin": float(min(gen["margins"])),
            "stop": "eos" if gen["ids"] and gen["ids"][-1] in cfg.tokens["eos"] else "max_new_tokens",
            "max_new_tokens": MAX_NEW_TOKENS, "tolerances": TOLERANCES,
        }
        with open(os.path.join(a.out, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(g, f, ensure_ascii=False)
            f.write("\n")
        index.append({"name": name, "image": file, "max_tiles": max_tiles, "grid": [cols, rows],
                      "num_tiles": len(tiles), "greedy_min_margin": g["greedy_min_margin"]})
        print(json.dumps(index[-1]))
    with open(os.path.join(a.out, "index.json"), "w", encoding="utf-8") as f:
        json.dump({"model": "test/fixtures/models/tiny-internvl", "variant": "fp32", "config": cfg.id,
                   "seed": a.seed, "cases": index}, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
