#!/bin/sh
# Device understanding check (run from the repository root on the lent GPU machine, carry [".gpu"],
# after prep_understand.sh): photos/s of the understanding step at batch 1 and batched, KV cache on
# the device vs on the host. Prints one JSON line (test/bench/device/README.md).
#   PROVIDER=webgpu N=8 BATCH=8 sh test/bench/device/understand.sh
# Dry run on a CPU machine: PROVIDER=cpu NODE=node sh test/bench/device/understand.sh
set -eu
fail() { echo "understand.sh: $*" >&2; exit 1; }
PROVIDER=${PROVIDER:-webgpu}
N=${N:-8}
BATCH=${BATCH:-8}
W=${WORK:-/tmp/shoebox-understand}
U=.gpu/u
[ -f "$U/pack.tar.xz" ] && [ -f "$U/bundle/layout.json" ] || fail "no $U: run sh test/bench/device/prep_understand.sh here first and carry .gpu"
VARIANT=$(cat "$U/variant")
if [ "$PROVIDER" = webgpu ]; then
  # Dawn needs a Vulkan loader and, for NVIDIA's driver, the glvnd libraries (README, step 2).
  ls .gpu/gl/*.deb >/dev/null 2>&1 || fail "no .gpu/gl/*.deb (apt-get download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libopengl0 libgles2)"
  for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
  [ -f "$VK_DRIVER_FILES" ] || fail "no NVIDIA Vulkan driver manifest at $VK_DRIVER_FILES"
fi
rm -rf "$W"
mkdir -p "$W"
xz -dc "$U/pack.tar.xz" | tar -xf - -C "$W"
cp -r "$U/bundle" "$U/photos" "$U/understand.mjs" "$W/"
xz -d "$W/bundle/tokenizer.json.xz"
NODE=${NODE:-$W/bin/node}
"$NODE" --version >/dev/null 2>&1 || fail "node does not run ($NODE): $(ldd "$NODE" 2>&1 | grep 'not found' || true)"
need=$("$NODE" -e 'console.log(require(process.argv[1]).files.reduce((a, f) => a + f.bytes, 0))' "$W/bundle/manifest.json")
free=$(df -B1 --output=avail "$W" | tail -1)
[ "$free" -gt "$need" ] || fail "$need bytes of weights do not fit the $free free bytes under $W"
timeout 150 "$NODE" "$W/understand.mjs" weights "$W/bundle" || fail "writing the seeded weights failed"
cd "$W"
UNDERSTAND_CHILD_TIMEOUT_S=${CHILD_TIMEOUT_S:-200} timeout 440 "$NODE" understand.mjs run bundle "$VARIANT" "$PROVIDER" photos "$N" "$BATCH" 2>&1 |
  grep -v "W:onnxruntime" | tail -3
