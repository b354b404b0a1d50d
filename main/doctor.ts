/**
 * @file `system:doctor` / `shoebox doctor`: versions, data directory, database health, and what the
 * inference worker reports: which onnxruntime execution providers it can use and the CPU's ISA
 * features. Read-only.
 *
 * Runs in main, which never loads onnxruntime ([Note: Main never loads onnxruntime]): the providers
 * and CPU features come from the worker's `info`, the worker started if it was not running.
 */
import { createRequire } from 'node:module';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { WorkerInfo } from '../native/protocol';
import type { DoctorCheck, DoctorReport } from '../preload/contract';
import type { Db } from './db/open';
import type { InferenceService } from './inference/inference.service';
import type { AppPaths } from './paths';

const requireCjs = createRequire(import.meta.url);

/** A dependency's version, also for packages whose `exports` hide their package.json. */
function pkgVersion(name: string): string {
  try {
    let dir = dirname(requireCjs.resolve(name));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
    return 'unknown';
  } catch {
    return 'not installed';
  }
}

/** What doctor needs. */
export interface DoctorDeps {
  db: Db;
  paths: AppPaths;
  version: string;
  /** `variantChoice`, when given, adds which variant of the active model runs and why. */
  inference: Pick<InferenceService, 'workerInfo'> & Partial<Pick<InferenceService, 'variantChoice'>>;
}

/** How long doctor waits for the worker to start and answer. */
const WORKER_INFO_TIMEOUT_MS = 30_000;

/** The worker's `info`, or why there is none. */
type WorkerAnswer = { info: WorkerInfo } | { error: string };

async function askWorker(inference: DoctorDeps['inference']): Promise<WorkerAnswer> {
  try {
    return { info: await inference.workerInfo({ timeoutMs: WORKER_INFO_TIMEOUT_MS }) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Checks from the worker's answer: is it there, what CPU it runs on, can it run on CPU. */
function workerChecks(answer: WorkerAnswer): DoctorCheck[] {
  if ('error' in answer) {
    return [{ name: 'inference worker', ok: false, detail: `did not answer: ${answer.error}` }];
  }
  const { info } = answer;
  const [arch = info.arch, ...features] = info.cpu.features;
  return [
    { name: 'inference worker', ok: true, detail: `pid ${info.pid}, ${info.threads.intraOp} onnxruntime threads` },
    {
      name: 'CPU features',
      ok: true,
      detail: `${arch}: ${features.length > 0 ? features.join(' ') : 'none of note'} (int8 kernels: ${info.cpu.int8Kernels})`,
    },
    {
      name: 'CPU inference',
      ok: info.providers.some((p) => p.name === 'cpu' && p.available),
      detail: 'onnxruntime-node CPU backend',
    },
  ];
}

export async function runDoctor({ db, paths, version: appVersion, inference }: DoctorDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let dbOk = false;
  let detail = '';
  let schemaVersion = 0;
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    dbOk = rows.length === 1 && rows[0]?.quick_check === 'ok';
    detail = rows.map((r) => r.quick_check).join('; ');
    schemaVersion = db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    detail = (err as Error).message;
  }
  try {
    accessSync(paths.dataDir, constants.W_OK);
    checks.push({ name: 'data directory writable', ok: true, detail: paths.dataDir });
  } catch (err) {
    checks.push({ name: 'data directory writable', ok: false, detail: (err as Error).message });
  }
  const sharpVersions = await import('sharp')
    .then((m) => (m.default as unknown as { versions: Record<string, string> }).versions)
    .catch((): Record<string, string> => ({}));
  const sqliteVersion = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  const worker = await askWorker(inference);
  checks.push(...workerChecks(worker));
  const variant = inference.variantChoice?.();
  if (variant) checks.push({ name: 'model variant', ok: true, detail: `${variant.variant}: ${variant.why}` });
  return {
    versions: {
      shoebox: appVersion,
      node: process.versions.node,
      ...(process.versions['electron'] ? { electron: process.versions['electron'] } : {}),
      sqlite: sqliteVersion,
      'better-sqlite3': pkgVersion('better-sqlite3'),
      sharp: sharpVersions['sharp'] ?? pkgVersion('sharp'),
      libvips: sharpVersions['vips'] ?? 'unknown',
      'onnxruntime-node': pkgVersion('onnxruntime-node'),
      chokidar: pkgVersion('chokidar'),
    },
    dataDir: paths.dataDir,
    database: { path: paths.database, ok: dbOk, schemaVersion, detail },
    executionProviders:
      'info' in worker
        ? worker.info.providers
        : [{ name: 'cpu', available: false, reason: `the inference worker did not answer: ${worker.error}` }],
    checks,
  };
}
