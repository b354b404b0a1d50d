/**
 * @file `npm run bench:vlm`: InternVL inference speed on the full-size random-weight InternVL3-1B
 * bundle, fp32 and int8, with onnxruntime-node (CPU unless a GPU provider is installed), against
 * the PyTorch reference on the same weights. Prints a table, then one JSON line with every figure.
 *
 * Runs under tsx in plain Node: `node --import tsx test/bench/vlm.ts [--bundle DIR]
 * [--variants fp32,int8] [--reps N] [--skip-ref]`. Each variant runs in its own child process
 * (`--child VARIANT`) so its peak RSS is its own. The bundle is generated with
 * `native/export/export.py random` under the git-ignored `models/` when missing (minutes).
 * Reference figures come from `native/export/bench_reference.py` (PyTorch, same weights).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caption } from '../../native/pipelines/caption';
import { generate, prefill } from '../../native/pipelines/generate';
import { prepareImageFile } from '../../native/preprocess/image-input';
import { firstTurnIds } from '../../native/preprocess/prompt';
import { cpuFeatures, int8KernelFamily } from '../../native/runtime/cpu-features';
import { threadCounts } from '../../native/runtime/execution-providers';
import { InternVLModel } from '../../native/runtime/internvl-model';
import { cosine } from '../ml/helpers/first-logits';
import {
  arg,
  BUNDLE_CONFIG as CONFIG,
  DEFAULT_BUNDLE,
  ensureBundle,
  flag,
  printChildResult,
  printTable,
  ratio,
  round,
  runChild,
} from './bench-helpers';

const IMAGE = 'test/fixtures/images/ml/square.png';
const QUESTION = 'Provide a one-sentence caption for the provided image.';
const DECODE_TOKENS = 32;
const CAPTION_TOKENS = 30;

/** Figures of one variant, measured in a child process. */
interface VariantFigures {
  variant: string;
  execution_provider: string;
  load_s: number;
  vision_ms_per_tile: number;
  prompt_tokens: number;
  prefill_tok_per_s: number;
  decode_tok_per_s: number;
  caption_s: number;
  caption_tokens: number;
  peak_rss_mb: number;
  /** Greedy ids: the prefill's choice, then one per decode step (same layout as the reference). */
  greedy_ids: number[];
}

async function child(variant: string, bundle: string, logitsOut: string, reps: number): Promise<void> {
  const t0 = performance.now();
  const model = await InternVLModel.load(bundle, { variant });
  const loadS = (performance.now() - t0) / 1000;
  const provider = model.describe().providers.decoder_model_merged?.chosen ?? 'unknown';
  const prep = await prepareImageFile(IMAGE, model.manifest.image, 1);
  // Vision: one warm-up, then `reps` timed runs of one tile.
  await model.encodeImages(prep.pixelValues);
  let visionMs = 0;
  let feats: Float32Array = new Float32Array(0);
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    feats = await model.encodeImages(prep.pixelValues);
    visionMs += performance.now() - t;
  }
  const ids = firstTurnIds(
    model.tokenizer,
    { question: QUESTION, tilesPerImage: [1], systemMessage: model.manifest.system_message },
    model.manifest.tokens,
    256,
  );
  // Prefill: one warm-up, one timed.
  await prefill(model, ids, feats, null);
  const tp = performance.now();
  const state = await prefill(model, ids, feats, null);
  const prefillS = (performance.now() - tp) / 1000;
  writeFileSync(logitsOut, Buffer.from(state.lastLogits.buffer, state.lastLogits.byteOffset, state.lastLogits.byteLength));
  // Decode: DECODE_TOKENS decoder steps (EOS ignored so the count is fixed).
  const gen = await generate(model, state, {
    eos: [],
    sampling: { maxNewTokens: DECODE_TOKENS + 1 },
    contextLeft: model.manifest.llm.max_position_embeddings - ids.length,
  });
  const decodeTokPerS = DECODE_TOKENS / (gen.decodeMs / 1000);
  // Caption end to end from the file: decode, tile, vision, prefill, 30 tokens.
  const tc = performance.now();
  const cap = await caption(model, {
    image: { path: IMAGE, maxTiles: 1 },
    prompt: QUESTION,
    sampling: { maxNewTokens: CAPTION_TOKENS, minNewTokens: CAPTION_TOKENS },
  });
  const captionS = (performance.now() - tc) / 1000;
  const fig: VariantFigures = {
    variant,
    execution_provider: provider,
    load_s: round(loadS),
    vision_ms_per_tile: round(visionMs / reps, 1),
    prompt_tokens: ids.length,
    prefill_tok_per_s: round(ids.length / prefillS, 1),
    decode_tok_per_s: round(decodeTokPerS, 2),
    caption_s: round(captionS),
    caption_tokens: cap.tokenIds.length,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    greedy_ids: gen.tokenIds,
  };
  await model.release();
  printChildResult(fig);
}

