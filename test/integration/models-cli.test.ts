/**
 * `shoebox models …` through commander with a real manager: list (human and JSON), import, select,
 * delete, download with progress on stderr, and the exit codes (0 ok, 1 failure, 2 bad usage).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelDto } from '../../preload/contract';
import { openDatabase, type Db } from '../../main/db/open';
import { createEventBus } from '../../main/events';
import { silentLog } from '../../main/log';
import { createModelManager } from '../../main/models/manager';
import { runModelsCli } from './helpers/models-cli-run';
import { makeFakeBundle, startBundleServer, writeBundle, type BundleServer } from './helpers/models-fixture';

let tmp: string;
let db: Db;
let server: BundleServer;
let out: string;
let err: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-models-cli-'));
  db = openDatabase(path.join(tmp, 'library.sqlite'));
  server = await startBundleServer([makeFakeBundle('served', { graphBytes: 128 * 1024 })]);
  writeBundle(path.join(tmp, 'src', 'good'), makeFakeBundle('good'));
  writeBundle(path.join(tmp, 'src', 'demo'), makeFakeBundle('demo', { randomWeights: true }));
});
afterAll(async () => {
  await server.close();
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  out = '';
  err = '';
});

/** Runs the CLI like main/cli/index.ts's main() does; returns the exit code. */
async function run(...args: string[]): Promise<number> {
  const r = await runModelsCli(async () => {
    const events = createEventBus();
    const models = createModelManager({
      db,
      paths: { modelsDir: path.join(tmp, 'models') },
      log: silentLog,
      emit: events.emit.bind(events),
      env: { SHOEBOX_MODEL_BASE_URL: server.baseUrl },
      download: { retryDelayMs: 1, progressIntervalMs: 0 },
    });
    return { models, events, close: () => models.close() };
  }, args);
  out += r.out;
  err += r.err;
  return r.code;
}

describe('shoebox models', () => {
  it('lists the catalog and says that no model is installed', async () => {
    expect(await run('models')).toBe(0);
    expect(out).toMatch(/^ {2}ID\s+NAME\s+SIZE\s+STATUS$/m);
    expect(out).toMatch(/internvl3-1b\s+InternVL3-1B\s+~6\.7 GB\s+not installed/);
    expect(out).toMatch(/internvl3-2b/);
    expect(out).toMatch(/No model is selected.*Models page/s);
    expect(await run('models', 'list', '--json')).toBe(0);
    const list = JSON.parse(out.slice(out.indexOf('['))) as ModelDto[];
    expect(list.map((m) => m.id)).toEqual(['internvl3-1b', 'internvl2_5-1b', 'internvl3-2b']);
  });

  it('imports, selects (persisted), refuses to delete the active model, then deletes', async () => {
    expect(await run('models', 'import', path.join(tmp, 'src', 'good'))).toBe(0);
    expect(out).toMatch(/imported good/);
    expect(await run('models', 'select', 'good')).toBe(0);
    expect(await run('models', 'list')).toBe(0);
    expect(out).toMatch(/^\* good\s+Test good/m);
    expect(await run('models', 'delete', 'good')).toBe(1);
    expect(err).toMatch(/active model/);
    expect(await run('models', 'select', '--none')).toBe(0);
    expect(await run('models', 'delete', 'good')).toBe(0);
    expect(await run('models', 'delete', 'good')).toBe(1);
    expect(err).toMatch(/not installed/);
  });

  it('refuses a random-weight model without demo mode and explains the flag', async () => {
    expect(await run('models', 'import', path.join(tmp, 'src', 'demo'))).toBe(0);
    expect(await run('models', 'list')).toBe(0);
    expect(out).toMatch(/demo .*random weights: demo only/);
    expect(await run('models', 'select', 'demo')).toBe(1);
    expect(err).toMatch(/SHOEBOX_DEMO_MODEL=1/);
  });

  it('downloads with progress on stderr', async () => {
    expect(await run('models', 'download', 'served')).toBe(0);
    expect(out).toMatch(/installed served/);
    expect(err).toMatch(/served: downloading .*% of/);
    expect(await run('models', 'download', 'served')).toBe(1);
    expect(err).toMatch(/already installed/);
    expect(await run('models', 'download', 'missing-one')).toBe(1);
    expect(err).toMatch(/HTTP 404/);
  });

  it('exits with 2 on bad usage', async () => {
    expect(await run('models', 'download')).toBe(2);
    expect(await run('models', 'select', 'Bad/Id')).toBe(2);
    expect(err).toMatch(/not a model id/);
    expect(await run('models', 'select')).toBe(2);
    expect(await run('models', 'select', 'x', '--none')).toBe(2);
    expect(await run('models', 'base-url', 'http://x', '--clear')).toBe(2);
    expect(await run('models', 'import', path.join(tmp, 'nope'))).toBe(1);
    expect(err).toMatch(/does not exist/);
  });

  it('shows and stores the base URL', async () => {
    expect(await run('models', 'base-url')).toBe(0);
    expect(out.trim()).toBe(server.baseUrl); // from the environment
    expect(await run('models', 'base-url', 'gopher://x')).toBe(1);
    expect(err).toMatch(/http/);
  });
});
