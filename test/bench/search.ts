/**
 * @file `npm run bench:search`: search on synthetic libraries (./search-corpus.ts) of each size in
 * `--sizes` (default 100000; e.g. `--sizes 100000,1000000`): the ingest rate (photos with their
 * captions, tags, text, places and 384-d embeddings written through the FTS triggers and the embeddings
 * repository), cold and warm p50/p95 latency of lexical, dense, hybrid and filtered queries over a fixed
 * query set, the dense index's load time and its recall against an exact float32 scan, recall@10 of
 * planted known items (lexical, and filtered: the right photo is the only one of its year among 1,500
 * sharing its rare word), and peak RSS. Prints a table, then one JSON line.
 *
 * Run: node --import tsx test/bench/search.ts [--sizes 100000,1000000] [--seed 7]
 *
 * Each size is built once (cached under $TMPDIR/shoebox-bench/, keyed by size, seed and schema
 * version) by one child process and queried by another, so the query phase's peak RSS is its own.
 * Dense query embedding time is excluded: the queries' vectors are given (a TextEmbedder test double
 * that answers from a table), as the worker's embedding is measured by its own benchmark. "Cold" is
 * the first run of each query in a process that just opened the database (the OS file cache is not
 * dropped); "warm" the three runs after it. The load average is printed before and after: on a shared
 * machine compare ratios, not absolute times.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LATEST_SCHEMA, openDatabase } from '../../main/db/open';
import { createEmbeddingsRepo } from '../../main/db/embeddings.repo';
import { createSearch } from '../../main/search/hybrid-search';
import type { TextEmbedder } from '../../main/search/text-embedder';
import { createVectorIndex } from '../../main/search/vector-index';
import { arg, printChildResult, printTable, round, runChild } from './bench-helpers';
import { buildLibrary, DIM, QUERIES, queryVector, vocabulary, type Planted } from './search-corpus';

const MODEL = 'bench-embedder';
const SEED = Number(arg('seed', '7'));
const BENCH = join(tmpdir(), 'shoebox-bench');
const WARM_RUNS = 3;
const EXACT_QUERIES = 5;

let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
setInterval(sampleRss, 25).unref();
const mb = (b: number) => Math.round(b / 1e5) / 10;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const label = (n: number) => (n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0, 1);
};
const dirFor = (n: number) => join(BENCH, `search-${n}-s${SEED}-v${LATEST_SCHEMA}`);

interface Build {
  photos: number;
  ingest_s: number;
  ingest_per_s: number;
  db_mb: number;
  build_peak_rss_mb: number;
}

/** Child: builds the library of `n` photos (once) and records its ingest figures. */
function buildPhase(n: number): Build {
  const dir = dirFor(n);
  const done = join(dir, 'build.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as Build;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(join(dir, 'library.db'));
  const vocab = vocabulary(SEED);
  const t = performance.now();
  const planted = buildLibrary(db, n, SEED, vocab, MODEL, (k) => {
    sampleRss(); // the build is synchronous: the timer never fires
    if (k % 100_000 === 0) process.stderr.write(`  built ${k} of ${n} photos (${Math.round((performance.now() - t) / 1000)} s)\n`);
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  const s = (performance.now() - t) / 1000;
  db.close();
  writeFileSync(join(dir, 'planted.json'), JSON.stringify(planted));
  const build: Build = {
    photos: n,
    ingest_s: round(s, 1),
    ingest_per_s: Math.round(n / s),
    db_mb: mb(statSync(join(dir, 'library.db')).size),
    build_peak_rss_mb: mb(peakRss),
  };
  writeFileSync(done, JSON.stringify(build));
  return build;
}

/** Cold (first run of each) and warm (the next WARM_RUNS) latencies of `run` over `items`. */
async function time<T>(items: readonly T[], run: (x: T) => unknown) {
  const cold: number[] = [];
  const warm: number[] = [];
  for (const x of items) {
    let t = performance.now();
    await run(x);
    cold.push(performance.now() - t);
    sampleRss();
    for (let i = 0; i < WARM_RUNS; i++) {
      t = performance.now();
      await run(x);
      warm.push(performance.now() - t);
    }
    sampleRss();
  }
  return { cold_p50: pct(cold, 0.5), cold_p95: pct(cold, 0.95), warm_p50: pct(warm, 0.5), warm_p95: pct(warm, 0.95) };
}

/** Child: opens the built library and measures every query phase. */
async function queryPhase(n: number): Promise<Record<string, number>> {
  const dir = dirFor(n);
  const planted = JSON.parse(readFileSync(join(dir, 'planted.json'), 'utf8')) as Planted;
  peakRss = process.memoryUsage().rss;
  const db = openDatabase(join(dir, 'library.db'));
  const vocab = vocabulary(SEED);
  const all = [...QUERIES.map(([q]) => q), ...planted.known.map((k) => k.query), ...planted.filtered.map((k) => k.query)];
  const vectors = new Map(all.map((q) => [q, queryVector(vocab, q)]));
  /** A TextEmbedder test double answering each query with its given vector. */
  const givenVectors: TextEmbedder = {
    active: () => ({ modelId: MODEL }),
    unavailableReason: () => null,
    embed: (texts) => Promise.resolve({ modelId: MODEL, dim: DIM, vectors: texts.map((t) => vectors.get(t) ?? queryVector(vocab, t)) }),
  };
  const out: Record<string, number> = {};
  const words = QUERIES.filter(([, k]) => k === 'words').map(([q]) => q);
  const filtered = QUERIES.filter(([, k]) => k === 'filtered').map(([q]) => q);
  const opts = { limit: 100, offset: 0, waitMs: 600_000, now: new Date(2026, 10, 30, 12) };

  // The place resolver's gazetteer is built on first use, once per process: measured apart.
  const lexical = createSearch({ db, embedder: null });
  let t = performance.now();
  await lexical.search('warm-up in Lisbon', opts);
  out['first_search_ms'] = round(performance.now() - t, 1);

  for (const [k, v] of Object.entries(await time(words, (q) => lexical.search(q, opts)))) out[`lexical_${k}`] = v;

  // Dense alone, on its own index (closed before the hybrid phases load theirs).
  const repo = createEmbeddingsRepo(db);
  const index = createVectorIndex({ repo, modelId: MODEL });
  t = performance.now();
  await index.load();
  out['index_load_ms'] = Math.round(performance.now() - t);
  sampleRss();
  out['index_vectors'] = index.state().size;
  for (const [k, v] of Object.entries(await time(words, (q) => index.search(vectors.get(q)!, { k: 200 })))) out[`dense_${k}`] = v;
  // Recall of the int8 scan + float rescoring against an exact float32 scan of every stored vector.
  let agree = 0;
  for (const q of words.slice(0, EXACT_QUERIES)) {
    const qv = vectors.get(q)!;
    const best: { id: number; s: number }[] = [];
    for (let after = 0; ;) {
      const rows = repo.rowsAfter(MODEL, after, 20_000);
      if (rows.length === 0) break;
      for (const r of rows) {
        const v = new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength));
        let s = 0;
        for (let d = 0; d < DIM; d++) s += v[d]! * qv[d]!;
        best.push({ id: r.photoId, s });
        after = r.id;
      }
      best.sort((a, b) => b.s - a.s).splice(10);
    }
    const got = new Set(index.search(qv, { k: 10 })!.hits.map((h) => h.photoId));
    agree += best.filter((b) => got.has(b.id)).length / 10;
  }
  out['dense_recall_at_10_vs_exact'] = round(agree / EXACT_QUERIES, 3);
  index.close();
  (globalThis as { gc?: () => void }).gc?.();

  const hybrid = createSearch({ db, embedder: givenVectors });
  t = performance.now();
  const first = await hybrid.search(words[0]!, opts);
  out['hybrid_first_query_ms'] = Math.round(performance.now() - t); // loads the service's dense index
  if (first.mode !== 'hybrid') throw new Error(`hybrid search ran as ${first.mode}: ${first.notice ?? ''}`);
  for (const [k, v] of Object.entries(await time(words, (q) => hybrid.search(q, opts)))) out[`hybrid_${k}`] = v;
  for (const [k, v] of Object.entries(await time(filtered, (q) => hybrid.search(q, opts)))) out[`filtered_${k}`] = v;

  // Known items: the planted photo in the first ten, by words alone and by the hybrid search.
  const found = async (s: typeof hybrid, items: Planted['known']) => {
    let hits = 0;
    for (const k of items) if ((await s.search(k.query, opts)).items.slice(0, 10).some((i) => i.id === k.photoId)) hits++;
    return items.length ? round(hits / items.length, 3) : 0;
  };
  out['known_items'] = planted.known.length;
  out['recall_at_10_known_lexical'] = await found(lexical, planted.known);
  out['recall_at_10_known_hybrid'] = await found(hybrid, planted.known);
  out['filtered_known_items'] = planted.filtered.length;
  out['recall_at_10_known_filtered'] = await found(hybrid, planted.filtered);
  out['recall_at_10_known_filtered_lexical'] = await found(lexical, planted.filtered);
  const r = await hybrid.search('dog on the beach', opts);
  out['coverage_photos'] = r.coverage.photos;
  out['coverage_embedded'] = r.coverage.embedded;
  hybrid.close();
  db.close();
  sampleRss();
  out['query_peak_rss_mb'] = mb(peakRss);
  return out;
}

async function main() {
  const sizes = (arg('sizes', '100000') ?? '100000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < 1000)) throw new Error('--sizes takes integers of at least 1000, comma-separated');
  const result: Record<string, number | string> = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    seed: SEED,
    dim: DIM,
    loadavg_start: load(),
  };
  const rows: string[][] = [['figure', ...sizes.map((s) => `${label(s)} photos`)]];
  const per: Record<number, Record<string, number>> = {};
  for (const n of sizes) {
    process.stderr.write(`size ${n}: building (cached after the first run)…\n`);
    const build = runChild<Build>(['--child-build', String(n), '--seed', String(SEED)], `building ${n}`);
    process.stderr.write(`size ${n}: querying…\n`);
    const q = runChild<Record<string, number>>(['--child-query', String(n), '--seed', String(SEED)], `querying ${n}`);
    per[n] = { ...build, ...q };
    for (const [k, v] of Object.entries(per[n])) result[`${k}_${label(n)}`] = v;
  }
  result['loadavg_end'] = load();
  const row = (name: string, f: (x: Record<string, number>) => string) => rows.push([name, ...sizes.map((n) => f(per[n]!))]);
  const lat = (x: Record<string, number>, k: string) =>
    `${x[`${k}_cold_p50`]}/${x[`${k}_cold_p95`]} · ${x[`${k}_warm_p50`]}/${x[`${k}_warm_p95`]}`;
  row('ingest (photos/s, whole library)', (x) => `${x['ingest_per_s']}/s (${x['ingest_s']} s, ${x['db_mb']} MB)`);
  row('lexical ms: cold p50/p95 · warm p50/p95', (x) => lat(x, 'lexical'));
  row('dense ms (vectors given)', (x) => lat(x, 'dense'));
  row('hybrid ms', (x) => lat(x, 'hybrid'));
  row('filtered (hybrid) ms', (x) => lat(x, 'filtered'));
  row('dense index load / first hybrid query ms', (x) => `${x['index_load_ms']} / ${x['hybrid_first_query_ms']}`);
  row('first search of a process (gazetteer) ms', (x) => String(x['first_search_ms']));
  row('dense recall@10 vs exact float32', (x) => String(x['dense_recall_at_10_vs_exact']));
  row(
    'known items recall@10 lexical / hybrid',
    (x) => `${x['recall_at_10_known_lexical']} / ${x['recall_at_10_known_hybrid']} (${x['known_items']})`,
  );
  row(
    'filtered known items recall@10 hybrid / words',
    (x) => `${x['recall_at_10_known_filtered']} / ${x['recall_at_10_known_filtered_lexical']} (${x['filtered_known_items']})`,
  );
  row('peak RSS MB: query phase / build', (x) => `${x['query_peak_rss_mb']} / ${x['build_peak_rss_mb']}`);
  console.log('\nShoebox search benchmark (dense query embedding excluded: vectors given)');
  printTable(rows);
  console.log(`load average (1, 5, 15 min): ${String(result['loadavg_start'])} at start, ${String(result['loadavg_end'])} at the end`);

  const first = per[sizes[0]!]!;
  const get = (n: number, k: string) => per[n]?.[k] ?? null;
  Object.assign(result, {
    p50_ms_hybrid_100k: get(100_000, 'hybrid_warm_p50'),
    p95_ms_hybrid_100k: get(100_000, 'hybrid_warm_p95'),
    p95_ms_hybrid_1m: get(1_000_000, 'hybrid_warm_p95'),
    ingest_per_s: first['ingest_per_s'],
    recall_at_10_known_items: round(
      sizes.reduce((a, n) => a + per[n]!['recall_at_10_known_hybrid']! + per[n]!['recall_at_10_known_filtered']!, 0) / sizes.length / 2,
      3,
    ),
    peak_rss_mb: Math.max(...sizes.map((n) => per[n]!['query_peak_rss_mb']!)),
  });
  console.log(JSON.stringify(result));
}

const build = arg('child-build');
const query = arg('child-query');
if (build) printChildResult(buildPhase(Number(build)));
else if (query) printChildResult(await queryPhase(Number(query)));
else await main();
process.exit(0);
