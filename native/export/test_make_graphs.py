"""@file Self-test of make_graphs.py's lean path ([Note: make_graphs memory]).

Runs: cd native/export && /usr/bin/python3 -m unittest test_make_graphs (about 5 s). The tiny graph set
is made with every intermediate graph's weights in external data and every model weight file-backed (the
full-size case), no graph may be loaded with its weights, and every output file must equal the committed fixture byte for byte.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import unittest
from unittest import mock

import onnx

import make_graphs
import onnx_export
import quantize

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "test", "fixtures", "graphs", "tiny")


def _sha(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class LeanGraphs(unittest.TestCase):
    def test_external_weights_are_never_loaded_and_output_equals_fixture(self) -> None:
        plain_load = onnx.load
        loads = []

        def load(f, *args, **kw):
            loads.append(kw.get("load_external_data", True))
            return plain_load(f, *args, **kw)

        out = tempfile.mkdtemp(prefix="shoebox-graphs-test-")
        try:
            with mock.patch.object(onnx_export, "EXTERNAL_DATA_THRESHOLD", 0), \
                    mock.patch.object(quantize, "EXTERNAL_DATA_THRESHOLD", 0), \
                    mock.patch.object(make_graphs, "EXTERNAL_DATA_THRESHOLD", 0), \
                    mock.patch.object(make_graphs, "FILE_BACKED_MIN_BYTES", 0), \
                    mock.patch.object(onnx, "load", load), mock.patch.object(make_graphs.onnx, "load", load):
                make_graphs.main(["--config", os.path.join(HERE, "configs", "tiny.json"), "--seed", "4", "--out", out])
            self.assertTrue(loads)
            self.assertNotIn(True, loads, "a graph was loaded with its weights")
            self.assertEqual(sorted(os.listdir(out)), sorted(os.listdir(FIXTURE)))
            for name in sorted(os.listdir(FIXTURE)):
                self.assertEqual(_sha(os.path.join(out, name)), _sha(os.path.join(FIXTURE, name)), name)
        finally:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
