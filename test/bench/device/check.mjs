// GPU check: can onnxruntime-node's bundled WebGPU EP run the tiny InternVL graphs on this GPU, and do
// its outputs match the CPU EP? Prints one JSON line.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const ort = require('./node_modules/onnxruntime-node');
const dir = 'test/fixtures/models/tiny-internvl';
const out = { node: process.version, backends: ort.listSupportedBackends?.() };
function rand(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 4 - 2;
  }
  return a;
}
async function run(ep, tiles) {
  const t0 = performance.now();
  const s = await ort.InferenceSession.create(`${dir}/onnx/vision_encoder.onnx`, { executionProviders: [ep] });
  const load = performance.now() - t0;
  const x = new ort.Tensor('float32', rand(tiles * 3 * 448 * 448, 7), [tiles, 3, 448, 448]);
  await s.run({ pixel_values: x });
  const t1 = performance.now();
  const reps = 5;
  let r;
  for (let i = 0; i < reps; i++) r = await s.run({ pixel_values: x });
  const ms = (performance.now() - t1) / reps;
  return { load_ms: load, run_ms: ms, out: r.image_features.data };
}
for (const tiles of [1, 13]) {
  const cpu = await run('cpu', tiles);
  let gpu;
  try {
    gpu = await run('webgpu', tiles);
  } catch (e) {
    out[`webgpu_error`] = String(e.message ?? e).slice(0, 500);
    break;
  }
  let maxd = 0;
  for (let i = 0; i < cpu.out.length; i++) maxd = Math.max(maxd, Math.abs(cpu.out[i] - gpu.out[i]));
  out[`tiles_${tiles}`] = {
    cpu_ms: +cpu.run_ms.toFixed(2),
    webgpu_ms: +gpu.run_ms.toFixed(2),
    webgpu_load_ms: +gpu.load_ms.toFixed(0),
    max_abs_diff: maxd,
  };
}
console.log(JSON.stringify(out));
