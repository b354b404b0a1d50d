/**
 * The model manager on real folders: import of a good and of a corrupt folder, of manifests with
 * unsafe ids or file lists and of folders holding FIFOs, sockets or symlinks, delete (and what it
 * refuses; what it removes besides the bundle), select persisted across a reopen of the database, the demo flag for random-weight
 * bundles, folders that Shoebox did not verify, and the "no model" message.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../preload/api-error';
import type { ModelDto } from '../../preload/contract';
import { openDatabase, type Db } from '../../main/db/open';
import { createSettingsRepo } from '../../main/db/settings.repo';
import { silentLog } from '../../main/log';
import { createModelManager, type ModelManagerDeps } from '../../main/models/manager';
import { makeFakeBundle, sha256, TINY_BUNDLE_DIR, writeBundle } from './helpers/models-fixture';

let tmp: string;
let dbFile: string;
let db: Db;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-models-mgr-'));
  dbFile = path.join(tmp, 'library.sqlite');
  db = openDatabase(dbFile);
});
afterEach(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

const modelsDir = () => path.join(tmp, 'models');
const manager = (extra: Partial<ModelManagerDeps> = {}) =>
  createModelManager({ db, paths: { modelsDir: modelsDir() }, log: silentLog, emit: () => {}, env: {}, ...extra });

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}
async function rejected(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('import', () => {
  it('verifies and copies a good folder without touching the source', async () => {
    const bundle = makeFakeBundle('local-one');
    const src = writeBundle(path.join(tmp, 'src'), bundle);
    const before = readdirSync(src, { recursive: true }).sort();
    const m = manager();
    const dto = await m.import(src);
    expect(dto).toMatchObject({
      id: 'local-one',
      installed: true,
      active: false,
      randomWeights: false,
      path: path.join(modelsDir(), 'local-one'),
    });
    for (const [p, b] of bundle.files) expect(sha256(readFileSync(path.join(modelsDir(), 'local-one', p)))).toBe(sha256(b));
    expect(readdirSync(src, { recursive: true }).sort()).toEqual(before);
    expect(readdirSync(path.join(modelsDir(), '.imports'))).toEqual([]);
    // Importing the same id again is a conflict, not a silent overwrite.
    expect((await rejected(m.import(src))).code).toBe('conflict');
  });

  it('rejects a folder whose file content does not match its sha256, naming the file', async () => {
    const bundle = makeFakeBundle('corrupt');
    const src = writeBundle(path.join(tmp, 'src'), bundle);
    const victim = path.join(src, 'onnx/decoder_model_merged.onnx');
    const bytes = readFileSync(victim);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(victim, bytes);
    const err = await rejected(manager().import(src));
    expect(err.message).toMatch(/onnx\/decoder_model_merged\.onnx/);
    expect(err.message).toMatch(/sha256/);
    expect(existsSync(path.join(modelsDir(), 'corrupt'))).toBe(false);
    expect(readdirSync(path.join(modelsDir(), '.imports'))).toEqual([]);
  });

  it('rejects a missing file, a truncated file, a bad manifest and a non-folder with clear messages', async () => {
    const m = manager();
    const a = writeBundle(path.join(tmp, 'a'), makeFakeBundle('a'));
    rmSync(path.join(a, 'tokenizer.json'));
    expect((await rejected(m.import(a))).message).toMatch(/tokenizer\.json.*missing|missing.*tokenizer\.json/);
    const b = writeBundle(path.join(tmp, 'b'), makeFakeBundle('b'));
    truncateSync(path.join(b, 'onnx/vision_encoder_q4.onnx'), 10);
    expect((await rejected(m.import(b))).message).toMatch(/vision_encoder_q4\.onnx has 10 bytes/);
    const c = writeBundle(path.join(tmp, 'c'), makeFakeBundle('c'));
    writeFileSync(path.join(c, 'manifest.json'), '{"schema": 1, "id": "C!"}');
    expect((await rejected(m.import(c))).message).toMatch(/not a valid model bundle.*manifest\.json is invalid/);
    expect((await rejected(m.import(path.join(c, 'manifest.json')))).message).toMatch(/not a folder/);
    expect((await rejected(m.import(path.join(tmp, 'nothing-here')))).message).toMatch(/does not exist/);
    const d = makeFakeBundle('d');
    const manifest = JSON.parse(d.manifestText) as { files: { path: string }[] };
    manifest.files[0]!.path = '../../etc/passwd';
    writeBundle(path.join(tmp, 'd'), { ...d, manifestText: JSON.stringify(manifest) });
    expect((await rejected(m.import(path.join(tmp, 'd')))).message).toMatch(/outside the bundle/);
    const installed = existsSync(modelsDir()) ? readdirSync(modelsDir()).filter((n) => !n.startsWith('.')) : [];
    expect(installed).toEqual([]);
  });

  it('reports import progress as models:progress events', async () => {
    const events: ModelDto[] = [];
    const src = writeBundle(path.join(tmp, 'src'), makeFakeBundle('big-import', { graphBytes: 4 * 1024 * 1024 }));
    const m = manager({ emit: (_e, dto) => events.push(dto), download: { progressIntervalMs: 0 } });
    await m.import(src);
    const copying = events.filter((e) => e.id === 'big-import' && e.download.state === 'verifying');
    expect(copying.length).toBeGreaterThan(2);
    expect(copying.at(-1)?.download.received).toBe(copying.at(-1)?.download.total);
    expect(events.at(-1)).toMatchObject({ id: 'big-import', installed: true, download: { state: 'idle' } });
  });

  it('imports the committed tiny bundle, read-only', async () => {
    const before = readdirSync(TINY_BUNDLE_DIR, { recursive: true }).sort();
    const dto = await manager().import(TINY_BUNDLE_DIR);
    expect(dto).toMatchObject({ id: 'tiny-internvl', installed: true, randomWeights: true });
    expect(readdirSync(TINY_BUNDLE_DIR, { recursive: true }).sort()).toEqual(before);
  });

  it('imports only the requested variants', async () => {
    const src = writeBundle(path.join(tmp, 'src'), makeFakeBundle('v'));
    const dto = await manager().import(src, { variants: ['q4'] });
    expect(dto.variants).toEqual(['q4']);
    expect(existsSync(path.join(modelsDir(), 'v', 'onnx/decoder_model_merged.onnx'))).toBe(false);
    await expect(manager().import(writeBundle(path.join(tmp, 'src2'), makeFakeBundle('w')), { variants: ['int3'] })).rejects.toThrow(
      /no variant "int3"/,
    );
  });
});

/** What is left under the models folder besides installed models: staging folders must be empty. */
function leftovers(): string[] {
  const dir = modelsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (n.startsWith('.') ? readdirSync(path.join(dir, n)).map((c) => `${n}/${c}`) : [n]));
}

