"""@file Tokenizer of generated text-embedder bundles: a byte-level BPE tokenizer.json writer + its exact Python twin.

Owns: the tokenizer of `export.py random-embedder` bundles (BUNDLE-SPEC.md, "Text-embedder bundles") and
the golden token ids. Runs: /usr/bin/python3.

[Note: embedder tokenizer] The real granite-embedding-97m-multilingual-r2 tokenizer is a byte-level BPE
(GPT-2 byte-to-unicode alphabet, ranked merges) whose post-processor wraps a text as `[CLS] ... [SEP]`
(native/export/EMBEDDER.md). The generated one is the same model kind, small: ids 0..255 are the bytes,
then one merge per entry of the config's `tokenizer.fragments` chain (so real words and multi-byte
characters become single tokens and BPE ranking is exercised), then the special tokens. The
pre-tokenizer is `ByteLevel` with the GPT-2 split regex, reproduced here by a hand-written scanner with
@huggingface/tokenizers' semantics: JavaScript `\\s` (not Python's), Unicode letter and number
categories, `\\s+(?!\\S)` leaving the last space of a run for the next word. BPE picks the lowest-rank
pair and, among equal ranks, the leftmost one, as @huggingface/tokenizers does (rank + position/length).
No merge joins a token with itself, so that tie rule never decides between overlapping pairs.
"""
from __future__ import annotations

import json
import unicodedata
from typing import Dict, List, Sequence, Tuple

from text import bytes_to_unicode

B2U = bytes_to_unicode()
CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")   # the regex's alternatives, in its order
# ECMAScript WhiteSpace + LineTerminator outside category Zs (regex `\s` with the `u` flag)
_JS_SPACE_EXTRA = set("\t\n\x0b\x0c\r\ufeff\u2028\u2029")
SPECIAL_NAMES = ("pad", "cls", "sep", "mask")
SPECIAL_TEXT = {"pad": "[PAD]", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]"}


def is_js_space(c: str) -> bool:
    return c in _JS_SPACE_EXTRA or unicodedata.category(c) == "Zs"


def is_letter(c: str) -> bool:
    return unicodedata.category(c).startswith("L")


def is_number(c: str) -> bool:
    return unicodedata.category(c).startswith("N")


def _run(text: str, i: int, pred) -> int:
    while i < len(text) and pred(text[i]):
        i += 1
    return i


def split_gpt2(text: str) -> List[str]:
    """`'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+` (flags gu)."""
    out: List[str] = []
    i, n = 0, len(text)
    other = lambda c: not (is_js_space(c) or is_letter(c) or is_number(c))  # noqa: E731
    while i < n:
        hit = next((c for c in CONTRACTIONS if text.startswith(c, i)), None)
        if hit is not None:
            out.append(hit)
            i += len(hit)
            continue
        end = None
        for pred in (is_letter, is_number, other):
            if text[i] == " " and i + 1 < n and pred(text[i + 1]):
                end = _run(text, i + 1, pred)
            elif pred(text[i]):
                end = _run(text, i, pred)
            if end is not None:
                break
        if end is None:                      # text[i] is whitespace
            j = _run(text, i, is_js_space)
            # \s+(?!\S): the whole run at the end of the text, else all but its last char when that
            # leaves at least one; otherwise \s+ takes the single char.
            end = j if j == n or j - 1 == i else j - 1
        out.append(text[i:end])
        i = end
    return out


def byte_level(piece: str) -> str:
    return "".join(B2U[b] for b in piece.encode("utf-8"))


def bpe(word: str, ranks: Dict[Tuple[str, str], int]) -> List[str]:
    """Lowest-rank adjacent pair first, leftmost among equals, until no pair is a merge."""
    syms = list(word)
    while len(syms) > 1:
        best = None
        for i in range(len(syms) - 1):
            r = ranks.get((syms[i], syms[i + 1]))
            if r is not None and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            break
        i = best[1]
        syms[i:i + 2] = [syms[i] + syms[i + 1]]
    return syms


