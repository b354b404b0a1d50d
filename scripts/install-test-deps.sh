#!/usr/bin/env bash
# System packages the test suite needs on Debian 12: Chromium for the Playwright end-to-end tests, and on
# x86-64 QEMU's user-mode emulator, which runs the int8 test on an emulated AVX2-only CPU
# (test/ml/int8-cpus.test.ts), and heif-enc, which makes the HEIC test files (test/integration/library-heic.test.ts).
# (Python + PyTorch are only needed to regenerate fixtures or run bench:vlm's reference; see README.)
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v heif-enc >/dev/null 2>&1 || need+=(libheif-examples)
if [ "$(uname -m)" = x86_64 ]; then command -v qemu-x86_64 >/dev/null 2>&1 || need+=(qemu-user); fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "test dependencies: ok (chromium: $(command -v chromium); qemu: $(command -v qemu-x86_64 || echo none); heif-enc: $(command -v heif-enc))"
