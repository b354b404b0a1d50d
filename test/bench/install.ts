/**
 * @file `npm run bench:install`: installing InternVL3-1B (or `--model internvl3-2b`) the way a user
 * does — the checkpoint from a hub, then the bundle built in Node — on the full-size random-weight
 * checkpoint of that model (seed 0) written in OpenGVLab's original layout (`--dtype bf16`, the default,
 * or `f32` safetensors in shards of at most ~1.2 GB with an index, slow tokenizer files) by
 * native/export/write_checkpoint.py (generated once into `bench-data/install/`, git-ignored) and served
 * on loopback by the hub of test/integration/helpers/hub-fixture.ts in its own process.
 *
 * Every built bundle's `.onnx_data` files are hashed and compared with what a correct build writes from
 * these weights: for `f32` the recipe's own reference (`assets/graphs/<model>/recipe.json`,
 * `data_sha256`: make_graphs.py's seed-0 weights), for `bf16` write_checkpoint.py's `expected.json`
 * (the same recipe applied to the BF16-rounded weights). A mismatch fails the bench (exit 1) after
 * the figures are printed.
 *
 * Figures (one JSON line at the end, with `model`, `dtype`, `variants` and `hashes`: per variant, whether
 * every data file of every build matched):
 * - `download_mb_s`, `download_s`: the manager's hub download (tree API, CDN redirect, sha256 checks);
 * - `build_s_fp32`: the build of the fp32 variant alone; `build_s_fp32_int8`: fp32 + int8 in one build,
 *   and `build_s_int8` their difference (what int8 adds); likewise for `--variants fp32,V,...`
 *   (`build_s_fp32_<V>_...`, and `build_s_<V>` when there is one V);
 * - `peak_rss_mb`: the largest peak RSS of the processes that download and build (each step runs in a
 *   child of its own; the hub's process, which holds the files in memory, is not counted);
 * - `max_stall_ms`: the longest event-loop delay of main (the process that asked for the build) while
 *   a step ran — what the window's IPC or the host's requests would have waited at worst (the build
 *   itself runs in a worker thread: [Note: The build runs in a worker thread]).
 *
 * Runs under tsx in plain Node: `node --import tsx test/bench/install.ts [--model internvl3-1b|internvl3-2b]
 * [--variants fp32,int8] [--dtype bf16|f32] [--data DIR] [--graphs DIR]`.
 * Needs the shipped graphs (`assets/graphs/<model>`, made by native/export/make_graphs.py). At 2B the
 * hub process holds the whole checkpoint in memory (8.4 GB in f32) and the disk needs the checkpoint
 * twice plus the largest bundle.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase } from '../../main/db/open';
import { silentLog } from '../../main/log';
import { buildBundleInWorker } from '../../main/models/build/build-in-worker';
import { catalogEntry } from '../../main/models/catalog';
import { createModelManager } from '../../main/models/manager';
import type { ModelDto } from '../../preload/contract';
import { repoFromDir, startFakeHub } from '../integration/helpers/hub-fixture';
import { arg, printChildResult, round, runChild } from './bench-helpers';

const MODEL = arg('model', 'internvl3-1b')!;
const ENTRY = catalogEntry(MODEL);
if (ENTRY?.family !== 'internvl' || !existsSync(`native/export/configs/${MODEL}.json`))
  throw new Error(`--model ${MODEL}: not an InternVL model of the catalog with an export config`);
const DTYPE = arg('dtype', 'bf16')!;
if (DTYPE !== 'bf16' && DTYPE !== 'f32') throw new Error(`--dtype ${DTYPE}: bf16 or f32`);
/** What one build makes (a child's `--variants`); the run as a whole builds fp32 alone, then all of these. */
const VARIANTS = arg('variants', 'fp32,int8')!.split(',');
if (VARIANTS.some((v) => !ENTRY.variants.includes(v))) throw new Error(`--variants ${VARIANTS.join(',')}: ${ENTRY.variants.join(', ')}`);
const DATA = path.resolve(arg('data', 'bench-data/install')!);
const GRAPHS = path.resolve(arg('graphs', 'assets/graphs')!);
/** The 1B BF16 checkpoint keeps its old folder name, so an existing one is reused. */
const CHECKPOINT = path.join(DATA, ENTRY.name + (DTYPE === 'bf16' ? '' : `-${DTYPE}`));
const SOURCE = ENTRY.hub![0]!;
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 0);

