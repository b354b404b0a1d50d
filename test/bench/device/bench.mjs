// GPU figures for the full-size InternVL3-1B graphs (random weights written here from a seed, same
// layout as the export): vision encoder ms/tile, prefill and decode tok/s, per execution provider.
import { createRequire } from 'node:module';
import { openSync, writeSync, closeSync, readFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
const ort = require('./node_modules/onnxruntime-node');
const G = '.gpu/graphs';
const layout = JSON.parse(readFileSync(`${G}/layout.json`, 'utf8'));
let seed = 12345;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 0.04 - 0.02;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(v) {
  f32[0] = v;
  const x = u32[0];
  const s = (x >>> 16) & 0x8000;
  let e = ((x >>> 23) & 0xff) - 127 + 15;
  const m = x & 0x7fffff;
  if (e <= 0) return s;
  if (e >= 31) return s | 0x7c00;
  return s | (e << 10) | (m >>> 13);
}
function writeData(name) {
  const L = layout[name];
  const fd = openSync(`${G}/${L.data}`, 'w');
  for (const [off, len, dt] of L.tensors) {
    const CH = 1 << 24;
    let done = 0;
    while (done < len) {
      const n = Math.min(CH, len - done);
      const buf = Buffer.alloc(n);
      if (dt === 1) {
        const a = new Float32Array(buf.buffer, buf.byteOffset, n / 4);
        for (let i = 0; i < a.length; i++) a[i] = rnd();
      } else if (dt === 10) {
        const a = new Uint16Array(buf.buffer, buf.byteOffset, n / 2);
        for (let i = 0; i < a.length; i++) a[i] = toHalf(rnd());
      }
      writeSync(fd, buf, 0, n, off + done);
      done += n;
    }
  }
  closeSync(fd);
}
const out = { node: process.version };
const t0 = performance.now();
for (const n of Object.keys(layout)) writeData(n);
out.write_weights_s = +((performance.now() - t0) / 1000).toFixed(1);
const randT = (n, dims) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rnd() * 50;
  return new ort.Tensor('float32', a, dims);
};
async function vision(name, ep) {
  const s = await ort.InferenceSession.create(`${G}/${name}.onnx`, { executionProviders: [ep], graphOptimizationLevel: 'all' });
  const r = {};
  for (const tiles of [1, 7]) {
    const x = randT(tiles * 3 * 448 * 448, [tiles, 3, 448, 448]);
    await s.run({ pixel_values: x });
    const reps = tiles === 1 ? 5 : 2;
    const t = performance.now();
    for (let i = 0; i < reps; i++) await s.run({ pixel_values: x });
    r[`ms_per_tile_at_${tiles}`] = +((performance.now() - t) / reps / tiles).toFixed(1);
  }
  await s.release();
  return r;
}
async function decoder(name, ep) {
  const s = await ort.InferenceSession.create(`${G}/${name}.onnx`, { executionProviders: [ep], graphOptimizationLevel: 'all' });
  const L = 24,
    KV = 2,
    HD = 64,
    D = 896,
    P = 512,
    N = 30;
  const i64 = (arr, dims) => new ort.Tensor('int64', BigInt64Array.from(arr.map(BigInt)), dims);
  const feeds = (embeds, S, past, pastLen) => {
    const f = {
      inputs_embeds: embeds,
      attention_mask: i64(Array(pastLen + S).fill(1), [1, pastLen + S]),
      position_ids: i64(
        Array.from({ length: S }, (_, i) => pastLen + i),
        [1, S],
      ),
    };
    if (s.inputNames.includes('num_logits_to_keep')) f.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.from([1n]), []);
    for (let i = 0; i < L; i++)
      for (const kv of ['key', 'value'])
        f[`past_key_values.${i}.${kv}`] = past
          ? past[`present.${i}.${kv}`]
          : new ort.Tensor('float32', new Float32Array(0), [1, KV, 0, HD]);
    return f;
  };
  let r = await s.run(feeds(randT(P * D, [1, P, D]), P, null, 0)); // warm-up
  let t = performance.now();
  r = await s.run(feeds(randT(P * D, [1, P, D]), P, null, 0));
  const prefill = P / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let k = 0; k < N; k++) r = await s.run(feeds(randT(D, [1, 1, D]), 1, r, P + k));
  const decode = N / ((performance.now() - t) / 1000);
  await s.release();
  return { prefill_tok_per_s: +prefill.toFixed(1), decode_tok_per_s: +decode.toFixed(2), prompt_tokens: P };
}
for (const ep of ['webgpu', 'cpu']) {
  for (const v of ['', '_fp16']) {
    if (ep === 'cpu' && v === '_fp16') continue;
    try {
      out[`${ep}${v}_vision`] = await vision(`vision_encoder${v}`, ep);
    } catch (e) {
      out[`${ep}${v}_vision_error`] = String(e.message).slice(0, 300);
    }
    try {
      out[`${ep}${v}_decoder`] = await decoder(`decoder_model_merged${v}`, ep);
    } catch (e) {
      out[`${ep}${v}_decoder_error`] = String(e.message).slice(0, 300);
    }
    console.log(JSON.stringify(out));
  }
}
