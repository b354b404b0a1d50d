"""@file PyTorch reference of InternVL (InternViT + pixel shuffle v2 + mlp1 + Qwen2 decoder).

Owns: the model definition used by every Python tool in native/export (export, goldens, bench).
Runs: under Debian's /usr/bin/python3 (torch 1.13), on CPU. Nothing here is shipped in the app.

The maths follows OpenGVLab/InternVL `modeling_intern_vit.py` / `modeling_internvl_chat.py` and the
Qwen2 decoder of HF transformers, as summarised in /work/shared/design/internvl.md §3. Parameter names
are the ORIGINAL InternVL checkpoint names (`vision_model.*`, `mlp1.*`, `language_model.*`), so an
original checkpoint loads with no renaming; `weights.py` maps the `-hf` layout onto these names.

[Note: InternVL reference fidelity]
- InternViT-300M: conv patch embed (k=s=14, bias), CLS token, learned position embedding (no
  interpolation: the bundle is fixed at 448 px), pre-norm blocks (LayerNorm eps from config), fused qkv
  with bias, layer scale ls1/ls2, exact (erf) GELU, and NO final norm.
- extract_feature: last layer, drop CLS, reshape to a 32x32 grid, pixel shuffle v2 (the exact
  view/permute sequence of the original code), mlp1 = LayerNorm(eps 1e-5) -> Linear -> GELU -> Linear.
- Qwen2: RMSNorm in float32, RoPE (rotate_half form, theta from config), GQA by repeat_kv, q/k/v with
  bias and o_proj without, SwiGLU MLP, final norm, untied lm_head. Dynamic-NTK rope scaling of the
  real InternVL3-1B config only acts past max_position_embeddings (32768) and is not modelled.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------

@dataclass
class VisionConfig:
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    image_size: int = 448
    patch_size: int = 14
    layer_norm_eps: float = 1e-6
    qkv_bias: bool = True


@dataclass
class LlmConfig:
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    rope_theta: float = 1e6
    rms_norm_eps: float = 1e-6
    max_position_embeddings: int = 32768


@dataclass
class ModelConfig:
    """Everything the reference and the exporter need to know about one InternVL architecture."""
    id: str
    name: str
    vision: VisionConfig
    llm: LlmConfig
    tokens: Dict[str, Any]
    template: str = "internvl2_5"
    system_message: Optional[str] = None
    downsample_ratio: float = 0.5
    ps_version: str = "v2"
    max_tiles: int = 12
    tokenizer: str = "bytes"
    init: Dict[str, float] = field(default_factory=dict)

    @property
    def num_image_token(self) -> int:
        grid = self.vision.image_size // self.vision.patch_size
        return int(grid * grid * self.downsample_ratio ** 2)

    def special_id(self, token: str) -> int:
        """Id of a special token string such as '<IMG_CONTEXT>' (tokens.special in the config)."""
        try:
            return int(self.tokens["special"][token])
        except KeyError as e:
            raise ValueError(f"config has no id for special token {token}") from e

    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "ModelConfig":
        try:
            return ModelConfig(
                id=d["id"], name=d["name"], vision=VisionConfig(**d["vision"]), llm=LlmConfig(**d["llm"]),
                tokens=dict(d["tokens"]), template=d.get("template", "internvl2_5"),
                system_message=d.get("system_message"), downsample_ratio=float(d.get("downsample_ratio", 0.5)),
                ps_version=d.get("ps_version", "v2"), max_tiles=int(d.get("max_tiles", 12)),
                tokenizer=d.get("tokenizer", "bytes"), init=dict(d.get("init", {})))
        except (KeyError, TypeError) as e:
            raise ValueError(f"invalid model config: {e}") from e

    @staticmethod
    def load(path: str) -> "ModelConfig":
        with open(path, "r", encoding="utf-8") as f:
            return ModelConfig.from_dict(json.load(f))

    def to_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "template": self.template, "system_message": self.system_message,
            "downsample_ratio": self.downsample_ratio, "ps_version": self.ps_version, "max_tiles": self.max_tiles,
            "tokenizer": self.tokenizer, "vision": self.vision.__dict__.copy(), "llm": self.llm.__dict__.copy(),
            "tokens": dict(self.tokens), "init": dict(self.init),
        }


# --------------------------------------------------------------------------------------------------
# InternViT
# --------------------------------------------------------------------------------------------------

class VisionEmbeddings(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(1, 1, c.hidden_size))
        self.patch_embedding = nn.Conv2d(3, c.hidden_size, kernel_size=c.patch_size, stride=c.patch_size)
        num_patches = (c.image_size // c.patch_size) ** 2
        self.position_embedding = nn.Parameter(torch.zeros(1, num_patches + 1, c.hidden_size))

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        patches = self.patch_embedding(pixel_values)               # [T, D, 32, 32]
        patches = patches.flatten(2).transpose(1, 2)                # [T, 1024, D] row-major grid
        cls = self.class_embedding.expand(patches.shape[0], -1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding


class VisionAttention(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.num_heads = c.num_heads
        self.head_dim = c.hidden_size // c.num_heads
        self.qkv = nn.Linear(c.hidden_size, 3 * c.hidden_size, bias=c.qkv_bias)
        self.proj = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                             # [B, H, N, hd]
        attn = (q * self.head_dim ** -0.5) @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, d)
        return self.proj(out)


class VisionMlp(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.fc1 = nn.Linear(c.hidden_size, c.intermediate_size)
        self.fc2 = nn.Linear(c.intermediate_size, c.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))                        # exact (erf) GELU


class VisionLayer(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.attn = VisionAttention(c)
        self.ls1 = nn.Parameter(torch.ones(c.hidden_size))
        self.norm2 = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.mlp = VisionMlp(c)
        self.ls2 = nn.Parameter(torch.ones(c.hidden_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x)) * self.ls1
        x = x + self.mlp(self.norm2(x)) * self.ls2
        return x


class VisionEncoder(nn.Module):
    def __init__(self, c: VisionConfig):
        super().__init__()
        self.layers = nn.ModuleList([VisionLayer(c) for _ in range(c.num_layers)])


class VisionModel(nn.Module):
    """InternViT: embeddings + pre-norm encoder; no final norm (last_hidden_state is the raw stream)."""

    def __init__(self, c: VisionConfig):
        super().__init__()
        self.embeddings = VisionEmbeddings(c)
        self.encoder = VisionEncoder(c)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(pixel_values)
        for layer in self.encoder.layers:
            x = layer(x)
        return x


def pixel_shuffle(x: torch.Tensor, scale_factor: float = 0.5, ps_version: str = "v2") -> torch.Tensor:
    """The original InternVL op sequence on [N, W, H, C] (W = grid rows, H = grid cols)."""
    n, w, h, c = x.size()
    x = x.reshape(n, w, int(h * scale_factor), int(c / scale_factor))
    x = x.permute(0, 2, 1, 3).contiguous()
    x = x.reshape(n, int(h * scale_factor), int(w * scale_factor), int(c / (scale_factor * scale_factor)))
    if ps_version != "v1":
        x = x.permute(0, 2, 1, 3).contiguous()
    return x


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


# --------------------------------------------------------------------------------------------------
# InternVL chat model
# --------------------------------------------------------------------------------------------------

class InternVLChatModel(nn.Module):
    """vision_model + mlp1 + language_model with the original checkpoint's parameter names."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.vision_model = VisionModel(cfg.vision)
        vit_out = cfg.vision.hidden_size * int(1 / cfg.downsample_ratio) ** 2
        self.mlp1 = nn.Sequential(
            nn.LayerNorm(vit_out),                      # default eps 1e-5, as in the original mlp1
            nn.Linear(vit_out, cfg.llm.hidden_size),
            nn.GELU(),
            nn.Linear(cfg.llm.hidden_size, cfg.llm.hidden_size),
        )
        self.language_model = Qwen2ForCausalLM(cfg.llm)

    def extract_feature(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """[T,3,448,448] float32 -> image features [T, 256, llm_hidden]."""
        vit = self.vision_model(pixel_values)[:, 1:, :]
        h = w = int(vit.shape[1] ** 0.5)
        vit = vit.reshape(vit.shape[0], h, w, -1)
        vit = pixel_shuffle(vit, self.cfg.downsample_ratio, self.cfg.ps_version)
        vit = vit.reshape(vit.shape[0], -1, vit.shape[-1])
        return self.mlp1(vit)

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.language_model.model.embed_tokens(input_ids)

    def empty_past(self, batch: int = 1) -> List[torch.Tensor]:
        c = self.cfg.llm
        return [torch.zeros(batch, c.num_kv_heads, 0, c.head_dim) for _ in range(2 * c.num_layers)]

    def merge(self, input_ids: torch.Tensor, image_features: Optional[torch.Tensor]) -> torch.Tensor:
        """LLaVA-style merge: feature rows replace the <IMG_CONTEXT> rows of inputs_embeds, in order."""
        embeds = self.embed(input_ids)
        ctx = self.cfg.special_id("<IMG_CONTEXT>")
        sel = input_ids == ctx
        n = int(sel.sum())
        if image_features is None:
            if n:
                raise ValueError("prompt has <IMG_CONTEXT> tokens but no image features")
            return embeds
        rows = image_features.reshape(-1, image_features.shape[-1])
        if n != rows.shape[0]:
            raise ValueError(f"{n} <IMG_CONTEXT> tokens but {rows.shape[0]} feature rows")
        embeds = embeds.clone()
        embeds[sel] = rows.to(embeds.dtype)
        return embeds

    @torch.no_grad()
    def generate(self, input_ids: List[int], image_features: Optional[torch.Tensor], max_new_tokens: int,
                 eos_ids: Sequence[int] = ()) -> Dict[str, Any]:
        """Greedy decoding with the KV cache (batch 1). Stops after an eos id (included) or max_new_tokens.

        Returns first_logits (last prompt position), the generated ids, and for every step the margin
        between the best and second-best logit (how robust each greedy choice is to rounding)."""
        ids = torch.tensor([input_ids], dtype=torch.int64)
        embeds = self.merge(ids, image_features)
        past = self.empty_past(1)
        attn = torch.ones(1, ids.shape[1], dtype=torch.int64)
        pos = torch.arange(ids.shape[1], dtype=torch.int64).unsqueeze(0)
        logits, past = self.language_model(embeds, attn, pos, past)
        step_logits = logits[0, -1]
        first = step_logits.clone()
        out: List[int] = []
        margins: List[float] = []
        for _ in range(max_new_tokens):
            top2 = torch.topk(step_logits, 2).values
            margins.append(float(top2[0] - top2[1]))
            nxt = int(torch.argmax(step_logits))
            out.append(nxt)
            if nxt in eos_ids:
                break
            e = self.embed(torch.tensor([[nxt]], dtype=torch.int64))
            attn = torch.ones(1, attn.shape[1] + 1, dtype=torch.int64)
            pos = torch.tensor([[attn.shape[1] - 1]], dtype=torch.int64)
            logits, past = self.language_model(e, attn, pos, past)
            step_logits = logits[0, -1]
        return {"first_logits": first, "ids": out, "margins": margins}
