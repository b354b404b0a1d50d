#!/bin/sh
# @file Regenerate the tiny hub-layout checkpoints and the weightless tiny graphs used by the bundle-build
# tests (test/fixtures/graphs/tiny, test/fixtures/checkpoints/*); deterministic. Called by make_fixtures.sh.
# Runs from anywhere: sh native/export/make_checkpoint_fixtures.sh  (needs /usr/bin/python3 with torch + onnx)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
SEED=4   # the tiny fixture bundle's weights (make_fixtures.sh), so its bundle and goldens are the reference
GRAPHS="$REPO/test/fixtures/graphs/tiny"
CK="$REPO/test/fixtures/checkpoints"
"$PY" "$HERE/make_graphs.py" --config "$HERE/configs/tiny.json" --seed "$SEED" --out "$GRAPHS" > /dev/null
rm -rf "$CK"
# Original layout, F32 (the exact fixture weights), 2 shards, only the slow tokenizer files (like InternVL2_5-1B).
"$PY" "$HERE/write_checkpoint.py" --config "$HERE/configs/tiny.json" --seed "$SEED" --out "$CK/tiny-internvl" \
  --layout original --dtype f32 --shards 2 --tokenizer slow --repo OpenGVLab/tiny-internvl --graphs "$GRAPHS"
# -hf layout, BF16 (as the authors publish), 3 shards, tokenizer.json.
"$PY" "$HERE/write_checkpoint.py" --config "$HERE/configs/tiny.json" --seed "$SEED" --out "$CK/tiny-internvl-hf" \
  --layout hf --dtype bf16 --shards 3 --tokenizer json --repo OpenGVLab/tiny-internvl-hf --graphs "$GRAPHS"
echo "checkpoint fixtures regenerated"
