"""@file Qwen2 decoder of the InternVL reference (RMSNorm, RoPE, GQA, SwiGLU, untied lm_head, KV cache).

Owns: the language-model half of internvl_ref.py, with HF Qwen2 parameter names under `language_model.`.
Runs: /usr/bin/python3 (torch 1.13), CPU. See [Note: InternVL reference fidelity] in internvl_ref.py.
"""
from __future__ import annotations

import math
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from model_config import LlmConfig

# --------------------------------------------------------------------------------------------------
# Qwen2 decoder
# --------------------------------------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.to(torch.float32)
        var = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(var + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def rope_cos_sin(position_ids: torch.Tensor, head_dim: int, theta: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """cos/sin [B, 1, S, hd] for int64 position_ids [B, S] (HF Qwen2 default rope)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = position_ids.to(torch.float32).unsqueeze(-1) * inv_freq          # [B, S, hd/2]
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)


def repeat_kv(x: torch.Tensor, groups: int) -> torch.Tensor:
    """[B, KV, S, hd] -> [B, KV*groups, S, hd], each KV head repeated for its group of query heads."""
    if groups == 1:
        return x
    b, kv, s, hd = x.shape
    return x[:, :, None, :, :].expand(b, kv, groups, s, hd).reshape(b, kv * groups, s, hd)


class LlmAttention(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.c = c
        self.q_proj = nn.Linear(c.hidden_size, c.num_heads * c.head_dim, bias=True)
        self.k_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=True)
        self.v_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=True)
        self.o_proj = nn.Linear(c.num_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        c = self.c
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, c.num_heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, c.num_kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, c.num_kv_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        groups = c.num_heads // c.num_kv_heads
        kr, vr = repeat_kv(k, groups), repeat_kv(v, groups)
        scores = (q @ kr.transpose(2, 3)) / math.sqrt(c.head_dim) + mask
        probs = scores.softmax(dim=-1, dtype=torch.float32).to(q.dtype)
        out = (probs @ vr).transpose(1, 2).reshape(b, s, c.num_heads * c.head_dim)
        return self.o_proj(out), k, v


class LlmMlp(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlmLayer(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.self_attn = LlmAttention(c)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.mlp = LlmMlp(c)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        h, k, v = self.self_attn(self.input_layernorm(x), cos, sin, mask, past_k, past_v)
        x = x + h
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, k, v


class Qwen2Model(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([LlmLayer(c) for _ in range(c.num_layers)])
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)


class Qwen2ForCausalLM(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.c = c
        self.model = Qwen2Model(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)

    def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor,
                past: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        """One decoder step. past = [k0, v0, k1, v1, ...] each [B, KV, P, hd]; returns logits, presents."""
        c = self.c
        total = attention_mask.shape[1]
        s = inputs_embeds.shape[1]
        # [Note: decoder mask from attention_mask] query i sits at absolute slot total-s+i and may see key
        # slot j when j <= that slot and attention_mask[b, j] == 1 (left padding stays masked).
        k_idx = torch.cumsum(torch.ones_like(attention_mask[0]), 0) - 1                 # [total]
        q_idx = torch.cumsum(torch.ones_like(inputs_embeds[0, :, 0], dtype=torch.int64), 0) - 1 + (total - s)
        allowed = (k_idx.unsqueeze(0) <= q_idx.unsqueeze(1)).unsqueeze(0).unsqueeze(0)  # [1,1,S,total]
        allowed = allowed & (attention_mask[:, None, None, :] > 0)
        neg = torch.tensor(torch.finfo(torch.float32).min, dtype=torch.float32)
        mask = torch.where(allowed, torch.zeros((), dtype=torch.float32), neg)
        cos, sin = rope_cos_sin(position_ids, c.head_dim, c.rope_theta)
        x = inputs_embeds
        presents: List[torch.Tensor] = []
        for i, layer in enumerate(self.model.layers):
            x, k, v = layer(x, cos, sin, mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        x = self.model.norm(x)
        return self.lm_head(x), presents
