/**
 * @file Maintainer tool: run one variant of a text-embedder bundle with onnxruntime-node, and its tokenizer
 * with @huggingface/tokenizers, on inputs prepared by Python (there is no onnxruntime for Python here).
 *
 * Owns: nothing the app uses (the engine is native/runtime/text-embedder-model.ts). `check_embedder.py`
 * writes job.json, this script writes result.json; Python compares both with the PyTorch reference.
 * Runs: node native/export/run_embedder.mjs <bundle> <variant> <jobdir>
 *   job.json {strings: [...], rows: [[ids...], ...], threads}
 *   -> result.json {token_ids: [[content ids], ...], with_special: [[ids], ...], hidden: [[[...]]] per row (unpadded)}
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';

const [bundle, variant, jobDir] = process.argv.slice(2);
if (!bundle || !variant || !jobDir) {
  console.error('usage: run_embedder.mjs <bundle> <variant> <jobdir>');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
const files = manifest.variants[variant];
if (!files) throw new Error(`bundle has no variant ${variant}`);
const job = JSON.parse(readFileSync(join(jobDir, 'job.json'), 'utf8'));

const tok = new Tokenizer(JSON.parse(readFileSync(join(bundle, 'tokenizer.json'), 'utf8')), {});
const token_ids = (job.strings ?? []).map((s) => tok.encode(s, { add_special_tokens: false }).ids);
const with_special = (job.strings ?? []).map((s) => tok.encode(s, { add_special_tokens: true }).ids);

const rows = job.rows ?? [];
const hidden = [];
if (rows.length > 0) {
  const session = await ort.InferenceSession.create(join(bundle, files.model), {
    intraOpNumThreads: job.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const B = rows.length;
  const S = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(B * S).fill(BigInt(manifest.tokens.pad));
  const mask = new BigInt64Array(B * S);
  rows.forEach((r, b) => r.forEach((id, s) => ((ids[b * S + s] = BigInt(id)), (mask[b * S + s] = 1n))));
  const out = await session.run({
    input_ids: new ort.Tensor('int64', ids, [B, S]),
    attention_mask: new ort.Tensor('int64', mask, [B, S]),
  });
  const h = out[manifest.graph.output];
  const D = h.dims[2];
  rows.forEach((r, b) => {
    const rowOut = [];
    for (let s = 0; s < r.length; s++) rowOut.push(Array.from(h.data.subarray((b * S + s) * D, (b * S + s + 1) * D)));
    hidden.push(rowOut);
  });
}
writeFileSync(join(jobDir, 'result.json'), JSON.stringify({ token_ids, with_special, hidden }));