/** Writes bundle `id` to `tmp/<name>` after `edit` changed its manifest; returns the folder. */
function writeEdited(name: string, id: string, edit: (m: { files: { path: string; bytes: number; sha256: string }[] }) => void) {
  const b = makeFakeBundle(id);
  const manifest = JSON.parse(b.manifestText) as { files: { path: string; bytes: number; sha256: string }[] };
  edit(manifest);
  return writeBundle(path.join(tmp, name), { ...b, manifestText: JSON.stringify(manifest) });
}

const EMPTY_SHA256 = sha256(Buffer.alloc(0));

describe('import validation', () => {
  it('refuses a manifest id that would land in the wrong place or is too long, as a bad argument', async () => {
    const m = manager();
    for (const [i, id] of ['.downloads', '.', '..', '.imports', 'x'.repeat(300), 'trailing.', 'Upper-Case', 'a/b'].entries()) {
      const src = writeBundle(path.join(tmp, `src-${i}`), makeFakeBundle(id));
      const err = await rejected(m.import(src));
      expect(err.code, id).toBe('bad-argument');
      expect(err.message, id).toMatch(/not a valid model bundle.*id must match/);
      expect(leftovers(), id).toEqual([]);
    }
  });

  it('refuses a manifest that lists one path twice (in any case) or a name Shoebox reserves', async () => {
    const m = manager();
    const cases: [string, string, RegExp][] = [
      [
        'twice',
        writeEdited('twice', 'twice', (mf) => mf.files.push({ ...mf.files[1]!, sha256: 'f'.repeat(64) })),
        /"onnx\/vision_encoder\.onnx" is listed twice/,
      ],
      [
        'case',
        writeEdited('case', 'case', (mf) => mf.files.push({ ...mf.files[0]!, path: 'Tokenizer.JSON' })),
        /"Tokenizer\.JSON" is listed twice/,
      ],
      [
        'marker',
        writeEdited('marker', 'marker', (mf) => mf.files.push({ path: '.shoebox-verified.json', bytes: 0, sha256: EMPTY_SHA256 })),
        /"\.shoebox-verified\.json" is a name Shoebox reserves/,
      ],
      [
        'remote',
        writeEdited('remote', 'remote', (mf) => mf.files.push({ path: '.Remote-Manifest.json', bytes: 0, sha256: EMPTY_SHA256 })),
        /"\.Remote-Manifest\.json" is a name Shoebox reserves/,
      ],
    ];
    writeFileSync(path.join(tmp, 'marker', '.shoebox-verified.json'), '');
    writeFileSync(path.join(tmp, 'remote', '.Remote-Manifest.json'), '');
    for (const [what, src, message] of cases) {
      const err = await rejected(m.import(src));
      expect(err.code, what).toBe('bad-argument');
      expect(err.message, what).toMatch(message);
    }
    expect(leftovers()).toEqual([]);
  });

  it.runIf(process.platform !== 'win32')(
    'refuses a FIFO, a socket or a symlink inside the bundle at once, and leaves no staging folder',
    async () => {
      const m = manager();
      const extra = (name: string) => writeEdited(name, name, (mf) => mf.files.push({ path: 'extra.bin', bytes: 0, sha256: EMPTY_SHA256 }));
      const fifo = extra('fifo');
      expect(spawnSync('mkfifo', [path.join(fifo, 'extra.bin')]).status).toBe(0);
      const fifoManifest = writeBundle(path.join(tmp, 'fifo-manifest'), makeFakeBundle('fifo-manifest'));
      rmSync(path.join(fifoManifest, 'manifest.json'));
      expect(spawnSync('mkfifo', [path.join(fifoManifest, 'manifest.json')]).status).toBe(0);
      const socket = extra('socket');
      const listener = createServer();
      await new Promise<void>((resolve) => listener.listen(path.join(socket, 'extra.bin'), resolve));
      const linked = writeBundle(path.join(tmp, 'linked'), makeFakeBundle('linked'));
      cpSync(path.join(linked, 'onnx/vision_encoder.onnx'), path.join(tmp, 'real.onnx'));
      rmSync(path.join(linked, 'onnx/vision_encoder.onnx'));
      symlinkSync(path.join(tmp, 'real.onnx'), path.join(linked, 'onnx/vision_encoder.onnx'));
      const linkedDir = writeBundle(path.join(tmp, 'linked-dir'), makeFakeBundle('linked-dir'));
      cpSync(path.join(linkedDir, 'onnx'), path.join(tmp, 'real-onnx'), { recursive: true });
      rmSync(path.join(linkedDir, 'onnx'), { recursive: true });
      symlinkSync(path.join(tmp, 'real-onnx'), path.join(linkedDir, 'onnx'));
      try {
        const cases: [string, RegExp][] = [
          [fifo, /extra\.bin .* is a FIFO \(named pipe\), not a regular file/],
          [fifoManifest, /manifest\.json is a FIFO \(named pipe\), not a regular file/],
          [socket, /extra\.bin .* is a socket, not a regular file/],
          [linked, /onnx\/vision_encoder\.onnx .* is a symbolic link, not a regular file/],
          [linkedDir, /onnx .* is a symbolic link, not a regular folder/],
        ];
        for (const [src, message] of cases) {
          const t0 = Date.now();
          const err = await rejected(m.import(src));
          expect(Date.now() - t0, src).toBeLessThan(2_000);
          expect(err.code, src).toBe('bad-argument');
          expect(err.message, src).toMatch(message);
          expect(leftovers(), src).toEqual([]);
        }
      } finally {
        listener.close();
      }
    },
    15_000,
  );
});

