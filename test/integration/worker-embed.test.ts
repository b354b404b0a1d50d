/**
 * @file The real inference worker, forked by the real client, with the tiny text embedder: loaded by role
 * next to the InternVL bundle, `embed` of a query and of passages (the goldens' vectors), a query
 * overtaking queued passage work in the interactive lane, and clear errors for bad params, no model, and
 * the wrong bundle in a role — after each the worker still serves.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerClient, type WorkerClient } from '../../main/inference/worker-client';
import type { EmbedRequest } from '../../native/protocol';
import { cosine, EMBEDDER_BUNDLE, readEmbedderGoldens } from '../ml/helpers/embed-goldens';
import { codeOf } from './helpers/worker-errors';

const EMBEDDER = path.resolve(EMBEDDER_BUNDLE);
const VLM = path.resolve('test/fixtures/models/tiny-internvl');
const g = readEmbedderGoldens();

let client: WorkerClient;

beforeAll(async () => {
  client = createWorkerClient({ env: { ...process.env, SHOEBOX_EP: 'cpu' } });
  await client.ready();
});
afterAll(async () => {
  await client.close();
});

describe('inference worker: text embedder', () => {
  it('says no model is loaded before a load, then loads by role next to the vlm', async () => {
    const before = await codeOf(client.request('embed', { texts: ['x'], kind: 'query' }));
    expect(before).toEqual({ code: 'model_not_loaded', message: 'no text-embedder model loaded; call load first' });
    const r = await client.request('load', { dir: EMBEDDER, role: 'text-embedder' });
    expect(r).toMatchObject({ role: 'text-embedder', id: 'tiny-embedder', variant: 'fp32', randomWeights: true });
    expect(r.providers.model?.chosen).toBe('cpu');
    await client.request('load', { dir: VLM });
    const info = await client.request('info', {});
    expect(info.models.map((m) => [m.role, m.id])).toEqual([
      ['vlm', 'tiny-internvl'],
      ['text-embedder', 'tiny-embedder'],
    ]);
  });

  it('embeds a query and passages to the reference vectors, in request order', async () => {
    const q = await client.request('embed', { texts: [g.cases[0]!.text], kind: 'query' });
    expect(q.modelId).toBe('tiny-embedder');
    expect(q.dim).toBe(g.dim);
    expect(cosine(q.vectors[0]!, g.cases[0]!.vector)).toBeGreaterThanOrEqual(0.9999);
    const p = await client.request('embed', { texts: g.cases.map((c) => c.text), kind: 'passage' }, { priority: 'background' });
    expect(p.vectors).toHaveLength(g.cases.length);
    g.cases.forEach((c, i) => expect(cosine(p.vectors[i]!, c.vector), c.name).toBeGreaterThanOrEqual(0.9999));
    expect((await client.request('embed', { texts: [], kind: 'passage' })).vectors).toEqual([]);
  });

  it('puts a query ahead of passage work sent before it (lanes by kind when no priority is given)', async () => {
    const done: string[] = [];
    const passages = client.request('embed', { texts: Array.from({ length: 256 }, (_, i) => `photo ${i} of the beach`), kind: 'passage' });
    const query = client.request('embed', { texts: ['Katzen im Schnee'], kind: 'query' });
    await Promise.all([passages.then(() => done.push('passages')), query.then(() => done.push('query'))]);
    expect(done).toEqual(['query', 'passages']);
    expect((await passages).vectors).toHaveLength(256);
  });

  it('answers bad params with a clear error and keeps serving', async () => {
    const bad: [unknown, string, RegExp][] = [
      [{ texts: ['a'] }, 'bad_request', /kind: 'query' \| 'passage' \}; kind is missing/],
      [{ texts: ['a'], kind: 'document' }, 'bad_request', /kind is "document"/],
      [{ texts: 'a', kind: 'query' }, 'bad_request', /embed needs \{ texts: string\[\] \}/],
      [{ texts: ['a', 7], kind: 'query' }, 'bad_request', /texts\[1\] is number, not a string/],
      [{ texts: Array.from({ length: 257 }, () => 'a'), kind: 'passage' }, 'bad_input', /at most 256 texts per request, got 257/],
      [{ texts: ['ok', 'é'.repeat(8001)], kind: 'passage' }, 'bad_input', /texts\[1\] has 8001 characters, more than 8000/],
    ];
    for (const [params, code, message] of bad) {
      const e = await codeOf(client.request('embed', params as EmbedRequest));
      expect(e.code, JSON.stringify(params).slice(0, 60)).toBe(code);
      expect(e.message).toMatch(message);
    }
    // 8,000 characters is allowed (and truncated to the model's max length).
    const max = await client.request('embed', { texts: ['😀'.repeat(8000)], kind: 'passage' });
    expect(max.vectors[0]).toHaveLength(g.dim);
  });

  it('refuses a bundle of the wrong family in a role and keeps the loaded model', async () => {
    const asVlm = await codeOf(client.request('load', { dir: EMBEDDER, role: 'vlm' }));
    expect(asVlm.code).toBe('model_invalid');
    expect(asVlm.message).toMatch(/family/);
    const asEmbedder = await codeOf(client.request('load', { dir: VLM, role: 'text-embedder' }));
    expect(asEmbedder).toMatchObject({ code: 'model_invalid' });
    expect(asEmbedder.message).toMatch(/"internvl" bundle, not a text embedder/);
    const still = await client.request('embed', { texts: ['still here'], kind: 'query' });
    expect(still.modelId).toBe('tiny-embedder');
    expect(await client.request('unload', { role: 'text-embedder' })).toEqual({ unloaded: true });
    expect((await codeOf(client.request('embed', { texts: ['x'], kind: 'query' }))).code).toBe('model_not_loaded');
  });
});