/**
 * Watches this process's event loop from now on; `maxStallMs()` is the longest delay seen (ms): how long
 * main (the UI's IPC, the host's requests) would have waited at worst while the step ran.
 */
function watchStalls(): { maxStallMs: () => number; p99StallMs: () => number } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return {
    maxStallMs: () => {
      h.disable();
      return round(h.max / 1e6, 0);
    },
    p99StallMs: () => round(h.percentile(99) / 1e6, 0),
  };
}

/**
 * Writes the full-size random checkpoint in the hub layout when it is missing (minutes; at 2B the
 * writer holds the model, ~8.4 GB). Shards stay under ~1.2 GB: the loopback hub reads each file whole,
 * and Node reads no file over 2 GiB at once. BF16 also needs `expected.json` (the recipe on the rounded
 * weights); F32 is checked against the recipe's own reference.
 */
function ensureCheckpoint(): void {
  const needed = ['model.safetensors.index.json'].concat(DTYPE === 'bf16' ? ['expected.json'] : []);
  if (needed.every((f) => existsSync(path.join(CHECKPOINT, f)))) return;
  process.stderr.write(`writing the full-size random ${ENTRY!.name} checkpoint (${DTYPE}) into ${CHECKPOINT}\n`);
  rmSync(CHECKPOINT, { recursive: true, force: true });
  const shards = Math.max(2, Math.ceil((ENTRY!.approxBytes.fp32! * (DTYPE === 'bf16' ? 0.5 : 1)) / 1.2e9));
  const config = `native/export/configs/${MODEL}.json`;
  execFileSync(
    '/usr/bin/python3',
    ['native/export/write_checkpoint.py', '--config', config, '--seed', '0', '--out', CHECKPOINT, '--layout', 'original'].concat(
      ['--dtype', DTYPE, '--shards', String(shards), '--tokenizer', 'slow', '--repo', SOURCE.repo],
      DTYPE === 'bf16' ? ['--graphs', path.join(GRAPHS, MODEL)] : [],
    ),
    { stdio: 'inherit' },
  );
}

/** sha256 of every graph data file per variant that a correct build writes from the checkpoint's weights. */
function expectedHashes(): Record<string, Record<string, { data: string; sha256: string }>> {
  type Recipe = { reference: { seed: number }; variants: Record<string, Record<string, { data: string; data_sha256: string }>> };
  const recipe = JSON.parse(readFileSync(path.join(GRAPHS, MODEL, 'recipe.json'), 'utf8')) as Recipe;
  if (recipe.reference.seed !== 0) throw new Error(`${MODEL}'s recipe references seed ${recipe.reference.seed}, the checkpoint has seed 0`);
  const bf16 =
    DTYPE === 'bf16'
      ? (
          JSON.parse(readFileSync(path.join(CHECKPOINT, 'expected.json'), 'utf8')) as {
            data_sha256: Record<string, Record<string, string>>;
          }
        ).data_sha256
      : undefined;
  return Object.fromEntries(
    VARIANTS.map((v) => {
      const graphs = recipe.variants[v];
      if (!graphs) throw new Error(`${MODEL}'s recipe has no variant ${v}`);
      return [
        v,
        Object.fromEntries(Object.entries(graphs).map(([g, r]) => [g, { data: r.data, sha256: bf16 ? bf16[v]![g]! : r.data_sha256 }])),
      ];
    }),
  );
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 8 * 2 ** 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Compares a built bundle's data files with `expected` for `variants`, then deletes the bundle (the
 * disk holds one at a time). Returns per variant whether all matched; prints each mismatch.
 */
