/**
 * The bundle build in its worker thread ([Note: The build runs in a worker thread] in
 * main/models/build/build-in-worker.ts), on the tiny hub-layout checkpoint of test/fixtures/checkpoints:
 * the same bytes as a direct build, progress and log lines that reach main, a cancel that leaves
 * nothing, a kill -9 of the process mid-build that the next build recovers from, errors that keep their kind across the thread boundary, and one build per id at a time.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Log } from '../../main/log';
import { silentLog } from '../../main/log';
import { BuildError, BUILDS_DIR, type BuildProgress } from '../../main/models/build/build-bundle';
import { buildBundleInWorker, resolveBuildWorkerEntry } from '../../main/models/build/build-in-worker';
import { loadBundle } from '../../native/bundle/manifest';

const GRAPHS = 'test/fixtures/graphs';
const CHECKPOINTS = 'test/fixtures/checkpoints';
const NAME = 'tiny-internvl-hf';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-build-worker-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const modelsDir = () => path.join(tmp, 'models');
function checkpoint(): string {
  const dir = path.join(tmp, 'ck', `${NAME}-${Math.random().toString(36).slice(2)}`);
  cpSync(path.join(CHECKPOINTS, NAME), dir, { recursive: true });
  return dir;
}
const build = (over: Partial<Parameters<typeof buildBundleInWorker>[0]> = {}) =>
  buildBundleInWorker({
    id: NAME,
    name: NAME,
    source: `OpenGVLab/${NAME}@${'a'.repeat(40)}`,
    checkpointDir: over.checkpointDir ?? checkpoint(),
    modelsDir: modelsDir(),
    graphsDir: GRAPHS,
    variants: ['fp32', 'int8', 'q4', 'fp16'],
    log: silentLog,
    ...over,
  });

describe('the bundle build in a worker thread', () => {
  it('runs the TS source under vitest and tsx (the bundled build-worker.js in a build)', () => {
    expect(resolveBuildWorkerEntry()).toEqual({ file: path.resolve('main/models/build/build-worker.ts'), ts: true });
  });

  it("writes export.py's bytes for every variant, with progress and log lines in main", async () => {
    const phases: string[] = [];
    const lines: string[] = [];
    const log: Log = { ...silentLog, info: (m) => void lines.push(m) };
    const res = await build({ log, onProgress: (p: BuildProgress) => void (phases.at(-1) !== p.phase && phases.push(p.phase)) });
    expect(phases).toEqual(['checking', 'weights', 'hashing', 'installing']);
    expect(lines).toContain(`built model ${NAME} from its checkpoint`);
    const expected = (
      JSON.parse(readFileSync(path.join(CHECKPOINTS, NAME, 'expected.json'), 'utf8')) as {
        data_sha256: Record<string, Record<string, string>>;
      }
    ).data_sha256;
    const suffix: Record<string, string> = { fp32: '', int8: '_int8', q4: '_q4', fp16: '_fp16' };
    for (const [v, graphs] of Object.entries(expected)) {
      for (const [g, sha] of Object.entries(graphs)) {
        const data = readFileSync(path.join(res.dir, 'onnx', `${g}${suffix[v]}.onnx_data`));
        expect(createHash('sha256').update(data).digest('hex'), `${v} ${g}`).toBe(sha);
      }
    }
    await loadBundle(res.dir, { verifySha256: true });
  });

  it('stops when cancelled, leaving no bundle, no staging and no lock; the next build succeeds', async () => {
    const controller = new AbortController();
    const p = build({ signal: controller.signal, keepCheckpoint: true });
    controller.abort(); // reaches the worker as its first message: it stops before the first tensor
    await expect(p).rejects.toThrow();
    expect(existsSync(path.join(modelsDir(), NAME))).toBe(false);
    expect(readdirSync(path.join(modelsDir(), BUILDS_DIR))).toEqual([]);
    const res = await build({ variants: ['fp32'] });
    expect(existsSync(path.join(res.dir, 'manifest.json'))).toBe(true);
  });

  it('survives a kill -9 mid-build: no half-made bundle, and the next build takes over', async () => {
    const ck = checkpoint();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'helpers', 'build-child.ts'), ck, modelsDir(), GRAPHS, NAME],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines: string[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        lines.push(l);
        if (l.startsWith('weights ') && Number(l.split(' ')[1]) > 0) child.kill('SIGKILL');
      });
      child.once('exit', () => resolve());
    });
    expect(lines.some((l) => l.startsWith('weights '))).toBe(true);
    // Killed while writing weights: no bundle, whatever the staging holds. (On a box so loaded that the kill
    // lands after the tiny build finished, the bundle must be whole instead.)
    if (lines.includes('done')) {
      await loadBundle(path.join(modelsDir(), NAME), { verifySha256: true });
      return;
    }
    expect(existsSync(path.join(modelsDir(), NAME))).toBe(false);
    const res = await build({ checkpointDir: ck, variants: ['fp32'] });
    await loadBundle(res.dir, { verifySha256: true });
    expect(readdirSync(path.join(modelsDir(), BUILDS_DIR))).toEqual([]);
  });

  it('rejects with a BuildError of the same kind as a direct build', async () => {
    const dir = checkpoint();
    truncateSync(path.join(dir, 'model-00002-of-00003.safetensors'), 5000);
    const err = (await build({ checkpointDir: dir }).catch((e: unknown) => e)) as BuildError;
    expect(err).toBeInstanceOf(BuildError);
    expect(err.code).toBe('bad-checkpoint');
    expect(err.message).toMatch(/model-00002-of-00003\.safetensors.*truncated/);
    expect(existsSync(path.join(modelsDir(), NAME))).toBe(false);

    const missing = (await build({ graphsDir: path.join(tmp, 'no-graphs') }).catch((e: unknown) => e)) as BuildError;
    expect(missing).toBeInstanceOf(BuildError);
    expect(missing.code).toBe('unsupported');
  });

  it('refuses a second build of one id while the first runs in another worker', async () => {
    const results = await Promise.allSettled([build({ variants: ['fp32'] }), build({ variants: ['fp32'] })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as BuildError;
    expect(rejected).toBeInstanceOf(BuildError);
    expect(['busy', 'exists']).toContain(rejected.code);
    await loadBundle(path.join(modelsDir(), NAME), { verifySha256: true });
  });
});
