"""@file PyTorch reference of InternVL (InternViT + pixel shuffle v2 + mlp1 + Qwen2 decoder).

Owns: the model definition used by every Python tool in native/export (export, goldens, bench).
Runs: under Debian's /usr/bin/python3 (torch 1.13), on CPU. Nothing here is shipped in the app.

The maths follows OpenGVLab/InternVL `modeling_intern_vit.py` / `modeling_internvl_chat.py` and the
Qwen2 decoder of HF transformers, as summarised in native/docs/internvl.md §3. Parameter names
are the ORIGINAL InternVL checkpoint names (`vision_model.*`, `mlp1.*`, `language_model.*`), so an
original checkpoint loads with no renaming; `weights.py` maps the `-hf` layout onto these names.

[Note: InternVL reference fidelity]
- InternViT-300M: conv patch embed (k=s=14, bias), CLS token, learned position embedding (the
  original bicubic-interpolates it to the patch grid, which is the identity at 448 px; bundles are fixed
  at 448 px), pre-norm blocks (LayerNorm eps from config), fused qkv
  with bias, layer scale ls1/ls2, exact (erf) GELU, and NO final norm.
- extract_feature: last layer, drop CLS, reshape to a 32x32 grid, pixel shuffle v2 (the exact
  view/permute sequence of the original code), mlp1 = LayerNorm(eps 1e-5) -> Linear -> GELU -> Linear.
- Qwen2: RMSNorm in float32, RoPE (rotate_half form, theta from config), GQA by repeat_kv, q/k/v with
  bias and o_proj without, SwiGLU MLP, final norm, untied lm_head. Dynamic-NTK rope scaling of the
  real InternVL3-1B config only acts past max_position_embeddings (32768) and is not modelled.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from model_config import LlmConfig, ModelConfig, VisionConfig  # noqa: F401  (re-exported)
from qwen2_ref import Qwen2ForCausalLM


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
