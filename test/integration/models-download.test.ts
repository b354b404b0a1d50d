/**
 * Model downloads against a real HTTP server on 127.0.0.1: full download with progress and sha256
 * verification, cut-off then resume with Range, wrong hash, 5xx then retry, 404, cancel, variants,
 * an endless or oversized manifest, a slow body that never idles, manifests that list a path twice
 * or a reserved name, and which failures offer resume.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../preload/api-error';
import type { ModelDto } from '../../preload/contract';
import { openDatabase, type Db } from '../../main/db/open';
import { silentLog } from '../../main/log';
import { createModelManager, type ModelManagerDeps } from '../../main/models/manager';
import { loadBundle } from '../../native/bundle/manifest';
import {
  makeFakeBundle,
  readBundle,
  sha256,
  startBundleServer,
  TINY_BUNDLE_DIR,
  type Behaviour,
  type BundleServer,
  type FakeBundle,
} from './helpers/models-fixture';

let tmp: string;
let db: Db;
let server: BundleServer;
let bundle: FakeBundle;
let events: ModelDto[];

beforeEach(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-models-dl-'));
  db = openDatabase(':memory:');
  bundle = makeFakeBundle('tiny-test', { graphBytes: 256 * 1024 });
  server = await startBundleServer([bundle]);
  events = [];
});

afterEach(async () => {
  await server.close();
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

const modelsDir = () => path.join(tmp, 'models');

function manager(extra: Partial<ModelManagerDeps> = {}) {
  return createModelManager({
    db,
    paths: { modelsDir: modelsDir() },
    log: silentLog,
    emit: (_e, dto) => events.push(dto),
    baseUrl: server.baseUrl,
    env: {},
    download: { retries: 3, retryDelayMs: 5, progressIntervalMs: 0 },
    ...extra,
  });
}

function expectInstalledIntact(id = 'tiny-test') {
  const dir = path.join(modelsDir(), id);
  for (const [p, b] of bundle.files) expect(sha256(readFileSync(path.join(dir, p))), p).toBe(sha256(b));
  expect(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).toBe(bundle.manifestText);
  expect(existsSync(path.join(modelsDir(), '.downloads', id))).toBe(false);
}

/** Resolves once `cond` holds (polled every 5 ms); the test's timeout bounds the wait. */
function waitFor(cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('model download', () => {
  it('downloads, verifies and installs a bundle with progress events', async () => {
    const m = manager();
    const started = m.download('tiny-test');
    expect(started.download.state).toBe('downloading');
    const done = await m.waitForDownload('tiny-test');
    expect(done).toMatchObject({ id: 'tiny-test', installed: true, active: false, variants: ['fp32', 'q4'] });
    expectInstalledIntact();
    const total = [...bundle.files.values()].reduce((a, b) => a + b.length, 0);
    const progress = events.filter((e) => e.download.state === 'downloading');
    expect(progress.length).toBeGreaterThan(3);
    const received = progress.map((e) => e.download.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(Math.max(...received)).toBe(total);
    expect(events.at(-1)).toMatchObject({ installed: true, download: { state: 'idle' } });
    expect(m.list().find((x) => x.id === 'tiny-test')).toMatchObject({ installed: true, path: path.join(modelsDir(), 'tiny-test') });
    expect(server.requests.every((r) => r.range === null)).toBe(true);
  });

  it('keeps the part of a cut-off download and resumes it with a Range request', async () => {
    const big = 'onnx/vision_encoder.onnx';
    server.behave = (url, nth) => (url.endsWith(big) && nth === 1 ? { kind: 'cut', after: 100_000 } : { kind: 'normal' });
    const m = manager({ download: { retries: 0, retryDelayMs: 5, progressIntervalMs: 0 } });
    m.download('tiny-test');
    const err = await failure(m.waitForDownload('tiny-test'));
    expect(err.message).toMatch(/vision_encoder\.onnx/);
    expect(err.message).toMatch(/download again to resume/);
    expect(m.list().find((x) => x.id === 'tiny-test')).toMatchObject({ installed: false, download: { state: 'failed' } });
    expect(existsSync(path.join(modelsDir(), 'tiny-test'))).toBe(false);
    const part = path.join(modelsDir(), '.downloads', 'tiny-test', big + '.part');
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(bundle.files.get(big)!.length);

    // A new manager (as after a restart) resumes from the part.
    const again = manager();
    again.download('tiny-test');
    await again.waitForDownload('tiny-test');
    const resumed = server.requests.filter((r) => r.url.endsWith(big));
    expect(resumed.at(-1)).toMatchObject({ range: `bytes=${kept}-`, status: 206 });
    expectInstalledIntact();
  });

  it('resumes within one download when retries are allowed', async () => {
    const big = 'onnx/decoder_model_merged.onnx';
    server.behave = (url, nth) => (url.endsWith(big) && nth <= 2 ? { kind: 'cut', after: 50_000 } : { kind: 'normal' });
    const m = manager();
    m.download('tiny-test');
    await m.waitForDownload('tiny-test');
    const reqs = server.requests.filter((r) => r.url.endsWith(big));
    expect(reqs.map((r) => r.range)).toEqual([null, expect.stringMatching(/^bytes=\d+-$/), expect.stringMatching(/^bytes=\d+-$/)]);
    expectInstalledIntact();
  });

  it('drops a stalled connection after the idle timeout and resumes', async () => {
    const big = 'onnx/vision_encoder.onnx';
    // First request: 16 KB, then nothing for 10 s (the test would time out if we waited for it).
    server.behave = (url, nth) =>
      url.endsWith(big) && nth === 1 ? { kind: 'slow', chunk: 16 * 1024, delayMs: 10_000 } : { kind: 'normal' };
    const m = manager({ download: { retries: 2, retryDelayMs: 1, idleTimeoutMs: 150, progressIntervalMs: 0 } });
    const t0 = Date.now();
    m.download('tiny-test');
    await m.waitForDownload('tiny-test');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(server.requests.filter((r) => r.url.endsWith(big)).map((r) => r.range)).toEqual([null, 'bytes=16384-']);
    expectInstalledIntact();
  });

  it('starts a file over when the server ignores Range', async () => {
    const big = 'onnx/vision_encoder.onnx';
    server.behave = (url, nth) =>
      url.endsWith(big) ? (nth === 1 ? { kind: 'cut', after: 70_000 } : { kind: 'ignore-range' }) : { kind: 'normal' };
    const m = manager();
    m.download('tiny-test');
    await m.waitForDownload('tiny-test');
    expect(server.requests.filter((r) => r.url.endsWith(big)).map((r) => r.status)).toEqual([200, 200]);
    expectInstalledIntact();
  });

  it('rejects a file with the wrong sha256, deletes it, names it, and installs nothing', async () => {
    const bad = 'onnx/embed_tokens.onnx';
    const wrong = Buffer.alloc(bundle.files.get(bad)!.length, 7);
    server.behave = (url) => (url.endsWith(bad) ? { kind: 'body', bytes: wrong } : { kind: 'normal' });
    const m = manager();
    m.download('tiny-test');
    const err = await failure(m.waitForDownload('tiny-test'));
    expect(err.message).toMatch(/onnx\/embed_tokens\.onnx/);
    expect(err.message).toMatch(/sha256/);
    expect(existsSync(path.join(modelsDir(), 'tiny-test'))).toBe(false);
    const staging = path.join(modelsDir(), '.downloads', 'tiny-test');
    expect(existsSync(path.join(staging, bad + '.part'))).toBe(false);
    expect(existsSync(path.join(staging, bad))).toBe(false);
    expect(m.activeBundle()).toBeNull();
    expect(m.list().find((x) => x.id === 'tiny-test')?.download).toMatchObject({ state: 'failed', error: err.message });
    // The server is fixed: the next download fetches only what is missing.
    server.behave = () => ({ kind: 'normal' });
    const before = server.requests.length;
    m.download('tiny-test');
    await m.waitForDownload('tiny-test');
    const fetched = server.requests.slice(before).map((r) => r.url.split('/tiny-test/')[1]);
    expect(fetched[0]).toBe('manifest.json');
    expect(fetched).toContain(bad);
    expect(fetched).not.toContain('tokenizer.json'); // verified before the bad file; kept
    expect(fetched).not.toContain('onnx/vision_encoder.onnx');
    expectInstalledIntact();
  });

  it('retries a 500 with backoff and then succeeds', async () => {
    server.behave = (url, nth) =>
      nth <= 2 && (url.endsWith('manifest.json') || url.endsWith('tokenizer.json')) ? { kind: 'status', status: 500 } : { kind: 'normal' };
    const m = manager();
    m.download('tiny-test');
    await m.waitForDownload('tiny-test');
    const statuses = (suffix: string) => server.requests.filter((r) => r.url.endsWith(suffix)).map((r) => r.status);
    expect(statuses('manifest.json')).toEqual([500, 500, 200]);
    expect(statuses('tokenizer.json')).toEqual([500, 500, 200]);
    expectInstalledIntact();
  });

  it('gives up after the retries on a server that keeps failing', async () => {
    server.behave = () => ({ kind: 'status', status: 503 });
    const m = manager({ download: { retries: 2, retryDelayMs: 1, progressIntervalMs: 0 } });
    m.download('tiny-test');
    const err = await failure(m.waitForDownload('tiny-test'));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/HTTP 503/);
    expect(server.requests).toHaveLength(3);
  });

  it('says clearly when the model is not on the server (404)', async () => {
    const m = manager();
    m.download('no-such-model');
    const err = await failure(m.waitForDownload('no-such-model'));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/no-such-model/);
    expect(err.message).toMatch(/HTTP 404/);
    expect(server.requests).toHaveLength(1); // a 404 is not retried
  });

  it('cancels a running download, keeps its part, and resumes later', async () => {
    server.behave = (url) => (url.endsWith('vision_encoder.onnx') ? { kind: 'slow', chunk: 16 * 1024, delayMs: 20 } : { kind: 'normal' });
    const m = manager();
    m.download('tiny-test');
    await waitFor(() => events.some((e) => e.download.received > 32 * 1024 && e.download.state === 'downloading'));
    expect(m.cancelDownload('tiny-test')).toBe(true);
    await failure(m.waitForDownload('tiny-test'));
    const paused = m.list().find((x) => x.id === 'tiny-test');
    expect(paused).toMatchObject({ installed: false, download: { state: 'idle', error: null } });
    expect(paused?.download.received).toBeGreaterThan(32 * 1024);
    expect(paused?.download.total).toBe([...bundle.files.values()].reduce((a, b) => a + b.length, 0));
    expect(m.cancelDownload('tiny-test')).toBe(false);
    const staging = path.join(modelsDir(), '.downloads', 'tiny-test');
    expect(readdirSync(path.join(staging, 'onnx')).some((f) => f.endsWith('.part'))).toBe(true);
    server.behave = () => ({ kind: 'normal' });
    m.download('tiny-test');
    await m.waitForDownload('tiny-test');
    expect(server.requests.some((r) => r.range !== null)).toBe(true);
    expectInstalledIntact();
  });

  it('installs only the requested variants', async () => {
    const m = manager();
    m.download('tiny-test', { variants: ['q4'] });
    const dto = await m.waitForDownload('tiny-test');
    expect(dto.variants).toEqual(['q4']);
    const dir = path.join(modelsDir(), 'tiny-test');
    expect(existsSync(path.join(dir, 'onnx/vision_encoder.onnx'))).toBe(false);
    expect(existsSync(path.join(dir, 'onnx/vision_encoder_q4.onnx'))).toBe(true);
    expect(server.requests.some((r) => r.url.endsWith('/onnx/decoder_model_merged.onnx'))).toBe(false);
    expect(m.select('tiny-test').find((x) => x.id === 'tiny-test')?.active).toBe(true);
    expect(Object.keys(m.activeBundle()!.manifest.variants)).toEqual(['q4']);
  });

  it('checks free disk space before downloading', async () => {
    const huge = makeFakeBundle('huge');
    const manifest = JSON.parse(huge.manifestText) as { files: { bytes: number }[] };
    manifest.files[1]!.bytes = 2 ** 50; // 1 PiB
    const hugeServer = await startBundleServer([{ ...huge, manifestText: JSON.stringify(manifest) }]);
    try {
      const m = manager({ baseUrl: hugeServer.baseUrl });
      m.download('huge');
      const err = await failure(m.waitForDownload('huge'));
      expect(err.message).toMatch(/Not enough disk space in .*models: 1024 TB needed/);
      expect(hugeServer.requests.map((r) => r.url)).toEqual(['/models/huge/manifest.json']);
    } finally {
      await hugeServer.close();
    }
  });

  it('retries when the server cannot be reached, then reports it', async () => {
    const gone = await startBundleServer([]);
    const url = gone.baseUrl;
    await gone.close(); // nothing listens on that port now
    const m = manager({ baseUrl: url, download: { retries: 1, retryDelayMs: 1, progressIntervalMs: 0 } });
    m.download('tiny-test');
    const err = await failure(m.waitForDownload('tiny-test'));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain(`cannot reach ${url}/tiny-test/manifest.json`);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('lets only one process download a model at a time, and takes over a stale lock', async () => {
    server.behave = () => ({ kind: 'slow', chunk: 16 * 1024, delayMs: 20 });
    const first = manager();
    first.download('tiny-test');
    await waitFor(() => events.some((e) => e.download.received > 0)); // it holds the lock now
    const second = manager(); // as if it were the CLI next to the app
    second.download('tiny-test');
    const err = await failure(second.waitForDownload('tiny-test'));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/already being downloaded by this Shoebox process/);
    expect((await failure(second.delete('tiny-test'))).message).toMatch(/being downloaded by another Shoebox process/);
    await first.close();

    // A lock left by a process that is gone is taken over.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(path.join(modelsDir(), '.downloads', 'tiny-test.lock'), String(dead));
    server.behave = () => ({ kind: 'normal' });
    const third = manager();
    third.download('tiny-test');
    await third.waitForDownload('tiny-test');
    expect(existsSync(path.join(modelsDir(), '.downloads', 'tiny-test.lock'))).toBe(false);
    expectInstalledIntact();
  });

  it('refuses to download a model without a base URL or a hub source, and points to import', () => {
    const m = createModelManager({ db, paths: { modelsDir: modelsDir() }, log: silentLog, emit: () => {}, env: {} });
    // Catalog models come from the Hugging Face hub without a base URL (models-hub.test.ts); others cannot.
    // The app's words first (the Models page's import form), then the server settings the app cannot set.
    expect(() => m.download('tiny-test')).toThrow(
      /no download source.*"Import a model bundle" on the Models page.*SHOEBOX_MODEL_BASE_URL/s,
    );
    m.setBaseUrl(server.baseUrl + '/');
    expect(m.baseUrl()).toBe(server.baseUrl);
    expect(() => m.setBaseUrl('ftp://example.org/x')).toThrow(/http/);
  });

  it('says a malformed SHOEBOX_MODEL_BASE_URL is set outside the app, and where', () => {
    const env = { SHOEBOX_MODEL_BASE_URL: 'ftp://example.org/x' };
    const m = createModelManager({ db, paths: { modelsDir: modelsDir() }, log: silentLog, emit: () => {}, env });
    const err = (() => {
      try {
        m.download('tiny-test');
      } catch (e) {
        return e as ApiError;
      }
      return null;
    })();
    expect(err).toMatchObject({ code: 'unavailable' });
    expect(err!.message).toMatch(/model download URL is not usable: .*http/);
    expect(err!.message).toMatch(
      /set outside the app, by the SHOEBOX_MODEL_BASE_URL environment variable or with `shoebox models base-url`/,
    );
  });

  it('close() stops a running download', async () => {
    server.behave = () => ({ kind: 'slow', chunk: 4096, delayMs: 50 });
    const m = manager();
    m.download('tiny-test');
    await new Promise((r) => setTimeout(r, 100));
    await m.close();
    expect(existsSync(path.join(modelsDir(), 'tiny-test'))).toBe(false);
  });
});

describe('the committed tiny bundle (native/export)', () => {
  it('downloads, passes loadBundle with sha256, and is usable only in demo mode', async () => {
    const tiny = readBundle(TINY_BUNDLE_DIR);
    const tinyServer = await startBundleServer([tiny]);
    try {
      const m = manager({ baseUrl: tinyServer.baseUrl });
      m.download('tiny-internvl');
      const dto = await m.waitForDownload('tiny-internvl');
      const variants = Object.keys((JSON.parse(tiny.manifestText) as { variants: object }).variants);
      expect(variants).toContain('fp32');
      expect(dto).toMatchObject({ installed: true, randomWeights: true, variants });
      const loaded = await loadBundle(dto.path!, { verifySha256: true });
      expect(Object.keys(loaded.variants)).toEqual(variants);
      expect(() => m.select('tiny-internvl')).toThrow(/turn on Demo mode/);
      const demo = manager({ demo: true });
      demo.select('tiny-internvl');
      expect(demo.activeBundle()?.dir).toBe(dto.path);
    } finally {
      await tinyServer.close();
    }
  });
});

/** The bundle's manifest with `edit` applied, as the server would send it. */
function editedManifest(edit: (m: { id: string; files: { path: string; bytes: number; sha256: string }[] }) => void): Buffer {
  const m = JSON.parse(bundle.manifestText) as { id: string; files: { path: string; bytes: number; sha256: string }[] };
  edit(m);
  return Buffer.from(JSON.stringify(m));
}

describe('servers that misbehave with the manifest or the body', () => {
  it('refuses an endless manifest at 1 MiB, at once, without buffering it or retrying', async () => {
    server.behave = (url) => (url.endsWith('manifest.json') ? { kind: 'endless', chunk: 64 * 1024, delayMs: 2 } : { kind: 'normal' });
    const m = manager({ download: { retries: 3, retryDelayMs: 5, idleTimeoutMs: 5_000, progressIntervalMs: 0 } });
    const t0 = Date.now();
    m.download('tiny-test');
    const err = await failure(m.waitForDownload('tiny-test'));
    expect(err.message).toMatch(/manifest\.json is larger than 1 MiB/);
    expect(err.message).toContain(`${server.baseUrl}/tiny-test/manifest.json`);
    expect(Date.now() - t0).toBeLessThan(3_000); // well before the 5 s idle timeout
    // Memory stays bounded: the client hung up after about 1 MiB, so the server could write only that
    // plus what the sockets buffer (an unbounded read would take in ~30 MB a second here).
    await new Promise((r) => setTimeout(r, 100));
    expect(server.endlessBytes).toBeLessThan(16 * 1024 * 1024);
    expect(server.requests.map((r) => r.url)).toEqual(['/models/tiny-test/manifest.json']); // not retried
    expect(m.get('tiny-test').download).toMatchObject({ state: 'failed', resumable: false });
  });

  it('refuses a manifest whose content-length is over 1 MiB without reading it', async () => {
    server.behave = (url) =>
      url.endsWith('manifest.json') ? { kind: 'body', bytes: Buffer.alloc(2 * 1024 * 1024, 0x20) } : { kind: 'normal' };
    const m = manager();
    m.download('tiny-test');
    expect((await failure(m.waitForDownload('tiny-test'))).message).toMatch(/manifest\.json is larger than 1 MiB/);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps a body that trickles for longer than the idle timeout, since no single gap is that long', async () => {
    const slowFile = 'onnx/embed_tokens_q4.onnx'; // 16 KB in 2 KB steps
    server.behave = (url) =>
      url.endsWith('manifest.json')
        ? { kind: 'slow', chunk: 256, delayMs: 50 }
        : url.endsWith(slowFile)
          ? { kind: 'slow', chunk: 2048, delayMs: 50 }
          : { kind: 'normal' };
    const idleTimeoutMs = 200;
    const m = manager({ download: { retries: 0, retryDelayMs: 1, idleTimeoutMs, progressIntervalMs: 0 } });
    const t0 = Date.now();
    m.download('tiny-test');
    await m.waitForDownload('tiny-test');
    expect(Date.now() - t0).toBeGreaterThan(3 * idleTimeoutMs); // both bodies took longer than the timeout
    const fetched = (suffix: string) => server.requests.filter((r) => r.url.endsWith(suffix));
    expect(fetched('manifest.json')).toHaveLength(1);
    expect(fetched(slowFile)).toHaveLength(1);
    expectInstalledIntact();
  });

  it('refuses a manifest that lists a path twice, a reserved name or a file where a folder must be, before fetching files', async () => {
    const cases: [string, Buffer, RegExp][] = [
      [
        'the same path with another sha256',
        editedManifest((mf) => mf.files.push({ ...mf.files[1]!, sha256: 'f'.repeat(64) })),
        /onnx\/vision_encoder\.onnx" is listed twice/,
      ],
      [
        'the same path in other case',
        editedManifest((mf) => mf.files.push({ ...mf.files[1]!, path: 'ONNX/Vision_Encoder.onnx' })),
        /listed twice/,
      ],
      [
        'the verified marker',
        editedManifest((mf) => mf.files.push({ path: '.shoebox-verified.json', bytes: 2, sha256: sha256(Buffer.from('{}')) })),
        /"\.shoebox-verified\.json" is a name Shoebox reserves/,
      ],
      [
        'the staged remote manifest',
        editedManifest((mf) => mf.files.push({ path: '.remote-manifest.json', bytes: 2, sha256: sha256(Buffer.from('{}')) })),
        /"\.remote-manifest\.json" is a name Shoebox reserves/,
      ],
      [
        'a part file',
        editedManifest((mf) => mf.files.push({ ...mf.files[1]!, path: 'onnx/vision_encoder.onnx.part' })),
        /ends with \.part/,
      ],
      ['a file where a folder must be', editedManifest((mf) => mf.files.push({ ...mf.files[0]!, path: 'onnx' })), /needs a folder/],
    ];
    for (const [what, manifest, message] of cases) {
      server.behave = (url) => (url.endsWith('manifest.json') ? { kind: 'body', bytes: manifest } : { kind: 'normal' });
      const before = server.requests.length;
      const m = manager();
      m.download('tiny-test');
      const err = await failure(m.waitForDownload('tiny-test'));
      expect(err.message, what).toMatch(/bad manifest for model tiny-test/);
      expect(err.message, what).toMatch(message);
      expect(
        server.requests.slice(before).map((r) => r.url),
        what,
      ).toEqual(['/models/tiny-test/manifest.json']);
      expect(existsSync(path.join(modelsDir(), 'tiny-test')), what).toBe(false);
      expect(m.get('tiny-test').download, what).toMatchObject({ state: 'failed', resumable: false });
    }
  });
});

describe('resumable failures', () => {
  /** Downloads `id` once with the server misbehaving as told; the DTO's download part afterwards. */
  async function failedDownload(id: string, behave: BundleServer['behave'], extra: Partial<ModelManagerDeps> = {}) {
    rmSync(modelsDir(), { recursive: true, force: true });
    server.behave = behave;
    const m = manager({ download: { retries: 1, retryDelayMs: 1, idleTimeoutMs: 200, progressIntervalMs: 0 }, ...extra });
    m.download(id);
    await failure(m.waitForDownload(id));
    return m.get(id).download;
  }
  const onFile = (suffix: string, b: Behaviour) => (url: string) => (url.endsWith(suffix) ? b : { kind: 'normal' as const });

  it('offers resume only when downloading again could succeed', async () => {
    const big = 'onnx/vision_encoder.onnx';
    const wrong = Buffer.alloc(bundle.files.get(big)!.length, 7);
    const huge = editedManifest((mf) => {
      mf.files[1]!.bytes = 2 ** 50;
    });
    const check = async (what: string, got: Promise<ModelDto['download']>, resumable: boolean) => {
      const dl = await got;
      expect(dl.state, what).toBe('failed');
      expect(dl.resumable, what).toBe(resumable);
    };
    // Not resumable: the next try meets the same answer.
    await check(
      '404',
      failedDownload('no-such-model', () => ({ kind: 'normal' })),
      false,
    );
    await check('403', failedDownload('tiny-test', onFile('manifest.json', { kind: 'status', status: 403 })), false);
    await check('sha256 mismatch', failedDownload('tiny-test', onFile(big, { kind: 'body', bytes: wrong })), false);
    await check(
      'invalid manifest',
      failedDownload('tiny-test', onFile('manifest.json', { kind: 'body', bytes: Buffer.from('{}') })),
      false,
    );
    const tooLarge = Buffer.alloc(2 * 1024 * 1024, 0x20);
    await check('manifest over 1 MiB', failedDownload('tiny-test', onFile('manifest.json', { kind: 'body', bytes: tooLarge })), false);
    // Resumable: the server or the network may recover, or the user frees space.
    await check('503', failedDownload('tiny-test', onFile(big, { kind: 'status', status: 503 })), true);
    await check('cut-off', failedDownload('tiny-test', onFile(big, { kind: 'cut', after: 100_000 })), true);
    await check('idle timeout', failedDownload('tiny-test', onFile(big, { kind: 'slow', chunk: 4096, delayMs: 10_000 })), true);
    await check('disk full', failedDownload('tiny-test', onFile('manifest.json', { kind: 'body', bytes: huge })), true);
    const gone = await startBundleServer([]);
    await gone.close();
    await check(
      'unreachable',
      failedDownload('tiny-test', () => ({ kind: 'normal' }), { baseUrl: gone.baseUrl }),
      true,
    );
  });

  it('offers to resume a cancelled download, and a fresh download nothing', async () => {
    server.behave = onFile('vision_encoder.onnx', { kind: 'slow', chunk: 16 * 1024, delayMs: 20 });
    const m = manager();
    expect(m.get('tiny-test').download).toMatchObject({ state: 'idle', resumable: false });
    m.download('tiny-test');
    await waitFor(() => events.some((e) => e.download.received > 32 * 1024));
    m.cancelDownload('tiny-test');
    await failure(m.waitForDownload('tiny-test'));
    expect(m.get('tiny-test').download).toMatchObject({ state: 'idle', resumable: true });
  });
});
