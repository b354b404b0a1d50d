/**
 * @file The real inference worker, forked by the real client: load by role, info (CPU features,
 * providers), streaming caption, interactive requests ahead of queued background ones, cancel
 * mid-stream, kill -9 and restart (with a clear error for a streaming request and a transparent
 * retry for an idempotent one), corrupt model files, bad requests and timeouts — after each failure
 * the worker must still serve.
 */
import { copyFileSync, mkdtempSync, mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerClient, type WorkerClient } from '../../main/inference/worker-client';
import { codeOf } from './helpers/worker-errors';

const BUNDLE = path.resolve('test/fixtures/models/tiny-internvl');
const IMG = path.resolve('test/fixtures/images/ml/square.png');
// The square golden's question: its first 32 greedy tokens contain no <|im_end|>, so a long
// generation is still running when the test cancels or kills it.
const QUESTION = (JSON.parse(readFileSync('test/fixtures/goldens/square.json', 'utf8')) as { question: string }).question;

let client: WorkerClient;
let tmp: string;

function copyBundle(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  for (const f of ['manifest.json', 'tokenizer.json']) copyFileSync(path.join(BUNDLE, f), path.join(dir, f));
  for (const f of readdirSync(path.join(BUNDLE, 'onnx'))) copyFileSync(path.join(BUNDLE, 'onnx', f), path.join(dir, 'onnx', f));
  return dir;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'shoebox-worker-'));
  client = createWorkerClient({ env: { ...process.env, SHOEBOX_WORKER_TEST_HOOKS: '1', SHOEBOX_EP: 'cpu' } });
  await client.ready();
});
afterAll(async () => {
  await client.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('inference worker', () => {
  it('loads a bundle and reports its providers', async () => {
    const r = await client.request('load', { dir: BUNDLE });
    expect(r.id).toBe('tiny-internvl');
    expect(r.role).toBe('vlm');
    expect(r.randomWeights).toBe(true);
    expect(r.providers.decoder_model_merged?.chosen).toBe('cpu');
    const info = await client.request('info', {});
    expect(info.model?.id).toBe('tiny-internvl');
    expect(info.models.map((m) => [m.role, m.id])).toEqual([['vlm', 'tiny-internvl']]);
    expect(info.threads.intraOp).toBeGreaterThan(0);
    expect(info.cpu.features[0]).toBe(process.arch);
    expect(['vnni', 'avx2', 'other']).toContain(info.cpu.int8Kernels);
    expect(info.providers).toContainEqual({ name: 'cpu', available: true, reason: 'bundled with onnxruntime-node' });
  }, 30_000);

  it('keeps models by role: another role is empty, the wrong bundle and unknown roles are refused', async () => {
    expect(await client.request('unload', { role: 'text-embedder' })).toEqual({ unloaded: false });
    const e = await codeOf(client.request('load', { dir: BUNDLE, role: 'text-embedder' }));
    expect(e.code).toBe('model_invalid');
    expect(e.message).toMatch(/"internvl" bundle, not a text embedder/);
    expect((await codeOf(client.request('load', { dir: BUNDLE, role: 'nope' as 'vlm' }))).code).toBe('bad_request');
    expect((await codeOf(client.request('tokens', { text: 'x' }, { priority: 'urgent' as 'interactive' }))).code).toBe('bad_request');
    expect((await client.request('info', {})).model?.id).toBe('tiny-internvl');
  }, 30_000);

  it('streams a caption', async () => {
    const chunks: string[] = [];
    const r = await client.request(
      'caption',
      { image: { path: IMG }, sampling: { maxNewTokens: 16 } },
      {
        onChunk: (c) => chunks.push(c.text),
      },
    );
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('').trim()).toBe(r.text);
    expect(r.numTiles).toBe(1);
    expect(r.tokenIds.length).toBeGreaterThan(0);
  }, 30_000);

  it('runs an interactive request before the queued background ones, and loses none', async () => {
    const done: string[] = [];
    const track = <T>(name: string, p: Promise<T>): Promise<T> => p.finally(() => done.push(name));
    const background = Array.from({ length: 6 }, (_, i) =>
      track(`bg${i}`, client.request('caption', { image: { path: IMG }, sampling: { maxNewTokens: 8 } }, { priority: 'background' })),
    );
    const interactive = track('interactive', client.request('caption', { image: { path: IMG }, sampling: { maxNewTokens: 8 } }));
    const results = await Promise.all([...background, interactive]);
    for (const r of results) expect(r.tokenIds.length).toBeGreaterThan(0);
    // At most the background caption already running when it arrived finishes first.
    expect(done.indexOf('interactive')).toBeLessThanOrEqual(1);
    expect(done.filter((d) => d !== 'interactive')).toEqual(['bg0', 'bg1', 'bg2', 'bg3', 'bg4', 'bg5']);
  }, 60_000);

  it('cancels mid-stream and keeps serving', async () => {
    const ac = new AbortController();
    let chunks = 0;
    const res = await codeOf(
      client.request(
        'caption',
        { image: { path: IMG }, prompt: QUESTION, sampling: { maxNewTokens: 5000 } },
        {
          signal: ac.signal,
          onChunk: () => {
            chunks++;
            if (chunks === 3) ac.abort();
          },
        },
      ),
    );
    expect(res.code).toBe('cancelled');
    expect(chunks).toBeLessThan(40);
    const again = await client.request('tokens', { text: 'ok' });
    expect(again.ids.length).toBe(2);
  }, 30_000);

  it('restarts after kill -9: a streaming request fails clearly, the next works with the model reloaded', async () => {
    const pid = client.pid!;
    const res = await codeOf(
      client.request(
        'caption',
        { image: { path: IMG }, prompt: QUESTION, sampling: { maxNewTokens: 5000 } },
        {
          onChunk: () => {
            if (client.pid === pid) process.kill(pid, 'SIGKILL');
          },
        },
      ),
    );
    expect(res.code).toBe('worker_crashed');
    expect(res.message).toMatch(/SIGKILL/);
    expect(client.restarts).toBe(1);
    expect(client.pid).not.toBe(pid);
    const r = await client.request('caption', { image: { path: IMG }, sampling: { maxNewTokens: 4 } });
    expect(r.tokenIds.length).toBeGreaterThan(0);
  }, 30_000);

  it('retries an idempotent request once when the worker dies under it', async () => {
    const before = client.restarts;
    const p = client.request('classify', { image: { path: IMG }, labels: ['a cat', 'a dog'] });
    process.kill(client.pid!, 'SIGKILL');
    const r = await p;
    expect(r.scores.map((s) => s.label)).toEqual(['a cat', 'a dog']);
    expect(client.restarts).toBe(before + 1);
  }, 30_000);

  it('a crash hook in the worker is reported and survived', async () => {
    const res = await codeOf(client.request('crash', {}));
    expect(res.code).toBe('worker_crashed');
    expect(res.message).toMatch(/exit code 70/);
    expect((await client.request('info', {})).model?.id).toBe('tiny-internvl');
  }, 30_000);

  it('refuses corrupt and mismatched bundles with clear errors and stays usable', async () => {
    const truncated = copyBundle('truncated');
    truncateSync(path.join(truncated, 'onnx/decoder_model_merged.onnx'), 1000);
    let e = await codeOf(client.request('load', { dir: truncated }));
    expect(e.code).toBe('model_invalid');
    expect(e.message).toMatch(/decoder_model_merged\.onnx has 1000 bytes/);

    const missing = copyBundle('missing');
    rmSync(path.join(missing, 'onnx/vision_encoder.onnx'));
    e = await codeOf(client.request('load', { dir: missing }));
    expect(e.message).toMatch(/missing: onnx\/vision_encoder\.onnx/);

    const garbled = copyBundle('garbled');
    const f = path.join(garbled, 'onnx/embed_tokens.onnx');
    const bytes = readFileSync(f);
    bytes.fill(0xff, 0, bytes.length);
    writeFileSync(f, bytes);
    e = await codeOf(client.request('load', { dir: garbled, verifySha256: true }));
    expect(e.message).toMatch(/sha256/);
    e = await codeOf(client.request('load', { dir: garbled }));
    expect(e.code).toBe('model_invalid');
    expect(e.message).toMatch(/embed_tokens\.onnx is not a readable ONNX model/);

    const mismatch = copyBundle('mismatch');
    const mf = path.join(mismatch, 'manifest.json');
    const m = JSON.parse(readFileSync(mf, 'utf8')) as { llm: { hidden_size: number } };
    m.llm.hidden_size = 64;
    writeFileSync(mf, JSON.stringify(m));
    e = await codeOf(client.request('load', { dir: mismatch }));
    expect(e.code).toBe('model_invalid');
    expect(e.message).toMatch(/dim 2 is 32, manifest implies 64/);

    // The previous model is still loaded and working.
    const r = await client.request('caption', { image: { path: IMG }, sampling: { maxNewTokens: 3 } });
    expect(r.tokenIds.length).toBeGreaterThan(0);
  }, 60_000);

  it('answers bad requests, bad images and timeouts with codes', async () => {
    expect((await codeOf(client.request('nope' as 'info', {}))).code).toBe('bad_request');
    const bad = await codeOf(client.request('caption', { image: { path: path.join(tmp, 'none.jpg') } }));
    expect(bad.code).toBe('bad_input');
    expect(bad.message).toMatch(/cannot read image/);
    const t = await codeOf(
      client.request('caption', { image: { path: IMG }, prompt: QUESTION, sampling: { maxNewTokens: 5000 } }, { timeoutMs: 300 }),
    );
    expect(t.code).toBe('timeout');
    expect((await client.request('tokens', { text: 'still here' })).ids.length).toBeGreaterThan(0);
  }, 30_000);

  it('writes the debug preprocess .npy', async () => {
    const out = path.join(tmp, 'px.npy');
    const r = await client.request('preprocess', { image: { path: IMG, maxTiles: 6 }, outFile: out });
    expect(r.shape).toEqual([1, 3, 448, 448]);
    expect(readFileSync(out).length).toBe(128 + 4 * 3 * 448 * 448);
  });
});
