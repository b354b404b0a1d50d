#!/bin/sh
# @file Regenerate the text-embedder ML fixtures deterministically: the tiny embedder bundle and its goldens,
# then check the bundle against the PyTorch reference through onnxruntime-node (exit 1 on disagreement).
# Runs from anywhere: sh native/export/make_embedder_fixtures.sh  (make_fixtures.sh calls it too)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
SEED=0
CONFIG="$HERE/configs/tiny-embedder.json"
BUNDLE="$REPO/test/fixtures/models/tiny-embedder"
rm -rf "$BUNDLE"
"$PY" "$HERE/export.py" random-embedder --config "$CONFIG" --seed "$SEED" --out "$BUNDLE" --variants fp32,int8
"$PY" "$HERE/make_embedder_goldens.py" --config "$CONFIG" --seed "$SEED" --out "$REPO/test/fixtures/goldens/tiny-embedder.json"
"$PY" "$HERE/check_embedder.py" --bundle "$BUNDLE" --config "$CONFIG" --seed "$SEED" > /dev/null
echo "embedder fixtures regenerated"
