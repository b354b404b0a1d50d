"""@file Self-test of the text-embedder export: the GPT-2 split scanner, merges, the tokenizer twin vs
@huggingface/tokenizers, the reference's batching invariance, export determinism and ONNX parity, CLI errors.

Runs with the rest: cd native/export && /usr/bin/python3 -m unittest test_export   (test_export imports this)
or alone: /usr/bin/python3 -m unittest test_embedder. Cases that need node are skipped without it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export  # noqa: E402
from embedder_ref import EmbedderConfig, embed, random_encoder  # noqa: E402
from embedder_text import build_merges, split_gpt2  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TINY_EMBEDDER = os.path.join(HERE, "configs", "tiny-embedder.json")
# Texts that stress the split regex, added-token matching and normalisation; the node twin must agree on all.
TRICKY = ["", " ", "  ", "a", " a", "a ", "Hello  world\n\n", "it's they're I'll we'd", "'S 'x", "2019年の夏",
          "über\u00a0alles", "line\u2028sep\ufeffbom", "tab\tend\t", "\r\n\r\n", "x[CLS]y[SEP]", "[SEP][SEP]",
          "[MASK ] [PAD]", "😀😀 👍🏽!", "e\u0301 vs é", "١٢٣ ٤", "Ⅻ ½ ²", "القط", "ـــ", "a—b–c",
          "  \n x",
          "the the the", " ...", "....", "猫猫", "ç̧", "\u3000全角\u3000", "\x0b\x0c", "a\u200bb", "🏖️"]


def _sha(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class SplitAndMerges(unittest.TestCase):
    def test_gpt2_split(self):
        cases = {
            "Hello  world\n\n": ["Hello", " ", " world", "\n\n"],
            "it's ok": ["it", "'s", " ok"],
            "2019年": ["2019", "年"],
            " 😀! x": [" 😀!", " x"],
            "a \n b": ["a", " \n", " b"],
            "a  ": ["a", "  "],
            "\u3000x": ["\u3000", "x"],
            "\u00a0x": ["\u00a0", "x"],          # NBSP is \s in JavaScript: not the optional leading ' '
            "'ll'd": ["'ll", "'d"],
        }
        for text, want in cases.items():
            self.assertEqual(split_gpt2(text), want, repr(text))
        for text in TRICKY:
            self.assertEqual("".join(split_gpt2(text)), text, repr(text))

    def test_merges_make_fragments_single_tokens_and_refuse_self_merges(self):
        cfg = EmbedderConfig.load(TINY_EMBEDDER)
        tok = cfg.tokenizer()
        for frag in cfg.fragments:
            ids = tok.encode(frag)
            self.assertEqual(len(ids), 1, repr(frag))
        with self.assertRaisesRegex(ValueError, "self-merge"):
            build_merges(["aa"])


class Reference(unittest.TestCase):
    def test_batching_and_padding_change_nothing(self):
        cfg = EmbedderConfig.load(TINY_EMBEDDER)
        model, tok = random_encoder(cfg, 0), cfg.tokenizer()
        texts = ["the cat on the beach", "猫の写真 " * 6, ""]
        both = embed(model, tok, texts, "passage")["vectors"]
        for i, t in enumerate(texts):
            one = embed(model, tok, [t], "passage")["vectors"][0]
            self.assertLess(float(abs(torch.from_numpy(one - both[i])).max()), 1e-5)

    def test_local_layers_see_only_their_window(self):
        """With every layer local, a token farther than local_attention/2 from [CLS] cannot move it."""
        cfg = EmbedderConfig.load(TINY_EMBEDDER)
        cfg.global_attn_every_n_layers = 10 ** 6      # layer 0 is still global: make it local too
        model = random_encoder(cfg, 0)
        model.layers[0].attn.is_global = False
        reach = cfg.num_layers * (cfg.local_attention // 2)
        ids = torch.tensor([[cfg.tokens["cls"]] + [97] * (reach + 3)])
        far = ids.clone()
        far[0, reach + 2] = 98
        near = ids.clone()
        near[0, reach - 1] = 98
        mask = torch.ones_like(ids)
        with torch.no_grad():
            base, moved_far, moved_near = (model(x, mask)[0, 0] for x in (ids, far, near))
        self.assertTrue(torch.equal(base, moved_far))
        self.assertFalse(torch.equal(base, moved_near))


class ExportCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="shoebox-test-embedder-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def _export(self, name: str, *extra: str) -> int:
        return export.main(["random-embedder", "--config", TINY_EMBEDDER, "--seed", "0",
                            "--out", os.path.join(self.tmp, name), *extra])

    def test_deterministic_bundle_equal_to_the_committed_fixture(self):
        self.assertEqual(self._export("a", "--variants", "fp32,int8"), 0)
        self.assertEqual(self._export("b", "--variants", "fp32,int8"), 0)
        fixture = os.path.join(REPO, "test", "fixtures", "models", "tiny-embedder")
        for rel in ("manifest.json", "tokenizer.json", "onnx/model.onnx", "onnx/model_int8.onnx"):
            a = _sha(os.path.join(self.tmp, "a", rel))
            self.assertEqual(a, _sha(os.path.join(self.tmp, "b", rel)), rel)
            if os.path.isdir(fixture):
                self.assertEqual(a, _sha(os.path.join(fixture, rel)),
                                 f"{rel} differs from the fixture: rerun make_embedder_fixtures.sh")
        with open(os.path.join(self.tmp, "a", "manifest.json")) as f:
            m = json.load(f)
        self.assertEqual((m["family"], m["graph"]["output"], m["tokens"]), ("text-embedder", "last_hidden_state",
                                                                           {"cls": 326, "sep": 327, "pad": 325}))

    def test_errors_exit_2(self):
        self.assertEqual(self._export("q4", "--variants", "fp32,q4"), 2)
        bad = os.path.join(self.tmp, "bad.json")
        with open(TINY_EMBEDDER) as f:
            raw = json.load(f)
        raw["embedding"]["pooling"] = "max"
        with open(bad, "w") as f:
            json.dump(raw, f)
        self.assertEqual(export.main(["random-embedder", "--config", bad, "--out", os.path.join(self.tmp, "x")]), 2)
        raw["embedding"]["pooling"], raw["architecture"]["vocab_size"] = "cls", 300
        with open(bad, "w") as f:
            json.dump(raw, f)
        self.assertEqual(export.main(["random-embedder", "--config", bad, "--out", os.path.join(self.tmp, "y")]), 2)

    @unittest.skipIf(shutil.which("node") is None, "node not installed")
    def test_node_tokenizer_and_onnx_match_the_reference(self):
        self.assertEqual(self._export("n", "--variants", "fp32,int8"), 0)
        out = os.path.join(self.tmp, "n")
        cfg = EmbedderConfig.load(TINY_EMBEDDER)
        tok = cfg.tokenizer()
        job = os.path.join(self.tmp, "job")
        os.makedirs(job, exist_ok=True)
        with open(os.path.join(job, "job.json"), "w", encoding="utf-8") as f:
            json.dump({"strings": TRICKY}, f, ensure_ascii=False)
        subprocess.run(["node", os.path.join(HERE, "run_embedder.mjs"), out, "fp32", job], check=True, cwd=REPO)
        with open(os.path.join(job, "result.json"), encoding="utf-8") as f:
            res = json.load(f)
        for text, ids, wrapped in zip(TRICKY, res["token_ids"], res["with_special"]):
            self.assertEqual(ids, tok.encode(text), repr(text))
            self.assertEqual(wrapped, [tok.cls] + tok.encode(text) + [tok.sep], repr(text))
        r = subprocess.run([sys.executable, os.path.join(HERE, "check_embedder.py"), "--bundle", out,
                            "--config", TINY_EMBEDDER, "--seed", "0"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        fp32 = json.loads(r.stdout.splitlines()[0])
        self.assertLess(fp32["hidden_max_abs"], 1e-4)


if __name__ == "__main__":
    unittest.main()
