"""@file Architecture configuration of InternVL bundles (configs/*.json <-> dataclasses).

Owns: VisionConfig, LlmConfig, ModelConfig. Runs: /usr/bin/python3 (export tools only).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional


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
