"""@file PyTorch reference of the text embedder: a ModernBERT encoder, CLS or mean pooling, L2 normalisation.

Owns: `EmbedderConfig` (configs/granite-embedding-97m-r2.json, configs/tiny-embedder.json), the encoder the
ONNX graph is exported from, seeded random weights, and `embed()` (tokenize, pad, run, pool, normalise) that
makes the goldens. Runs: /usr/bin/python3 (torch 1.13).

The architecture follows Hugging Face's ModernBertModel (the class of granite-embedding-*-r2; what was
verified of the real config is in EMBEDDER.md):
- embeddings: token embedding -> LayerNorm (no bias); no position embedding (RoPE in attention);
- layer i: x + Wo(attn(attn_norm(x))), then x + Wo(gelu(a) * g) with [a, g] = Wi(mlp_norm(x)) (GeGLU);
  layer 0 has no attn_norm (the embedding norm precedes it); Linear layers have no bias;
- attention: fused Wqkv, rotate-half RoPE on positions 0..S-1, softmax(q k^T / sqrt(d)); layers with
  i % global_attn_every_n_layers == 0 are global (global_rope_theta), the others see only keys with
  |i - j| <= local_attention // 2 (local_rope_theta); padded keys are masked everywhere;
- final LayerNorm -> `last_hidden_state` [B, S, H]; pooling and normalisation happen outside the graph,
  as sentence-transformers does (Pooling, Normalize modules).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from embedder_text import EmbedderTokenizer


@dataclass
class EmbedderConfig:
    id: str
    name: str
    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    global_attn_every_n_layers: int
    local_attention: int
    global_rope_theta: float
    local_rope_theta: float
    norm_eps: float
    max_position_embeddings: int
    pooling: str                      # "cls" | "mean"
    normalize: bool
    max_length: int                   # tokens per text the engine keeps, [CLS] and [SEP] included
    prefixes: Dict[str, str]          # {"query": ..., "passage": ...}
    tokens: Dict[str, int]            # {"pad", "cls", "sep", "mask"}
    fragments: List[str]              # tokenizer merges, see embedder_text.py
    init: Dict[str, float] = field(default_factory=dict)

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @staticmethod
    def load(path: str) -> "EmbedderConfig":
        with open(path, "r", encoding="utf-8") as f:
            raw: Dict[str, Any] = json.load(f)
        a = raw["architecture"]
        if a.get("type") != "modernbert":
            raise ValueError(f"{path}: architecture.type must be 'modernbert', got {a.get('type')!r}")
        e = raw["embedding"]
        cfg = EmbedderConfig(
            id=raw["id"], name=raw["name"], vocab_size=a["vocab_size"], hidden_size=a["hidden_size"],
            num_layers=a["num_hidden_layers"], num_heads=a["num_attention_heads"],
            intermediate_size=a["intermediate_size"], global_attn_every_n_layers=a["global_attn_every_n_layers"],
            local_attention=a["local_attention"], global_rope_theta=float(a["global_rope_theta"]),
            local_rope_theta=float(a["local_rope_theta"]), norm_eps=float(a["norm_eps"]),
            max_position_embeddings=a["max_position_embeddings"], pooling=e["pooling"], normalize=e["normalize"],
            max_length=e["max_length"], prefixes=dict(e["prefixes"]), tokens=dict(raw["tokens"]),
            fragments=list(raw["tokenizer"]["fragments"]), init=dict(raw.get("init", {})))
        if e.get("dim", cfg.hidden_size) != cfg.hidden_size:
            raise ValueError(f"{path}: embedding.dim must equal hidden_size (the pooled vector has no projection)")
        if cfg.hidden_size % cfg.num_heads or cfg.head_dim % 2:
            raise ValueError(f"{path}: hidden_size must split into heads of an even size")
        if cfg.pooling not in ("cls", "mean"):
            raise ValueError(f"{path}: embedding.pooling must be 'cls' or 'mean'")
        if not 2 < cfg.max_length <= cfg.max_position_embeddings:
            raise ValueError(f"{path}: embedding.max_length must be in (2, max_position_embeddings]")
        if set(cfg.prefixes) != {"query", "passage"}:
            raise ValueError(f"{path}: embedding.prefixes must have exactly 'query' and 'passage'")
        return cfg

    def tokenizer(self) -> EmbedderTokenizer:
        tok = EmbedderTokenizer(self.fragments, self.tokens)
        top = max(max(self.tokens.values()) + 1, tok.base_size)
        if top > self.vocab_size:
            raise ValueError(f"vocab_size {self.vocab_size} is smaller than the tokenizer's ids (need {top})")
        return tok


class NoBiasLayerNorm(nn.Module):
    """LayerNorm with a gain and no bias (ModernBERT's norm_bias: false); torch 1.13 has no bias=False."""

    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.dim, self.eps = dim, eps

    def forward(self, x):
        return F.layer_norm(x, (self.dim,), self.weight, None, self.eps)


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: EmbedderConfig, layer: int):
        super().__init__()
        self.heads, self.hd = cfg.num_heads, cfg.head_dim
        self.is_global = layer % cfg.global_attn_every_n_layers == 0
        self.window = cfg.local_attention // 2
        theta = cfg.global_rope_theta if self.is_global else cfg.local_rope_theta
        inv = 1.0 / (theta ** (torch.arange(0, self.hd, 2, dtype=torch.float32) / self.hd))
        self.register_buffer("inv_freq", inv, persistent=False)
        self.Wqkv = nn.Linear(cfg.hidden_size, 3 * cfg.hidden_size, bias=False)
        self.Wo = nn.Linear(cfg.hidden_size, cfg.hidden_size, bias=False)

    def forward(self, x, key_ok):
        """x [B,S,H]; key_ok bool [B,1,1,S] (attention_mask == 1)."""
        b, s, _ = x.shape
        qkv = self.Wqkv(x).view(b, s, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)   # [3,B,h,S,d]
        q, k, v = qkv[0], qkv[1], qkv[2]
        pos = torch.arange(s, dtype=torch.float32, device=x.device)
        freqs = pos.unsqueeze(1) * self.inv_freq.unsqueeze(0)                                   # [S, d/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hd)
        ok = key_ok
        if not self.is_global:
            idx = torch.arange(s, device=x.device)
            near = (idx.view(-1, 1) - idx.view(1, -1)).abs() <= self.window                 # [S,S]
            ok = ok & near.view(1, 1, s, s)
        scores = scores.masked_fill(~ok, torch.finfo(scores.dtype).min)
        out = torch.matmul(scores.softmax(dim=-1), v)                                          # [B,h,S,d]
        return self.Wo(out.transpose(1, 2).reshape(b, s, self.heads * self.hd))