def build_merges(fragments: Sequence[str]) -> List[Tuple[str, str]]:
    """Merges that make each fragment one token: re-tokenize it and join its first two pieces until one is
    left, so later fragments build on earlier merges (e.g. " the" on "th")."""
    merges: List[Tuple[str, str]] = []
    ranks: Dict[Tuple[str, str], int] = {}
    for frag in fragments:
        word = byte_level(frag)
        pieces = bpe(word, ranks)
        while len(pieces) > 1:
            pair = (pieces[0], pieces[1])
            if pair[0] == pair[1]:
                raise ValueError(f"fragment {frag!r} would need the self-merge {pair!r} "
                                 "(see [Note: embedder tokenizer])")
            ranks[pair] = len(merges)
            merges.append(pair)
            pieces = bpe(word, ranks)
    return merges


class EmbedderTokenizer:
    """Exact Python twin of the tokenizer.json that `tokenizer_json()` writes."""

    def __init__(self, fragments: Sequence[str], special: Dict[str, int]):
        missing = [s for s in SPECIAL_NAMES if s not in special]
        if missing:
            raise ValueError(f"special token ids missing: {missing}")
        self.merges = build_merges(fragments)
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.vocab: Dict[str, int] = {B2U[b]: b for b in range(256)}
        for a, b in self.merges:
            self.vocab[a + b] = len(self.vocab)
        self.special = {SPECIAL_TEXT[k]: special[k] for k in SPECIAL_NAMES}
        taken = set(self.vocab.values())
        clash = [t for t, i in self.special.items() if i in taken]
        if clash:
            raise ValueError(f"special tokens {clash} collide with byte/merge ids below {len(self.vocab)}")
        self.cls, self.sep, self.pad = special["cls"], special["sep"], special["pad"]
        self._order = sorted(self.special, key=len, reverse=True)

    @property
    def base_size(self) -> int:
        """Bytes + merges (ids below this are plain vocabulary)."""
        return len(self.vocab)

    def encode(self, text: str) -> List[int]:
        """Content ids (no [CLS]/[SEP]); special-token strings in the raw text match first."""
        out: List[int] = []
        i = start = 0
        while i < len(text):
            hit = next((s for s in self._order if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            out += self._encode_plain(text[start:i])
            out.append(self.special[hit])
            i += len(hit)
            start = i
        return out + self._encode_plain(text[start:])

    def _encode_plain(self, s: str) -> List[int]:
        s = unicodedata.normalize("NFC", s)
        ids: List[int] = []
        for piece in split_gpt2(s):
            ids += [self.vocab[t] for t in bpe(byte_level(piece), self.ranks)]
        return ids

    def encode_for_model(self, text: str, max_length: int) -> List[int]:
        """`[CLS] content [SEP]`, content cut to max_length - 2 (right truncation), as the engine does."""
        return [self.cls] + self.encode(text)[:max_length - 2] + [self.sep]


def reserved_token(i: int) -> str:
    return f"<|reserved_{i}|>"


def tokenizer_json(tok: EmbedderTokenizer, vocab_size: int) -> Dict:
    """tokenizer.json (HF tokenizers format). Ids below vocab_size that are neither bytes, merges nor special
    tokens get `<|reserved_N|>` entries (full-size random bundles) so every id decodes."""
    vocab = dict(tok.vocab)
    for text, i in tok.special.items():
        vocab[text] = i
    taken = set(vocab.values())
    for i in range(tok.base_size, vocab_size):
        if i not in taken:
            vocab[byte_level(reserved_token(i))] = i
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for t, i in sorted(tok.special.items(), key=lambda kv: kv[1])]
    special_tokens = {t: {"id": t, "ids": [i], "tokens": [t]} for t, i in tok.special.items()
                      if t in ("[CLS]", "[SEP]")}
    tp = lambda name, type_id: {"SpecialToken": {"id": name, "type_id": type_id}}  # noqa: E731
    seq = lambda sid, type_id: {"Sequence": {"id": sid, "type_id": type_id}}      # noqa: E731
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [tp("[CLS]", 0), seq("A", 0), tp("[SEP]", 0)],
                           "pair": [tp("[CLS]", 0), seq("A", 0), tp("[SEP]", 0), seq("B", 1), tp("[SEP]", 1)],
                           "special_tokens": special_tokens},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in tok.merges]},
    }


def write_tokenizer(path: str, tok: EmbedderTokenizer, vocab_size: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(tok, vocab_size), f, ensure_ascii=False, indent=None, separators=(",", ":"))
