"""@file Make the text-embedder goldens (test/fixtures/goldens/tiny-embedder.json) from the PyTorch reference.

Owns: the golden texts (languages, scripts, emoji, empty, over-long) and their token ids and embeddings with
exactly the tiny bundle's weights (`random_encoder(config, seed)`, what `export.py random-embedder` writes
into test/fixtures/models/tiny-embedder). Format: BUNDLE-SPEC.md, "Text-embedder goldens".
Runs: /usr/bin/python3 native/export/make_embedder_goldens.py [--config ... --seed 0 --out FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from embedder_ref import EmbedderConfig, embed, random_encoder  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

# (name, text). Chosen to cover what captions, tags and text in photos hold.
CASES = [
    ("english", "the cat on the beach"),
    ("german", "Katzen im Schnee — schöne Grüße aus München, Winter 2019!"),
    ("french", "Le chat dort sur la plage, près de l'océan. Ça va très bien."),
    ("japanese", "猫の写真、海辺で 2019年"),
    ("chinese", "海边的猫和狗"),
    ("arabic-rtl", "القط على الشاطئ في الصيف"),
    ("emoji", "🏖️ beach day 😀👍🏽 👩‍👩‍👧"),
    ("empty", ""),
    ("whitespace-and-special", "  tabs\tand\nnew lines [SEP] stay  \n\n"),
    ("combining-accents", "Cafe\u0301 au lait, nai\u0308ve"),
    ("truncated", "A receipt from the Lisbon hotel, dated 12 March 2021, with the total in euros and a stamp. " * 3),
]
# The tiny bundle embeds like granite (CLS pooling, no prefixes). These manifest variants check the other
# paths the engine supports (the e5 fallback's mean pooling and "query: "/"passage: " prefixes) on the same
# weights: the test copies the bundle with `embedding` replaced and compares with these vectors.
OVERRIDES = [
    {"name": "mean-pooling-e5-prefixes", "kind": "query",
     "embedding": {"pooling": "mean", "prefixes": {"query": "query: ", "passage": "passage: "}},
     "cases": ["english", "german", "empty", "truncated"]},
    {"name": "mean-pooling-e5-prefixes-passage", "kind": "passage",
     "embedding": {"pooling": "mean", "prefixes": {"query": "query: ", "passage": "passage: "}},
     "cases": ["english", "arabic-rtl"]},
]
# fp32 ONNX vs PyTorch (measured ~1e-7 apart, see EMBEDDER.md); the int8 bar is set in the test from
# measurements on a VNNI and an AVX2-only CPU (EMBEDDER.md, "int8").
TOLERANCES = {"fp32_cosine_min": 0.9999, "ids": "identical"}


def rounded(v) -> List[float]:
    return [float(f"{x:.7g}") for x in v.tolist()]


def make(cfg: EmbedderConfig, seed: int) -> Dict[str, Any]:
    model = random_encoder(cfg, seed)
    tok = cfg.tokenizer()
    texts = [t for _, t in CASES]
    r = embed(model, tok, texts, "passage")
    cases = [{"name": n, "text": t, "ids": ids, "truncated": len(tok.encode(t)) > cfg.max_length - 2,
              "vector": rounded(v)} for (n, t), ids, v in zip(CASES, r["ids"], r["vectors"])]
    by_name = dict(CASES)
    overrides = []
    for o in OVERRIDES:
        sub = EmbedderConfig(**{**cfg.__dict__, "pooling": o["embedding"]["pooling"],
                                "prefixes": dict(o["embedding"]["prefixes"])})
        model.cfg = sub
        ro = embed(model, tok, [by_name[n] for n in o["cases"]], o["kind"])
        model.cfg = cfg
        overrides.append({**o, "cases": [{"name": n, "ids": ids, "vector": rounded(v)}
                                         for n, ids, v in zip(o["cases"], ro["ids"], ro["vectors"])]})
    return {"model": cfg.id, "config": "tiny-embedder", "seed": seed, "kind": "passage",
            "max_length": cfg.max_length, "dim": cfg.hidden_size, "pooling": cfg.pooling,
            "tolerances": TOLERANCES, "cases": cases, "overrides": overrides}


def main() -> int:
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "tiny-embedder.json"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(REPO, "test", "fixtures", "goldens", "tiny-embedder.json"))
    a = ap.parse_args()
    g = make(EmbedderConfig.load(a.config), a.seed)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(g, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(json.dumps({"goldens": a.out, "cases": len(g["cases"]),
                      "truncated": [c["name"] for c in g["cases"] if c["truncated"]]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
