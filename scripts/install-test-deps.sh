#!/usr/bin/env bash
# System packages the test suite needs on Debian 12: Chromium for the Playwright end-to-end tests.
# (Python + PyTorch are only needed to regenerate fixtures or run bench:vlm's reference; see README.)
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "test dependencies: ok (chromium: $(command -v chromium))"
