/**
 * @file Issue 13's transport against a local OpenAI-compatible test server: the requests Shoebox sends
 * (checked against the shapes vLLM and LMDeploy document for `/v1/chat/completions`: a user turn of an
 * `image_url` JPEG data URL and a text part, `response_format` json_schema for guided decoding, a
 * Bearer key), the answers it reads back, and every bad input of [Note: Remote failures]: 429/503 with
 * Retry-After, a wrong model name, a body that is not JSON or is cut, a server that hangs, TLS, a
 * server without guided decoding, an answer that is not the JSON asked for.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OCR_PROMPT, DEFAULT_UNDERSTAND_CAPTION_PROMPT } from '../../native/protocol';
import { createLimiter } from '../../main/remote/limiter';
import { createRemoteClient, RemoteError } from '../../main/remote/remote-client';
import { understandRemote, type BackendState } from '../../main/remote/remote-understand';
import { imageDigest, labelsFor, startOpenAITestServer, type TestServer } from './helpers/openai-test-server';

const MODEL = 'OpenGVLab/InternVL3-2B';
const LABELS = ['dog', 'cat', 'beach', 'document', 'receipt', 'sunset', 'food', 'city'];
const TEXT_LABELS = ['document', 'receipt'];
let photo: string;
let server: TestServer | null = null;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-remote-'));
  photo = join(dir, 'wide.jpg');
  // 1200×600 with a gradient: 2:1 → two tiles (2×1) and InternVL's thumbnail.
  const raw = Buffer.alloc(1200 * 600 * 3);
  for (let i = 0; i < 1200 * 600; i++) raw.set([i % 251, (i >> 3) % 253, (i >> 7) % 255], i * 3);
  await sharp(raw, { raw: { width: 1200, height: 600, channels: 3 } })
    .jpeg()
    .toFile(photo);
});
afterEach(async () => {
  await server?.close();
  server = null;
});

const clientFor = (s: TestServer, o: { model?: string; apiKey?: string | null; timeoutMs?: number; url?: string } = {}) =>
  createRemoteClient({ url: o.url ?? s.url, model: o.model ?? MODEL, apiKey: o.apiKey ?? null, timeoutMs: o.timeoutMs ?? 10_000 });
const understand = (s: TestServer, state: BackendState = { schema: null }, extra: { apiKey?: string; maxTiles?: number } = {}) =>
  understandRemote(photo, {
    client: clientFor(s, { apiKey: extra.apiKey ?? null }),
    state,
    limiter: createLimiter(() => 4),
    labels: LABELS,
    textLabels: TEXT_LABELS,
    maxTiles: extra.maxTiles ?? 6,
  });
const chats = (s: TestServer) => s.log.filter((r) => r.path === '/v1/chat/completions');
type Part = { type: string; text?: string; image_url?: { url: string } };
const partsOf = (body: Record<string, unknown> | null) => (body!['messages'] as { role: string; content: Part[] }[])[0]!.content;

describe('remote understanding through an OpenAI-compatible server', () => {
  it('sends the documented request shapes and stores what the server answered about the image it got', async () => {
    server = await startOpenAITestServer({ apiKey: 'sk-test-123' });
    const state: BackendState = { schema: null };
    const a = await understand(server, state, { apiKey: 'sk-test-123' });

    const sent = chats(server);
    for (const r of sent) {
      expect(r.method).toBe('POST');
      expect(r.authorization).toBe('Bearer sk-test-123');
      expect(r.body).toMatchObject({ model: MODEL, temperature: 0, max_tokens: expect.any(Number) });
      const messages = r.body!['messages'] as { role: string; content: Part[] }[];
      expect(messages).toHaveLength(1);
      expect(messages[0]!.role).toBe('user');
      // vLLM and LMDeploy: content parts, the image as an image_url data URL, the question as text.
      expect(messages[0]!.content.map((p) => p.type)).toEqual(['image_url', 'text']);
      expect(messages[0]!.content[0]!.image_url!.url).toMatch(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/);
    }
    // The image: on InternVL's canvas for a 2:1 photo with up to 6 tiles (2×1 tiles of 448 px).
    const url = partsOf(sent[0]!.body)[0]!.image_url!.url;
    const meta = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 896, 448]);
    expect(a.numTiles).toBe(3);
    // Every question is about the same image.
    expect(new Set(sent.map((r) => partsOf(r.body)[0]!.image_url!.url)).size).toBe(1);
    const digest = imageDigest(url);

    // The caption: the worker's question; the server's "The image shows…" preamble is dropped.
    const captionReq = sent.find((r) => partsOf(r.body)[1]!.text === DEFAULT_UNDERSTAND_CAPTION_PROMPT)!;
    expect(captionReq.body!['max_tokens']).toBe(30);
    expect(a.caption.text.startsWith(`Photo ${digest} asked`)).toBe(true);
    // Tags: a json_schema over the taxonomy (guided decoding), read back as labels of the list.
    const tagReq = sent.find((r) => r.body!['response_format'] !== undefined)!;
    expect(tagReq.body!['response_format']).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'photo_tags', schema: { type: 'object', properties: { tags: { type: 'array', items: { enum: LABELS } } } } },
    });
    expect(partsOf(tagReq.body)[1]!.text).toContain(`only from this list: ${LABELS.join(', ')}.`);
    expect(a.tags).toEqual(labelsFor(digest, LABELS));
    expect(a.structured).toBe(true);
    expect(state.schema).toBe(true);
    // Text in the image only when a text label was chosen, with the worker's question.
    const textLabel = a.tags.find((t) => TEXT_LABELS.includes(t));
    const ocr = sent.filter((r) => partsOf(r.body)[1]!.text === DEFAULT_OCR_PROMPT);
    expect(ocr).toHaveLength(textLabel ? 1 : 0);
    expect(a.text).toEqual(textLabel ? { text: `TEXT ${digest}`, finish: 'stop', reason: textLabel } : null);
  });

  it('health: the model listed is ok; another model name, a wrong key and a dead server are not', async () => {
    server = await startOpenAITestServer({ apiKey: 'k' });
    expect(await clientFor(server, { apiKey: 'k' }).health()).toMatchObject({ ok: true, models: [MODEL], problem: null });
    expect(await clientFor(server, { apiKey: 'k', model: 'InternVL3-8B' }).health()).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/does not serve InternVL3-8B; it serves OpenGVLab\/InternVL3-2B/),
    });
    const refused = await clientFor(server, { apiKey: 'wrong' }).health();
    expect(refused.problem).toMatch(/refused the API key \(401\)/);
    expect(refused.problem).not.toContain('wrong');
    const url = server.url;
    await server.close();
    server = null;
    expect((await createRemoteClient({ url, model: MODEL, apiKey: null, timeoutMs: 2000 }).health()).problem).toMatch(/cannot be reached/);
  });

  it('a wrong model name in a chat request is "down", not the photo\'s fault', async () => {
    server = await startOpenAITestServer();
    const err = await clientFor(server, { model: 'nope' })
      .chat({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ kind: 'down', message: expect.stringMatching(/does not serve the model nope \(404/) });
  });

  it('429 with Retry-After: the client waits as asked and the photo goes through', async () => {
    server = await startOpenAITestServer();
    server.fail({ kind: 'status', status: 429, retryAfter: '1' });
    const t0 = performance.now();
    const a = await understand(server);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
    expect(a.caption.finish).toBe('stop');
    expect(chats(server).length).toBeGreaterThanOrEqual(3); // the 429 and the retry
  });

  it('503 that persists past the retries is "busy" with the Retry-After the server asked for', async () => {
    server = await startOpenAITestServer();
    const busy = { kind: 'status', status: 503, retryAfter: '0' } as const;
    server.fail(busy, busy, busy, busy, busy, busy);
    const err = await understand(server).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'busy', retryAfterMs: 0 });
  });

  it("a body that is not JSON, or is cut, is a retryable server error; a 400 is the request's", async () => {
    server = await startOpenAITestServer();
    const c = clientFor(server);
    const body = { messages: [{ role: 'user' as const, content: 'hi' }] };
    server.fail({ kind: 'not-json' });
    expect(await c.chat(body).catch((e: unknown) => e)).toMatchObject({ kind: 'server' });
    server.fail({ kind: 'cut' }, { kind: 'cut' }, { kind: 'cut' });
    expect(await c.chat(body).catch((e: unknown) => e)).toMatchObject({ kind: expect.stringMatching(/^(server|down)$/) });
    server.fail({ kind: 'status', status: 400, message: 'image too large for the context' });
    expect(await c.chat(body).catch((e: unknown) => e)).toMatchObject({
      kind: 'bad_request',
      message: expect.stringContaining('image too large'),
    });
  });

  it('a server that hangs times out', async () => {
    server = await startOpenAITestServer();
    server.fail({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const c = createRemoteClient({ url: server.url, model: MODEL, apiKey: null, timeoutMs: 300, maxRetries: 0 });
    expect(await c.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)).toMatchObject({
      kind: 'timeout',
      message: expect.stringMatching(/did not answer within/),
    });
  });

  it('TLS to a server that does not speak it is "down" with a TLS reason', async () => {
    server = await startOpenAITestServer();
    const c = createRemoteClient({
      url: server.url.replace('http:', 'https:'),
      model: MODEL,
      apiKey: null,
      timeoutMs: 2000,
      maxRetries: 0,
    });
    const h = await c.health();
    expect(h.ok).toBe(false);
    expect(h.problem).toMatch(/TLS error \(ERR_SSL/);
  });

  it('a server without guided decoding is asked plainly from then on; prose answers are read as a list', async () => {
    server = await startOpenAITestServer({ schema: false });
    const state: BackendState = { schema: null };
    const a = await understand(server, state);
    expect(state.schema).toBe(false);
    const url = partsOf(chats(server)[0]!.body)[0]!.image_url!.url;
    expect(a.tags).toEqual(labelsFor(imageDigest(url), LABELS));
    expect(a.structured).toBe(false);
    const before = chats(server).filter((r) => r.body!['response_format'] !== undefined).length;
    await understand(server, state);
    expect(chats(server).filter((r) => r.body!['response_format'] !== undefined).length).toBe(before); // not asked again

    await server.close();
    server = await startOpenAITestServer();
    server.fail({ kind: 'plain-tags' }, { kind: 'plain-tags' });
    const b = await understand(server);
    expect(b.tags).toEqual(labelsFor(imageDigest(url), LABELS));
  });
});