async function checkBundle(
  dir: string,
  variants: readonly string[],
  expected: ReturnType<typeof expectedHashes>,
  what: string,
): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const v of variants) {
    out[v] = true;
    for (const [g, e] of Object.entries(expected[v]!)) {
      const file = path.join(dir, 'onnx', e.data);
      const got = existsSync(file) ? await sha256Of(file) : 'missing';
      if (got !== e.sha256) {
        out[v] = false;
        process.stderr.write(`${what}: ${v} ${g} ${e.data} sha256 ${got}, expected ${e.sha256}\n`);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/** `--serve`: the hub, in this process, until killed; prints its endpoint. */
async function serve(): Promise<void> {
  const hub = await startFakeHub([repoFromDir(SOURCE.repo, SOURCE.revision!, CHECKPOINT)]);
  process.stdout.write(JSON.stringify({ endpoint: hub.endpoint }) + '\n');
}

/** `--download ENDPOINT MODELS`: the manager downloads and builds fp32, keeping the checkpoint. */
async function download(endpoint: string, modelsDir: string): Promise<void> {
  const db = openDatabase(':memory:');
  const marks: Partial<Record<ModelDto['download']['state'], number>> = {};
  let bytes = 0;
  const m = createModelManager({
    db,
    paths: { modelsDir },
    log: silentLog,
    emit: (_e, dto) => {
      marks[dto.download.state] ??= performance.now();
      if (dto.download.state === 'downloading') bytes = dto.download.total;
    },
    env: {},
    hub: { endpoint },
    // The accuracy check loads every variant in a worker: not part of the build's figures.
    build: { graphsDir: GRAPHS, keepCheckpoint: true, measure: false },
  });
  const stalls = watchStalls();
  const t0 = performance.now();
  m.download(MODEL, { variants: ['fp32'] });
  await m.waitForDownload(MODEL);
  const t1 = performance.now();
  db.close();
  const downloadS = ((marks.verifying ?? t1) - t0) / 1000;
  printChildResult({
    download_s: round(downloadS),
    download_mb: round(bytes / 1e6, 0),
    build_s: round((t1 - (marks.verifying ?? t0)) / 1000),
    peak_rss_mb: peakRssMb(),
    max_stall_ms: stalls.maxStallMs(),
    p99_stall_ms: stalls.p99StallMs(),
  });
}

/** `--build CHECKPOINT MODELS VARIANTS`: one build straight from the kept checkpoint, in its worker thread as in the app. */
async function build(checkpoint: string, modelsDir: string, variants: string[]): Promise<void> {
  const stalls = watchStalls();
  const t0 = performance.now();
  const res = await buildBundleInWorker({
    id: MODEL,
    name: ENTRY!.name,
    source: `${SOURCE.repo}@${SOURCE.revision!}`,
    checkpointDir: checkpoint,
    modelsDir,
    graphsDir: GRAPHS,
    variants,
    keepCheckpoint: true,
    log: silentLog,
  });
  printChildResult({
    build_s: round((performance.now() - t0) / 1000),
    bundle_mb: round(res.bytes / 1e6, 0),
    peak_rss_mb: peakRssMb(),
    max_stall_ms: stalls.maxStallMs(),
    p99_stall_ms: stalls.p99StallMs(),
  });
}

async function main(): Promise<void> {
  const a = process.argv;
  if (a.includes('--serve')) return serve();
  if (a.includes('--download')) return download(arg('download')!, arg('models')!);
  if (a.includes('--build')) return build(arg('build')!, arg('models')!, VARIANTS);
  if (VARIANTS[0] !== 'fp32' || VARIANTS.length < 2)
    throw new Error(`--variants ${VARIANTS.join(',')}: fp32 first, then at least one more`);

  ensureCheckpoint();
  const expected = expectedHashes();
  const work = path.join(DATA, 'run');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const common = ['--model', MODEL, '--dtype', DTYPE, '--data', DATA, '--graphs', GRAPHS];
  const server = spawn(process.execPath, ['--import', 'tsx', process.argv[1]!, '--serve', ...common], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let failed = false;
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString().split('\n')[0]!) as { endpoint: string }).endpoint));
      server.once('exit', (code) => reject(new Error(`the hub process exited (${String(code)})`)));
    });
    const models = path.join(work, 'models');
    type Dl = { download_s: number; download_mb: number; build_s: number; peak_rss_mb: number; max_stall_ms: number; p99_stall_ms: number };
    const dl = runChild<Dl>(['--download', endpoint, '--models', models, ...common], 'download + fp32 build');
    const hashesDl = await checkBundle(path.join(models, MODEL), ['fp32'], expected, 'download + fp32 build');
    const kept = path.join(models, '.checkpoints', MODEL);
    type B = { build_s: number; bundle_mb: number; peak_rss_mb: number; max_stall_ms: number; p99_stall_ms: number };
    const all = VARIANTS.join('_');
    const both = runChild<B>(
      ['--build', kept, '--models', path.join(work, 'b'), '--variants', VARIANTS.join(','), ...common],
      `${all} build`,
    );
    const hashesBoth = await checkBundle(path.join(work, 'b', MODEL), VARIANTS, expected, `${all} build`);
    const fp32 = runChild<B>(['--build', kept, '--models', path.join(work, 'c'), '--variants', 'fp32', ...common], 'fp32 build');
    const hashesFp32 = await checkBundle(path.join(work, 'c', MODEL), ['fp32'], expected, 'fp32 build');
    const hashes = Object.fromEntries(
      VARIANTS.map((v) => [v, [hashesDl, hashesBoth, hashesFp32].every((h) => h[v] !== false) ? 'match' : 'MISMATCH']),
    );
    failed = Object.values(hashes).includes('MISMATCH');
    const extra = VARIANTS.slice(1);
    const figures = {
      model: MODEL,
      dtype: DTYPE,
      variants: VARIANTS,
      hashes,
      hash_reference: DTYPE === 'f32' ? `${MODEL}/recipe.json data_sha256` : 'write_checkpoint.py expected.json (recipe on BF16 weights)',
      download_mb_s: round(dl.download_mb / dl.download_s, 1),
      download_s: dl.download_s,
      download_mb: dl.download_mb,
      build_s_fp32: fp32.build_s,
      [`build_s_${all}`]: both.build_s,
      [`build_s_${extra.length === 1 ? extra[0]! : extra.join('_')}`]: round(both.build_s - fp32.build_s),
      build_s_fp32_in_manager: dl.build_s,
      bundle_mb_fp32: fp32.bundle_mb,
      [`bundle_mb_${all}`]: both.bundle_mb,
      peak_rss_mb: Math.max(dl.peak_rss_mb, both.peak_rss_mb, fp32.peak_rss_mb),
      peak_rss_mb_by_step: { download_build_fp32: dl.peak_rss_mb, [`build_${all}`]: both.peak_rss_mb, build_fp32: fp32.peak_rss_mb },
      max_stall_ms: Math.max(dl.max_stall_ms, both.max_stall_ms, fp32.max_stall_ms),
      max_stall_ms_by_step: { download_build_fp32: dl.max_stall_ms, [`build_${all}`]: both.max_stall_ms, build_fp32: fp32.max_stall_ms },
      p99_stall_ms: Math.max(dl.p99_stall_ms, both.p99_stall_ms, fp32.p99_stall_ms),
    };
    process.stdout.write(JSON.stringify(figures) + '\n');
  } finally {
    server.kill();
    rmSync(work, { recursive: true, force: true });
  }
  if (failed) {
    process.stderr.write('bench:install: a built data file differs from the reference (see above)\n');
    process.exitCode = 1;
  }
}

await main();
