#!/usr/bin/env sh
# Regenerates every generated fixture, deterministically: the sample library, the library test fixtures,
# and the ML fixtures (tiny InternVL bundle, fixture images, goldens). Needs Python 3 with PyTorch, onnx,
# numpy, Pillow and scikit-image (Debian: python3-torch python3-onnx python3-skimage opencv-doc).
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
"$PYTHON" scripts/make-sample-library.py
node --import tsx test/fixtures/make-library-fixtures.ts
sh native/export/make_fixtures.sh