/** What `native/export/bench_reference.py` prints (one JSON line). */
interface RefFigures {
  vision_ms_per_tile?: number;
  prefill_tok_s?: number;
  decode_tok_s?: number;
  peak_rss_mb?: number;
  greedy_ids?: number[];
}

function runReference(threads: number, reps: number): { ref: RefFigures | null; note: string } {
  const script = 'native/export/bench_reference.py';
  if (!existsSync(script)) return { ref: null, note: `${script} not found` };
  const args = [script, '--bundle-config', CONFIG, '--seed', '0', '--image', IMAGE, '--max-tiles', '1', '--question', QUESTION];
  args.push('--decode-tokens', String(DECODE_TOKENS), '--threads', String(threads), '--vision-repeats', String(reps));
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (r.status !== 0 || line === undefined) {
    return {
      ref: null,
      note: `reference failed (exit ${String(r.status)}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    };
  }
  return { ref: JSON.parse(line) as RefFigures, note: 'ok' };
}

async function parent(): Promise<void> {
  const bundle = arg('bundle', DEFAULT_BUNDLE)!;
  const variants = (arg('variants', 'fp32,int8') ?? 'fp32,int8').split(',');
  const reps = Number(arg('reps', '2'));
  const threads = threadCounts().intraOp;
  const features = cpuFeatures();
  const loadStart = os.loadavg()[0]!;
  ensureBundle(bundle, variants);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'shoebox-bench-'));
  const figs: Record<string, VariantFigures> = {};
  const logits: Record<string, Float32Array> = {};
  try {
    for (const v of variants) {
      const out = path.join(tmp, `${v}.logits`);
      process.stderr.write(`running ${v} …\n`);
      figs[v] = runChild<VariantFigures>(['--child', v, '--bundle', bundle, '--logits', out, '--reps', String(reps)], `variant ${v}`);
      const buf = readFileSync(out);
      logits[v] = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  process.stderr.write('running the PyTorch reference …\n');
  const { ref, note } = flag('skip-ref') ? { ref: null, note: 'skipped' } : runReference(threads, reps);

  const fp32 = figs.fp32;
  const int8 = figs.int8;
  const summary = {
    bench: 'vlm',
    bundle,
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`,
    // int8 speed and kernels differ by ISA (VNNI or AVX2 only): every figure is per kind of CPU.
    cpu_features: features,
    int8_kernel: int8KernelFamily(features),
    threads,
    // Other work on the machine skews every figure; the 1-minute load average is recorded.
    load_avg_start: round(loadStart, 2),
    load_avg_end: round(os.loadavg()[0]!, 2),
    execution_provider: fp32?.execution_provider ?? int8?.execution_provider ?? 'unknown',
    vision_ms_per_tile: fp32?.vision_ms_per_tile ?? null,
    prefill_tok_per_s: fp32?.prefill_tok_per_s ?? null,
    decode_tok_per_s: fp32?.decode_tok_per_s ?? null,
    caption_s: fp32?.caption_s ?? null,
    peak_rss_mb: fp32?.peak_rss_mb ?? null,
    int8_vision_ms_per_tile: int8?.vision_ms_per_tile ?? null,
    int8_prefill_tok_per_s: int8?.prefill_tok_per_s ?? null,
    int8_decode_tok_per_s: int8?.decode_tok_per_s ?? null,
    int8_caption_s: int8?.caption_s ?? null,
    int8_peak_rss_mb: int8?.peak_rss_mb ?? null,
    int8_speedup: ratio(fp32?.caption_s, int8?.caption_s),
    int8_vision_speedup: ratio(fp32?.vision_ms_per_tile, int8?.vision_ms_per_tile),
    int8_decode_speedup: ratio(int8?.decode_tok_per_s, fp32?.decode_tok_per_s),
    int8_logits_cosine: logits.fp32 && logits.int8 ? round(cosine(logits.fp32, logits.int8), 5) : null,
    ref_vision_ms_per_tile: ref?.vision_ms_per_tile ?? null,
    ref_prefill_tok_per_s: ref?.prefill_tok_s ?? null,
    ref_decode_tok_per_s: ref?.decode_tok_s ?? null,
    ref_peak_rss_mb: ref?.peak_rss_mb ?? null,
    fp32_greedy_matches_ref:
      fp32 !== undefined && ref?.greedy_ids !== undefined ? JSON.stringify(fp32.greedy_ids) === JSON.stringify(ref.greedy_ids) : null,
    vision_speedup_vs_ref: ratio(ref?.vision_ms_per_tile, fp32?.vision_ms_per_tile),
    prefill_speedup_vs_ref: ratio(fp32?.prefill_tok_per_s, ref?.prefill_tok_s),
    decode_speedup_vs_ref: ratio(fp32?.decode_tok_per_s, ref?.decode_tok_s),
    reference: note,
    variants: figs,
  };
  const rows: [string, string, string, string][] = [
    ['figure', 'fp32', 'int8', 'PyTorch fp32'],
    [
      'vision ms / tile',
      String(fp32?.vision_ms_per_tile ?? '-'),
      String(int8?.vision_ms_per_tile ?? '-'),
      String(ref?.vision_ms_per_tile ?? '-'),
    ],
    ['prefill tok/s', String(fp32?.prefill_tok_per_s ?? '-'), String(int8?.prefill_tok_per_s ?? '-'), String(ref?.prefill_tok_s ?? '-')],
    ['decode tok/s', String(fp32?.decode_tok_per_s ?? '-'), String(int8?.decode_tok_per_s ?? '-'), String(ref?.decode_tok_s ?? '-')],
    [`caption s (1 tile, ${CAPTION_TOKENS} tok)`, String(fp32?.caption_s ?? '-'), String(int8?.caption_s ?? '-'), '-'],
    ['peak RSS MB', String(fp32?.peak_rss_mb ?? '-'), String(int8?.peak_rss_mb ?? '-'), String(ref?.peak_rss_mb ?? '-')],
    ['load s', String(fp32?.load_s ?? '-'), String(int8?.load_s ?? '-'), '-'],
  ];
  printTable(rows);
  process.stdout.write(
    `provider ${summary.execution_provider}, ${threads} threads; vision ×${String(summary.vision_speedup_vs_ref)} vs ref, decode ×${String(summary.decode_speedup_vs_ref)} vs ref; int8 ×${String(summary.int8_speedup)} (caption), logits cosine ${String(summary.int8_logits_cosine)}\n`,
  );
  process.stdout.write(
    `cpu ${summary.machine}: ${features.join(' ')} (int8 kernels: ${summary.int8_kernel}); int8_logits_cosine ${String(summary.int8_logits_cosine)}\n`,
  );
  process.stdout.write(JSON.stringify(summary) + '\n');
}

const childVariant = arg('child');
if (childVariant !== undefined) {
  await child(childVariant, arg('bundle', DEFAULT_BUNDLE)!, arg('logits')!, Number(arg('reps', '2')));
} else {
  await parent();
}