class Layer(nn.Module):
    def __init__(self, cfg: EmbedderConfig, i: int):
        super().__init__()
        self.attn_norm = nn.Identity() if i == 0 else NoBiasLayerNorm(cfg.hidden_size, cfg.norm_eps)
        self.attn = Attention(cfg, i)
        self.mlp_norm = NoBiasLayerNorm(cfg.hidden_size, cfg.norm_eps)
        self.Wi = nn.Linear(cfg.hidden_size, 2 * cfg.intermediate_size, bias=False)
        self.Wo = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x, key_ok):
        x = x + self.attn(self.attn_norm(x), key_ok)
        a, g = self.Wi(self.mlp_norm(x)).chunk(2, dim=-1)
        return x + self.Wo(F.gelu(a) * g)


class ModernBertEncoder(nn.Module):
    """input_ids, attention_mask int64 [B,S] -> last_hidden_state float32 [B,S,H]."""

    def __init__(self, cfg: EmbedderConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.emb_norm = NoBiasLayerNorm(cfg.hidden_size, cfg.norm_eps)
        self.layers = nn.ModuleList([Layer(cfg, i) for i in range(cfg.num_layers)])
        self.final_norm = NoBiasLayerNorm(cfg.hidden_size, cfg.norm_eps)

    def forward(self, input_ids, attention_mask):
        key_ok = (attention_mask != 0).view(attention_mask.shape[0], 1, 1, attention_mask.shape[1])
        x = self.emb_norm(self.tok_embeddings(input_ids))
        for layer in self.layers:
            x = layer(x, key_ok)
        return self.final_norm(x)


def random_encoder(cfg: EmbedderConfig, seed: int) -> ModernBertEncoder:
    """The encoder with the seeded random weights of `cfg` (same config + seed -> bit-identical weights)."""
    torch.manual_seed(seed)
    model = ModernBertEncoder(cfg)
    gen = torch.Generator().manual_seed(seed)
    init = cfg.init
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name in sorted(params):
            p = params[name]
            shape = tuple(p.shape)
            noise = torch.randn(shape, generator=gen, dtype=torch.float32)
            if len(shape) == 1:                               # norm gains
                p.copy_(1.0 + noise * init.get("norm_std", 0.1))
            elif name == "tok_embeddings.weight":
                p.copy_(noise * init.get("embed_std", 1.0))
            else:
                p.copy_(noise * (init.get("gain", 1.0) / shape[1] ** 0.5))
    return model.eval()


def pad_batch(rows: Sequence[Sequence[int]], pad: int):
    """Right-padded input_ids and attention_mask (int64 [B, max len])."""
    s = max(len(r) for r in rows)
    ids = torch.full((len(rows), s), pad, dtype=torch.int64)
    mask = torch.zeros((len(rows), s), dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r, dtype=torch.int64)
        mask[i, :len(r)] = 1
    return ids, mask


def pool(hidden: torch.Tensor, mask: torch.Tensor, pooling: str, normalize: bool) -> torch.Tensor:
    if pooling == "cls":
        v = hidden[:, 0]
    else:
        m = mask.unsqueeze(-1).to(hidden.dtype)
        v = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
    return F.normalize(v, p=2, dim=-1) if normalize else v


@torch.no_grad()
def embed(model: ModernBertEncoder, tok: EmbedderTokenizer, texts: Sequence[str], kind: str) -> Dict[str, Any]:
    """Token ids and embeddings of `texts` as the engine computes them (prefix, truncation, padding, pooling)."""
    cfg = model.cfg
    rows = [tok.encode_for_model(cfg.prefixes[kind] + t, cfg.max_length) for t in texts]
    ids, mask = pad_batch(rows, cfg.tokens["pad"])
    hidden = model(ids, mask)
    return {"ids": rows, "vectors": pool(hidden, mask, cfg.pooling, cfg.normalize).numpy().astype(np.float32)}
