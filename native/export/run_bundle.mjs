/**
 * @file Maintainer tool: run one variant of a bundle with onnxruntime-node on inputs prepared by Python.
 *
 * Owns: nothing the app uses. `check_bundle.py` (no onnxruntime for Python here) writes a job folder,
 * this script runs the three graphs (vision -> merge -> prefill -> greedy with the KV cache fed back)
 * and the bundle's tokenizer, and writes the results back for Python to compare against PyTorch.
 * Runs: node native/export/run_bundle.mjs <bundle> <variant> <jobdir>
 *   job.json {input_ids, steps, strings, threads, keep_last, tokenize_only}, pixel_values.bin (float32 [T,3,S,S])
 *   -> result.json {ids, first_logits, token_ids, timings}, image_features.bin (float32)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';

const [bundle, variant, jobDir] = process.argv.slice(2);
if (!bundle || !variant || !jobDir) {
  console.error('usage: run_bundle.mjs <bundle> <variant> <jobdir>');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
const files = manifest.variants[variant];
if (!files) throw new Error(`bundle has no variant ${variant}`);
const job = JSON.parse(readFileSync(join(jobDir, 'job.json'), 'utf8'));
const opts = { intraOpNumThreads: job.threads ?? 2, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
const { num_layers: L, num_kv_heads: KV, head_dim: HD, hidden_size: D } = manifest.llm;
const timings = {};
const t0 = () => performance.now();

const tok = new Tokenizer(JSON.parse(readFileSync(join(bundle, 'tokenizer.json'), 'utf8')), {});
const token_ids = (job.strings ?? []).map((s) => tok.encode(s, { add_special_tokens: false }).ids);
if (job.tokenize_only) {
  writeFileSync(join(jobDir, 'result.json'), JSON.stringify({ token_ids }));
  process.exit(0);
}

let t = t0();
const vision = await ort.InferenceSession.create(join(bundle, files.vision_encoder), opts);
const embed = await ort.InferenceSession.create(join(bundle, files.embed_tokens), opts);
const decoder = await ort.InferenceSession.create(join(bundle, files.decoder_model_merged), opts);
timings.load_ms = t0() - t;

let features = null;
if (job.num_tiles > 0) {
  const buf = readFileSync(join(jobDir, 'pixel_values.bin'));
  const pv = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const S = manifest.image.size;
  t = t0();
  const out = await vision.run({ pixel_values: new ort.Tensor('float32', pv, [job.num_tiles, 3, S, S]) });
  timings.vision_ms = t0() - t;
  features = out.image_features;
  writeFileSync(join(jobDir, 'image_features.bin'), Buffer.from(features.data.buffer, features.data.byteOffset, features.data.byteLength));
}

const embedIds = async (ids) => {
  const o = await embed.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) });
  return o.inputs_embeds;
};

// prefill: embeddings with image rows replaced in order (LLaVA merge)
const ids = job.input_ids;
t = t0();
const emb = await embedIds(ids);
const e = new Float32Array(emb.data);
if (features) {
  const ctx = manifest.tokens.img_context;
  let row = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== ctx) continue;
    e.set(features.data.subarray(row * D, (row + 1) * D), i * D);
    row++;
  }
  if (row * D !== features.data.length) throw new Error(`merge: ${row} context tokens vs ${features.data.length / D} rows`);
}
let past = {};
for (let i = 0; i < L; i++) {
  for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, KV, 0, HD]);
}
let total = ids.length;
const step = async (embeds, seq) => {
  const feeds = {
    inputs_embeds: new ort.Tensor('float32', embeds, [1, seq, D]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
    position_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: seq }, (_, k) => BigInt(total - seq + k)),
      [1, seq],
    ),
    ...past,
  };
  // BUNDLE-SPEC.md: 0 = logits of every position, 1 = only the last one
  if (decoder.inputNames.includes('num_logits_to_keep')) {
    feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.from([job.keep_last ? 1n : 0n]), []);
  }
  const o = await decoder.run(feeds);
  past = {};
  for (let i = 0; i < L; i++) {
    for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = o[`present.${i}.${kv}`];
  }
  const [, rows, V] = o.logits.dims;
  if (rows !== (job.keep_last && decoder.inputNames.includes('num_logits_to_keep') ? 1 : seq))
    throw new Error(`logits have ${rows} rows for ${seq} positions`);
  return o.logits.data.subarray((rows - 1) * V, rows * V);
};
let logits = await step(e, ids.length);
timings.prefill_ms = t0() - t;
const first_logits = Array.from(logits);
const gen = [];
t = t0();
for (let s = 0; s < job.steps; s++) {
  let best = 0;
  for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
  gen.push(best);
  if (manifest.tokens.eos.includes(best) || s === job.steps - 1) break;
  total += 1;
  const ne = await embedIds([best]);
  logits = await step(new Float32Array(ne.data), 1);
}
timings.decode_ms = t0() - t;
timings.decode_steps = gen.length - 1;
writeFileSync(join(jobDir, 'result.json'), JSON.stringify({ ids: gen, first_logits, token_ids, timings }));
