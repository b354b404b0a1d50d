#!/bin/sh
# @file Regenerate every ML fixture deterministically: tiny bundle, fixture images, goldens, tiny text embedder.
# Runs from anywhere: sh native/export/make_fixtures.sh  (needs Debian's /usr/bin/python3 with torch + onnx)
# Seed 4 is used because every greedy step of every golden has a top-1/top-2 logit margin >= 2.9e-3
# there (seed 0 has a 3e-5 margin, too close to fp32 rounding for "identical ids"); see README.md.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
SEED=4
VARIANTS=${VARIANTS:-fp32,int8,q4,fp16}
BUNDLE="$REPO/test/fixtures/models/tiny-internvl"
rm -rf "$BUNDLE"
"$PY" "$HERE/export.py" random --config "$HERE/configs/tiny.json" --seed "$SEED" --out "$BUNDLE" --variants "$VARIANTS"
"$PY" "$HERE/make_fixture_images.py" --out "$REPO/test/fixtures/images/ml"
"$PY" "$HERE/make_goldens.py" --config "$HERE/configs/tiny.json" --seed "$SEED" --out "$REPO/test/fixtures/goldens"
# the bundle must reproduce the reference through onnxruntime-node (exit 1 otherwise)
"$PY" "$HERE/check_bundle.py" --bundle "$BUNDLE" --config "$HERE/configs/tiny.json" --seed "$SEED" \
  --image "$REPO/test/fixtures/images/ml/ratio-16x9.png" --max-tiles 12 --keep-last > /dev/null
sh "$HERE/make_embedder_fixtures.sh"
sh "$HERE/make_checkpoint_fixtures.sh"
echo "fixtures regenerated"
