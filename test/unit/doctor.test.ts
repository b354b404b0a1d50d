/**
 * @file Doctor reports what the inference worker says ([Note: Main never loads onnxruntime]): its
 * execution providers and CPU features come from `info`, and a worker that does not answer fails the
 * checks with its reason. A fake inference service stands in for the worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../main/doctor';
import { formatDoctor } from '../../main/cli/format';
import { openDatabase, type Db } from '../../main/db/open';
import { resolvePaths } from '../../main/paths';
import type { WorkerInfo } from '../../native/protocol';

const INFO: WorkerInfo = {
  pid: 4242,
  platform: 'linux',
  arch: 'x64',
  cpu: { features: ['x64', 'avx2', 'fma', 'avx512_vnni'], int8Kernels: 'vnni' },
  threads: { intraOp: 7, interOp: 1 },
  providers: [
    { name: 'cpu', available: true, reason: 'bundled with onnxruntime-node' },
    { name: 'fake-ep', available: false, reason: 'only the fake worker knows this one' },
  ],
  model: null,
  models: [],
};

let dir = '';
let db: Db | null = null;
afterEach(() => {
  db?.close();
  db = null;
  rmSync(dir, { recursive: true, force: true });
});

function deps(workerInfo: () => Promise<WorkerInfo>) {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-doctor-'));
  const paths = resolvePaths(dir);
  db = openDatabase(paths.database);
  return { db, paths, version: '0.0.0-test', inference: { workerInfo } };
}

describe('doctor', () => {
  it("reports the worker's providers and CPU features", async () => {
    let asked = 0;
    const report = await runDoctor(
      deps(async () => {
        asked++;
        return INFO;
      }),
    );
    expect(asked).toBe(1);
    expect(report.executionProviders).toEqual(INFO.providers);
    expect(report.checks).toContainEqual({ name: 'CPU features', ok: true, detail: 'x64: avx2 fma avx512_vnni (int8 kernels: vnni)' });
    expect(report.checks).toContainEqual(
      expect.objectContaining({ name: 'inference worker', ok: true, detail: expect.stringContaining('pid 4242') as string }),
    );
    expect(report.checks).toContainEqual(expect.objectContaining({ name: 'CPU inference', ok: true }));
    const text = formatDoctor(report);
    expect(text).toContain('fake-ep');
    expect(text).toContain('avx512_vnni');
    // This file runs in its own process: nothing doctor did loaded onnxruntime here.
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes(`${sep}onnxruntime-node${sep}`));
    expect(loaded).toEqual([]);
  });

  it('fails the checks with the reason when the worker does not answer', async () => {
    const report = await runDoctor(
      deps(async () => {
        throw new Error('the inference worker crashed 4 times within a minute');
      }),
    );
    expect(report.database.ok).toBe(true);
    expect(report.executionProviders).toEqual([
      { name: 'cpu', available: false, reason: expect.stringContaining('crashed 4 times') as string },
    ]);
    expect(report.checks).toContainEqual(expect.objectContaining({ name: 'inference worker', ok: false }));
    expect(report.checks.some((c) => !c.ok)).toBe(true);
  });
});
