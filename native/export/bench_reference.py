"""@file Benchmark the PyTorch reference on the same seeded random weights as `export.py random`.

Owns: the "PyTorch reference" side of `npm run bench:vlm` (issue 4, item 9). Prints ONE JSON line:
vision ms per 448 tile, prefill tok/s, decode tok/s, peak RSS, and the greedy ids (so the caller can
check that the ONNX engine on the fp32 bundle produced the same tokens).
Runs: /usr/bin/python3 native/export/bench_reference.py --bundle-config configs/internvl3-1b.json --seed 0
      [--image PNG] [--max-tiles 1] [--decode-tokens 30] [--threads 2] [--vision-repeats 2]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from internvl_ref import ModelConfig  # noqa: E402
from preprocess import load_image  # noqa: E402
from text import ByteTokenizer, build_prompt  # noqa: E402
from weights import random_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_IMAGE = os.path.join(HERE, "..", "..", "test", "fixtures", "images", "ml", "square.png")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle-config", required=True, help="the config the bundle was generated from")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image", default=DEFAULT_IMAGE)
    ap.add_argument("--max-tiles", type=int, default=1)
    ap.add_argument("--question", default="Describe this photo in one sentence.")
    ap.add_argument("--decode-tokens", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--vision-repeats", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    try:
        cfg = ModelConfig.load(a.bundle_config)
        pv, _, grid = load_image(a.image, a.max_tiles, cfg.vision.image_size)
    except (ValueError, OSError) as e:
        print(f"bench_reference: error: {e}", file=sys.stderr)
        return 2
    if cfg.tokenizer != "bytes":
        print("bench_reference: only configs with the byte tokenizer (random bundles) are supported", file=sys.stderr)
        return 2
    t = time.perf_counter()
    model = random_model(cfg, a.seed)
    load_s = time.perf_counter() - t
    tok = ByteTokenizer(cfg.tokens["special"])
    ids = tok.encode(build_prompt(a.question, [pv.shape[0]], cfg.num_image_token, cfg.system_message))
    with torch.inference_mode():
        one = pv[:1]
        model.extract_feature(one)                                     # warm-up
        t = time.perf_counter()
        for _ in range(a.vision_repeats):
            model.extract_feature(one)
        vision_ms = (time.perf_counter() - t) * 1000 / a.vision_repeats
        feats = model.extract_feature(pv)
        # prefill + decode, timed separately (same maths as InternVLChatModel.generate)
        x = torch.tensor([ids], dtype=torch.int64)
        embeds = model.merge(x, feats)
        past = model.empty_past(1)
        attn = torch.ones(1, len(ids), dtype=torch.int64)
        pos = torch.arange(len(ids), dtype=torch.int64).unsqueeze(0)
        t = time.perf_counter()
        logits, past = model.language_model(embeds, attn, pos, past)
        prefill_ms = (time.perf_counter() - t) * 1000
        out = [int(torch.argmax(logits[0, -1]))]
        t = time.perf_counter()
        for _ in range(a.decode_tokens):
            e = model.embed(torch.tensor([[out[-1]]], dtype=torch.int64))
            attn = torch.ones(1, attn.shape[1] + 1, dtype=torch.int64)
            pos = torch.tensor([[attn.shape[1] - 1]], dtype=torch.int64)
            logits, past = model.language_model(e, attn, pos, past)
            out.append(int(torch.argmax(logits[0, -1])))
        decode_ms = (time.perf_counter() - t) * 1000
    print(json.dumps({
        "engine": "pytorch-reference", "torch": torch.__version__, "threads": a.threads, "config": cfg.id,
        "seed": a.seed, "image": os.path.basename(a.image), "grid": list(grid), "num_tiles": int(pv.shape[0]),
        "weights_load_s": round(load_s, 2), "vision_ms_per_tile": round(vision_ms, 1),
        "prefill_tokens": len(ids), "prefill_ms": round(prefill_ms, 1),
        "prefill_tok_s": round(len(ids) / (prefill_ms / 1000), 1),
        "decode_tokens": a.decode_tokens, "decode_ms": round(decode_ms, 1),
        "decode_tok_s": round(a.decode_tokens / (decode_ms / 1000), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "greedy_ids": out,     # the first id comes from the prefill, then one per decode step
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