describe('select, delete, demo flag', () => {
  it('persists the selection across a reopen of the database', async () => {
    await manager().import(writeBundle(path.join(tmp, 'src'), makeFakeBundle('keep-me')));
    const m = manager();
    expect(m.activeBundle()).toBeNull();
    expect(m.noModelReason()).toMatch(/No model is selected.*keep-me/s);
    const list = m.select('keep-me');
    expect(list.find((x) => x.id === 'keep-me')?.active).toBe(true);
    db.close();
    db = openDatabase(dbFile);
    expect(createSettingsRepo(db).get('activeModel')).toBe('keep-me');
    const again = manager();
    expect(again.activeBundle()).toMatchObject({ dir: path.join(modelsDir(), 'keep-me'), manifest: { id: 'keep-me' } });
    expect(again.noModelReason()).toBeNull();
    again.select(null);
    expect(again.activeBundle()).toBeNull();
  });

  it('refuses to select what is not installed, and to delete the active model', async () => {
    const m = manager();
    expect(thrown(() => m.select('internvl3-1b')).code).toBe('not-found');
    expect(thrown(() => m.select('../etc')).code).toBe('bad-argument');
    await m.import(writeBundle(path.join(tmp, 'src'), makeFakeBundle('busy')));
    m.select('busy');
    const err = await rejected(m.delete('busy'));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/active model/);
    expect(existsSync(path.join(modelsDir(), 'busy'))).toBe(true);
    m.select(null);
    expect(await m.delete('busy')).toBe(true);
    expect(existsSync(path.join(modelsDir(), 'busy'))).toBe(false);
    expect(await m.delete('busy')).toBe(false);
  });

  it('never deletes outside the models folder', async () => {
    const m = manager();
    for (const id of ['..', '../x', '.downloads', '/etc', 'a/b', '']) expect((await rejected(m.delete(id))).code).toBe('bad-argument');
    // A symlink in the models folder is removed as a link; its target survives.
    const outside = writeBundle(path.join(tmp, 'outside'), makeFakeBundle('outside'));
    mkdirSync(modelsDir(), { recursive: true });
    symlinkSync(outside, path.join(modelsDir(), 'linked'));
    expect(await m.delete('linked')).toBe(true);
    expect(existsSync(path.join(outside, 'manifest.json'))).toBe(true);
  });

  it("removes what Shoebox keeps for a model (a killed build's staging, a partial download, a kept checkpoint) and their stale locks", async () => {
    const m = manager();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const kept = { '.builds': 'onnx/vision_encoder.onnx_data', '.downloads': 'manifest.json', '.checkpoints': 'config.json' };
    for (const [dir, file] of Object.entries(kept)) {
      for (const id of ['ghost', 'other']) {
        mkdirSync(path.join(modelsDir(), dir, id, path.dirname(file)), { recursive: true });
        writeFileSync(path.join(modelsDir(), dir, id, file), 'x');
      }
    }
    writeFileSync(path.join(modelsDir(), '.builds', 'ghost.lock'), String(dead));
    writeFileSync(path.join(modelsDir(), '.downloads', 'ghost.lock'), String(dead));
    expect(await m.delete('ghost')).toBe(true);
    for (const dir of Object.keys(kept)) expect(readdirSync(path.join(modelsDir(), dir)), dir).toEqual(['other']);

    // Another live process building it: refused, its staging kept.
    const builder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(path.join(modelsDir(), '.builds', 'other.lock'), String(builder.pid));
      const err = await rejected(m.delete('other'));
      expect(err.code).toBe('conflict');
      expect(err.message).toMatch(new RegExp(`being built by another Shoebox process \\(pid ${builder.pid}\\)`));
      expect(existsSync(path.join(modelsDir(), '.builds', 'other', 'onnx'))).toBe(true);
    } finally {
      builder.kill();
    }
  });

  it('never follows a staging folder that is a symlink out of the models folder', async () => {
    const outside = path.join(tmp, 'outside');
    mkdirSync(path.join(outside, 'victim'), { recursive: true });
    writeFileSync(path.join(outside, 'victim', 'precious.txt'), 'keep me');
    mkdirSync(modelsDir(), { recursive: true });
    symlinkSync(outside, path.join(modelsDir(), '.builds'));
    expect(await manager().delete('victim')).toBe(false);
    expect(readFileSync(path.join(outside, 'victim', 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('lists random-weight bundles but selects them only in demo mode', async () => {
    await manager().import(writeBundle(path.join(tmp, 'src'), makeFakeBundle('tiny-random', { randomWeights: true })));
    const m = manager();
    expect(m.list().find((x) => x.id === 'tiny-random')).toMatchObject({ installed: true, randomWeights: true });
    const err = thrown(() => m.select('tiny-random'));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/random weights.*turn on Demo mode on the Models page/s);
    expect(m.activeBundle()).toBeNull();

    const demo = manager({ env: { SHOEBOX_DEMO_MODEL: '1' } });
    expect(demo.demoMode()).toBe(true);
    demo.select('tiny-random');
    expect(demo.activeBundle()?.manifest.random_weights).toBe(true);
    // Without the flag the same selection gives no bundle, and says why.
    const plain = manager();
    expect(plain.activeBundle()).toBeNull();
    expect(plain.noModelReason()).toMatch(/random weights.*turn on Demo mode on the Models page/s);
    expect(manager({ demo: true }).activeBundle()?.manifest.id).toBe('tiny-random');
  });

  it('follows the Models page demo switch (the models.demoMode setting) without a restart', async () => {
    await manager().import(writeBundle(path.join(tmp, 'src'), makeFakeBundle('tiny-random', { randomWeights: true })));
    const m = manager();
    expect(m.demoMode()).toBe(false);
    expect(() => m.select('tiny-random')).toThrow(/random weights/);
    const settings = createSettingsRepo(db);
    settings.set('models.demoMode', 'true');
    expect(m.demoMode()).toBe(true);
    m.select('tiny-random');
    expect(m.activeBundle()?.manifest.id).toBe('tiny-random');
    settings.set('models.demoMode', 'false');
    expect(m.activeBundle()).toBeNull();
    expect(m.noModelReason()).toMatch(/has random weights/);
  });

  it('does not trust a bundle folder copied in by hand or damaged after install', async () => {
    writeBundle(path.join(modelsDir(), 'hand-made'), makeFakeBundle('hand-made'));
    const m = manager();
    const dto = m.list().find((x) => x.id === 'hand-made');
    expect(dto).toMatchObject({ installed: false, download: { state: 'failed' } });
    expect(dto?.download.error).toMatch(/not verified by Shoebox.*import/);
    expect(thrown(() => m.select('hand-made')).code).toBe('conflict');

    await m.import(writeBundle(path.join(tmp, 'src'), makeFakeBundle('damaged')));
    m.select('damaged');
    expect(m.activeBundle()).not.toBeNull();
    truncateSync(path.join(modelsDir(), 'damaged', 'onnx/embed_tokens.onnx'), 5);
    expect(m.activeBundle()).toBeNull();
    expect(m.noModelReason()).toMatch(/embed_tokens\.onnx has 5 bytes/);
    // A manifest edited after install voids the verification.
    await m.import(writeBundle(path.join(tmp, 'src-edited'), makeFakeBundle('edited')));
    m.select('edited');
    expect(m.activeBundle()?.manifest.id).toBe('edited');
    const mf = path.join(modelsDir(), 'edited', 'manifest.json');
    writeFileSync(mf, readFileSync(mf, 'utf8').replace('"Test edited"', '"Renamed"'));
    expect(m.activeBundle()).toBeNull();
    expect(m.noModelReason()).toMatch(/manifest\.json was edited/);
  });
});

describe('variant costs', () => {
  it("gives each installed variant's size, a memory floor labelled as an estimate, and the speed measured on this library", async () => {
    const m = manager();
    await m.import(writeBundle(path.join(tmp, 'src'), makeFakeBundle('speedy')));
    const photo = db.prepare("INSERT INTO photos (hash, file_time, created_at) VALUES (?, '2020-01-01T00:00:00', 0)");
    const understood = db.prepare(
      "INSERT INTO photo_understanding (photo_id, state, model_id, variant, version, ms, made_at) VALUES (?, ?, ?, ?, 'v', ?, ?)",
    );
    const runs: [string, string, string, number][] = [
      ['ok', 'speedy', 'fp32', 1000],
      ['runaway', 'speedy', 'fp32', 3000],
      ['empty', 'speedy', 'fp32', 2000],
      ['error', 'speedy', 'fp32', 99_000], // a failed photo says nothing of the speed
      ['ok', 'other-model', 'q4', 500], // another model's q4
    ];
    runs.forEach(([state, model, variant, ms], i) => understood.run(photo.run(`h${i}`).lastInsertRowid, state, model, variant, ms, i));
    // A fresh manager: speeds are cached for a minute, and the import's DTO already read none.
    expect(m.get('speedy').variantCosts[0]!.secondsPerPhoto).toBeNull();
    const costs = manager().get('speedy').variantCosts;
    const k = 1024;
    expect(costs).toEqual([
      {
        variant: 'fp32',
        bytes: 64 * k + 16 * k + 64 * k,
        memory: { bytes: 64 * k + 16 * k + 64 * k, measured: false, basis: 'weights' },
        secondsPerPhoto: { seconds: 2, measured: true, photos: 3 },
      },
      { variant: 'q4', bytes: 8 * k + 4 * k + 8 * k, memory: { bytes: 20 * k, measured: false, basis: 'weights' }, secondsPerPhoto: null },
    ]);
    expect(m.get('not-installed').variantCosts).toEqual([]);
  });
});
