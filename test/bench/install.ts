/**
 * @file `npm run bench:install`: installing InternVL3-1B the way a user does — the checkpoint from a
 * hub, then the bundle built in Node — on the full-size random-weight InternVL3-1B checkpoint written
 * in OpenGVLab's original layout (BF16 safetensors in two shards with an index, slow tokenizer files)
 * by native/export/write_checkpoint.py (generated once into `bench-data/install/`, git-ignored) and
 * served on loopback by the hub of test/integration/helpers/hub-fixture.ts in its own process.
 *
 * Figures (one JSON line at the end):
 * - `download_mb_s`, `download_s`: the manager's hub download (tree API, CDN redirect, sha256 checks);
 * - `build_s_fp32`: the build of the fp32 variant alone; `build_s_fp32_int8`: fp32 + int8 in one build,
 *   and `build_s_int8` their difference (what int8 adds); `build_s_<v>` likewise for `--variants`;
 * - `peak_rss_mb`: the largest peak RSS of the processes that download and build (each step runs in a
 *   child of its own; the hub's process, which holds the files in memory, is not counted);
 * - `max_stall_ms`: the longest event-loop delay of main (the process that asked for the build) while
 *   a step ran — what the window's IPC or the host's requests would have waited at worst (the build
 *   itself runs in a worker thread: [Note: The build runs in a worker thread]).
 *
 * Runs under tsx in plain Node: `node --import tsx test/bench/install.ts [--data DIR] [--graphs DIR]`.
 * Needs the shipped graphs (`assets/graphs/internvl3-1b`, made by native/export/make_graphs.py).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDatabase } from '../../main/db/open';
import { silentLog } from '../../main/log';
import { buildBundleInWorker } from '../../main/models/build/build-in-worker';
import { catalogEntry } from '../../main/models/catalog';
import { createModelManager } from '../../main/models/manager';
import type { ModelDto } from '../../preload/contract';
import { repoFromDir, startFakeHub } from '../integration/helpers/hub-fixture';
import { arg, BUNDLE_CONFIG, printChildResult, round, runChild } from './bench-helpers';

const DATA = path.resolve(arg('data', 'bench-data/install')!);
const GRAPHS = path.resolve(arg('graphs', 'assets/graphs')!);
const CHECKPOINT = path.join(DATA, 'InternVL3-1B');
const SOURCE = catalogEntry('internvl3-1b')!.hub![0]!;
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

/** Writes the full-size random checkpoint in the hub layout when it is missing (a minute or two). */
function ensureCheckpoint(): void {
  if (existsSync(path.join(CHECKPOINT, 'model.safetensors.index.json'))) return;
  process.stderr.write(`writing the full-size random InternVL3-1B checkpoint into ${CHECKPOINT}\n`);
  rmSync(CHECKPOINT, { recursive: true, force: true });
  execFileSync(
    '/usr/bin/python3',
    ['native/export/write_checkpoint.py', '--config', BUNDLE_CONFIG, '--seed', '0', '--out', CHECKPOINT].concat([
      '--layout',
      'original',
      '--dtype',
      'bf16',
      '--shards',
      '2',
      '--tokenizer',
      'slow',
      '--repo',
      SOURCE.repo,
    ]),
    { stdio: 'inherit' },
  );
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
  m.download('internvl3-1b', { variants: ['fp32'] });
  await m.waitForDownload('internvl3-1b');
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
    id: 'internvl3-1b',
    name: 'InternVL3-1B',
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
  if (a.includes('--build')) return build(arg('build')!, arg('models')!, arg('variants')!.split(','));

  ensureCheckpoint();
  const work = path.join(DATA, 'run');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const server = spawn(process.execPath, ['--import', 'tsx', process.argv[1]!, '--serve', '--data', DATA], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString().split('\n')[0]!) as { endpoint: string }).endpoint));
      server.once('exit', (code) => reject(new Error(`the hub process exited (${String(code)})`)));
    });
    const models = path.join(work, 'models');
    type Dl = { download_s: number; download_mb: number; build_s: number; peak_rss_mb: number; max_stall_ms: number; p99_stall_ms: number };
    const dl = runChild<Dl>(['--download', endpoint, '--models', models, '--data', DATA, '--graphs', GRAPHS], 'download + fp32 build');
    const kept = path.join(models, '.checkpoints', 'internvl3-1b');
    type B = { build_s: number; bundle_mb: number; peak_rss_mb: number; max_stall_ms: number; p99_stall_ms: number };
    const both = runChild<B>(
      ['--build', kept, '--models', path.join(work, 'b'), '--variants', 'fp32,int8', '--graphs', GRAPHS],
      'fp32+int8 build',
    );
    const fp32 = runChild<B>(['--build', kept, '--models', path.join(work, 'c'), '--variants', 'fp32', '--graphs', GRAPHS], 'fp32 build');
    const figures = {
      download_mb_s: round(dl.download_mb / dl.download_s, 1),
      download_s: dl.download_s,
      build_s_fp32: fp32.build_s,
      build_s_fp32_int8: both.build_s,
      build_s_int8: round(both.build_s - fp32.build_s),
      build_s_fp32_in_manager: dl.build_s,
      bundle_mb_fp32: fp32.bundle_mb,
      bundle_mb_fp32_int8: both.bundle_mb,
      peak_rss_mb: Math.max(dl.peak_rss_mb, both.peak_rss_mb, fp32.peak_rss_mb),
      peak_rss_mb_by_step: { download_build_fp32: dl.peak_rss_mb, build_fp32_int8: both.peak_rss_mb, build_fp32: fp32.peak_rss_mb },
      max_stall_ms: Math.max(dl.max_stall_ms, both.max_stall_ms, fp32.max_stall_ms),
      max_stall_ms_by_step: { download_build_fp32: dl.max_stall_ms, build_fp32_int8: both.max_stall_ms, build_fp32: fp32.max_stall_ms },
      p99_stall_ms: Math.max(dl.p99_stall_ms, both.p99_stall_ms, fp32.p99_stall_ms),
    };
    process.stdout.write(JSON.stringify(figures) + '\n');
  } finally {
    server.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
