/**
 * @file `system:doctor` / `shoebox doctor`: versions, data directory, database health, and which
 * onnxruntime execution providers this install can use. Read-only.
 */
import { createRequire } from 'node:module';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DoctorCheck, DoctorReport } from '../preload/contract';
import type { Db } from './db/open';
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

/** Execution providers onnxruntime-node reports for this platform, with why each is or is not usable. */
export async function executionProviders(): Promise<DoctorReport['executionProviders']> {
  try {
    const ort = (await import('onnxruntime-node')) as unknown as {
      listSupportedBackends?: () => { name: string; bundled: boolean }[];
    };
    const list = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
    return list.map((b) => ({
      name: b.name,
      available: b.bundled,
      reason: b.bundled
        ? 'bundled with onnxruntime-node'
        : b.name === 'cuda' || b.name === 'tensorrt'
          ? 'needs the CUDA files: reinstall with `npm install --onnxruntime-node-install=cuda12` (Linux x64 with CUDA 12)'
          : 'not bundled for this platform',
    }));
  } catch (err) {
    return [{ name: 'cpu', available: false, reason: `onnxruntime-node failed to load: ${(err as Error).message}` }];
  }
}

export async function runDoctor(db: Db, paths: AppPaths, appVersion: string): Promise<DoctorReport> {
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
  const eps = await executionProviders();
  checks.push({ name: 'CPU inference', ok: eps.some((e) => e.name === 'cpu' && e.available), detail: 'onnxruntime-node CPU backend' });
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
    executionProviders: eps,
    checks,
  };
}
