/**
 * @file Helpers shared by the benchmarks (`bench:vlm`, `bench:understand`, `bench:search`, and the
 * seeded generator of `bench:index`): command-line flags, rounding, a seeded random generator, the
 * full-size random-weight bundle (generated when missing), and one child process per measured variant
 * so each variant's peak RSS is its own.
 *
 * Runs under tsx in plain Node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The full-size random-weight InternVL3-1B bundle (git-ignored). */
export const DEFAULT_BUNDLE = 'models/internvl3-1b-random';
/** Export config of that bundle. */
export const BUNDLE_CONFIG = 'native/export/configs/internvl3-1b.json';

/** Value of `--name VALUE`. */
export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Whether `--name` was given. */
export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** xorshift32 random generator: the same seed, the same sequence, in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** Rounds to `d` decimals. */
export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** a / b rounded to 2 decimals, or null when either is missing or b is 0. */
export const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : round(a / b, 2);

/** Prints rows of cells as aligned columns. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const w = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const r of rows) process.stdout.write(r.map((cell, c) => cell.padEnd(w[c]!)).join('  ') + '\n');
}

/** Generates the bundle with `native/export/export.py random` when it lacks a variant (minutes). */
export function ensureBundle(bundle: string, variants: string[]): void {
  const manifest = path.join(bundle, 'manifest.json');
  const has =
    existsSync(manifest) &&
    variants.every((v) => (JSON.parse(readFileSync(manifest, 'utf8')) as { variants: Record<string, unknown> }).variants[v] !== undefined);
  if (has) return;
  process.stderr.write(`generating ${bundle} (${variants.join(',')}) with native/export/export.py — this takes minutes\n`);
  execFileSync(
    '/usr/bin/python3',
    ['native/export/export.py', 'random', '--config', BUNDLE_CONFIG, '--seed', '0', '--out', bundle, '--variants', variants.join(',')],
    {
      stdio: 'inherit',
    },
  );
}

const RESULT = 'BENCH_RESULT ';

/** What a child prints last: its figures as one `BENCH_RESULT {json}` line. */
export function printChildResult(figures: unknown): void {
  process.stdout.write(`${RESULT}${JSON.stringify(figures)}\n`);
}

/** Runs this script again as a child with `args` (stderr passes through) and returns its figures. */
export function runChild<T>(args: readonly string[], what: string): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', process.argv[1]!, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 2 ** 20,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT));
  if (r.status !== 0 || line === undefined) throw new Error(`${what} failed (exit ${String(r.status)})`);
  return JSON.parse(line.slice(RESULT.length)) as T;
}
