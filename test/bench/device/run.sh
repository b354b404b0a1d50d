set -u
for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
(cd .gpu && xz -dc pack.tar.xz | tar -xf -)
ldd .gpu/bin/node | grep -i "not found"
.gpu/bin/node --version
timeout 240 .gpu/bin/node .gpu/check.mjs 2>&1 | tail -3
nproc; timeout 420 .gpu/bin/node .gpu/bench.mjs 2>&1 | grep -v "W:onnxruntime" | tail -8
