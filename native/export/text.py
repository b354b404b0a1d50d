"""@file Tokenizer and prompt for generated bundles: byte-level tokenizer.json writer + exact Python twin.

Owns: the "bytes" tokenizer of random-weight bundles (BUNDLE-SPEC.md, "Tiny test bundle"), the
internvl2_5 ChatML template and the image-token expansion. Runs: /usr/bin/python3.

[Note: byte tokenizer] One token per UTF-8 byte (id = byte value, token string = GPT-2 byte-to-unicode
char), no merges, NFC normalizer, special tokens as added tokens matched before anything else. With no
merges the result does not depend on any pre-tokenizer regex, so Python can reproduce
@huggingface/tokenizers exactly without the `tokenizers` library (checked by check_tokenizer.mjs).
"""
from __future__ import annotations

import json
import unicodedata
from typing import Dict, List, Optional, Sequence

# Order of the special tokens; ids come from the model config (`tokens.special`).
SPECIAL_NAMES = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<img>", "</img>", "<IMG_CONTEXT>",
                 "<quad>", "</quad>", "<ref>", "</ref>", "<box>", "</box>"]

INTERNVL2_5_SYSTEM = ("你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位"
                      "联合开发的多模态大语言模型。")


def bytes_to_unicode() -> Dict[int, str]:
    """GPT-2's reversible byte -> printable unicode char table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


class ByteTokenizer:
    """Exact Python twin of the tokenizer.json that `tokenizer_json()` writes."""

    def __init__(self, special: Dict[str, int]):
        missing = [s for s in SPECIAL_NAMES if s not in special]
        if missing:
            raise ValueError(f"special token ids missing: {missing}")
        self.special = dict(special)
        self.by_id = {v: k for k, v in special.items()}
        # longest first so no special token shadows a longer one sharing its prefix
        self._order = sorted(self.special, key=len, reverse=True)

    def encode(self, text: str) -> List[int]:
        out: List[int] = []
        i = 0
        buf_start = 0
        while i < len(text):
            hit = next((s for s in self._order if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            out += self._encode_plain(text[buf_start:i])
            out.append(self.special[hit])
            i += len(hit)
            buf_start = i
        out += self._encode_plain(text[buf_start:])
        return out

    @staticmethod
    def _encode_plain(s: str) -> List[int]:
        return list(unicodedata.normalize("NFC", s).encode("utf-8")) if s else []

    def decode(self, ids: Sequence[int], skip_special: bool = True) -> str:
        out = bytearray()
        parts: List[str] = []
        for t in ids:
            if t < 256:
                out.append(t)
                continue
            parts.append(out.decode("utf-8", errors="replace"))
            out = bytearray()
            if t not in self.by_id:
                parts.append(reserved_token(t))
            elif not skip_special:
                parts.append(self.by_id[t])
        parts.append(out.decode("utf-8", errors="replace"))
        return "".join(parts)


def reserved_token(i: int) -> str:
    """Text of an id that is neither a byte nor a special token (full-size random bundles only)."""
    return f"<|reserved_{i}|>"


def tokenizer_json(special: Dict[str, int], vocab_size: int = 0) -> Dict:
    """tokenizer.json (HF tokenizers format) for the byte tokenizer.

    Ids below vocab_size that are neither bytes nor special tokens get plain vocab entries spelling
    `<|reserved_N|>` in the byte alphabet: with no merges, encoding never produces them, but a random
    model may generate them and decoding must not fail."""
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    taken = set(special.values())
    for i in range(256, vocab_size):
        if i not in taken:
            vocab["".join(b2u[b] for b in reserved_token(i).encode("utf-8"))] = i
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    added = [{"id": special[name], "content": name, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for name in SPECIAL_NAMES]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "NFC"}, "pre_tokenizer": byte_level, "post_processor": byte_level,
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }


def write_tokenizer(path: str, special: Dict[str, int], vocab_size: int = 0) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(special, vocab_size), f, ensure_ascii=False, indent=None, separators=(",", ":"))


def build_prompt(question: str, num_patches: Sequence[int], num_image_token: int,
                 system_message: Optional[str] = None) -> str:
    """internvl2_5 template with `<image>` expanded to <img> + 256*T <IMG_CONTEXT> + </img> per image.

    Like InternVLChatModel.chat: when there are images and no `<image>` in the question, one `<image>\\n`
    is prepended; the system message defaults to the template's (InternVL3/2.5 Chinese one)."""
    if num_patches and "<image>" not in question:
        question = "<image>\n" + question
    if question.count("<image>") != len(num_patches):
        raise ValueError(f"{question.count('<image>')} <image> placeholders for {len(num_patches)} images")
    sys_msg = INTERNVL2_5_SYSTEM if system_message is None else system_message
    prompt = (f"<|im_start|>system\n{sys_msg}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n"
              f"<|im_start|>assistant\n")
    for n in num_patches:
        prompt = prompt.replace("<image>", "<img>" + "<IMG_CONTEXT>" * (num_image_token * n) + "</img>", 1)
    return prompt
