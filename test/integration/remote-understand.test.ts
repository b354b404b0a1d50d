/**
 * @file Issue 13 end to end: the sample library understood through a local OpenAI-compatible test
 * server with the real services (queue, step, database), no local model installed. Every photo gets
 * the same record the local step writes (state, caption, tags, text), made by `remote:<model>@<host>`
 * from what the server answered about the image it received. The API key lives only in the secret
 * store. The server is killed mid-run: jobs go back to the queue without using an attempt, the step
 * says why it waits, and when the server is back every photo is understood exactly once.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobsStatus, PhotoUnderstanding } from '../../preload/contract';
import { createLog } from '../../main/log';
import { createBackends } from '../../main/remote/backends.service';
import { createServices, type Services } from '../../main/services';
import { imageDigest, labelsFor, startOpenAITestServer, type TestServer } from './helpers/openai-test-server';
import { SAMPLE_LIBRARY } from './helpers/library-harness';

const MODEL = 'OpenGVLab/InternVL3-2B';
const KEY = 'sk-remote-secret-4242';
let services: Services;
let server: TestServer;
let work: string;
let photos = 0;
const logLines: string[] = [];

const call = async <T>(method: string, args: unknown): Promise<T> => {
  const r = await services.router.call(method, args);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
};
const count = (sql: string) => services.db.prepare(sql).pluck().get() as number;
const understandRow = async () => (await call<JobsStatus>('jobs:status', {})).steps.find((s) => s.step === 'understand')!;
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'shoebox-remote-lib-'));
  cpSync(SAMPLE_LIBRARY, join(work, 'photos'), { recursive: true });
  photos = readdirSync(join(work, 'photos'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(jpe?g|png)$/i.test(f)).length;
  server = await startOpenAITestServer({ models: [MODEL], apiKey: KEY, delayMs: 20, maxConcurrent: 8 });
  services = await createServices({
    dataDir: join(work, 'data'),
    shell: 'headless',
    log: createLog('test', 'debug', (l) => logLines.push(l)),
  });
}, 60_000);

afterAll(async () => {
  await services?.close();
  await server?.close();
});

describe('understanding the sample library through a remote backend', () => {
  it('is off by default; adding a backend stores the key in the secret store only and says where photos go', async () => {
    expect(services.settings.values().remote).toMatchObject({ enabled: false, backends: [] });
    const backends = createBackends({ settings: services.settings, secrets: services.secrets });
    const added = await backends.add({ url: server.url, apiKey: KEY }); // the model found on the server
    expect(added.backend).toMatchObject({
      model: MODEL,
      where: 'loopback',
      hasKey: true,
      madeBy: `remote:${MODEL}@${new URL(server.url).host}`,
    });
    expect(added.backend.notice).toMatch(/^Photos are sent to a server on this computer/);
    expect(added.health).toMatchObject({ ok: true });
    expect(JSON.stringify(services.settings.values())).not.toContain(KEY);
    backends.setEnabled(true);
  });

  it('understands every photo once with the record the local step writes, made by remote:<model>@<host>', async () => {
    await services.library.addFolder(join(work, 'photos'));
    await until('every photo understood', () => count("SELECT count(*) FROM jobs WHERE step = 'understand' AND state = 'done'") === photos);
    const host = new URL(server.url).host;
    const chats = server.log.filter((r) => r.path === '/v1/chat/completions');
    const sentDigests = new Set(
      chats.map((r) =>
        imageDigest((r.body!['messages'] as { content: { image_url?: { url: string } }[] }[])[0]!.content[0]!.image_url!.url),
      ),
    );
    expect(sentDigests.size).toBe(photos); // one image per photo, each different
    const labels = (await call<{ label: string; enabled: boolean }[]>('tags:list', {})).filter((l) => l.enabled).map((l) => l.label);
    const ids = services.library.page({ offset: 0, limit: 100 }).items.map((p) => p.id);
    expect(ids).toHaveLength(photos);
    for (const id of ids) {
      const u = await call<PhotoUnderstanding>('photos:understanding', { id });
      expect(u.job?.state).toBe('done');
      expect(u.result).toMatchObject({
        state: 'ok',
        current: true,
        demo: false,
        numTiles: 1,
        madeBy: { modelId: `remote:${MODEL}@${host}`, variant: 'remote', version: `understand:1:remote:${MODEL}:remote` },
      });
      // The caption names the digest of the image the server received for this photo.
      const digest = /^Photo ([0-9a-f]{8}) asked/.exec(u.caption!.text)?.[1];
      expect(digest, u.caption!.text).toBeDefined();
      expect(sentDigests.has(digest!)).toBe(true);
      expect(u.caption).toMatchObject({ byUser: false, finish: 'stop', madeBy: { modelId: `remote:${MODEL}@${host}` } });
      expect(u.tags.map((t) => t.label).sort()).toEqual(labelsFor(digest!, labels).sort());
      for (const t of u.tags) expect(t).toMatchObject({ source: 'model', score: null, rawScore: null });
      if (u.text) expect(u.text.text).toBe(`TEXT ${digest}`);
    }
    expect(count('SELECT count(*) FROM photo_understanding')).toBe(photos);
    expect(count('SELECT count(*) FROM photo_captions')).toBe(photos);
    const row = await understandRow();
    expect(row).toMatchObject({ done: photos, pending: 0, failed: 0, detail: `remote · ${MODEL}@${host}`, blockedReason: null });
    expect(row.secondsPerItem).toBeGreaterThan(0); // the gap between photos done: the ETA's basis
    // The requests carried the key; no log line and no file but the secret's holds it.
    expect(chats.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(logLines.join('\n')).not.toContain(KEY);
    const files = readdirSync(join(work, 'data'), { recursive: true, encoding: 'utf8' })
      .map((f) => join(work, 'data', f))
      .filter((f) => statSync(f).isFile());
    const holding = files.filter((f) => readFileSync(f).includes(KEY));
    expect(holding).toHaveLength(1);
    expect(holding[0]).toMatch(/secrets\/backend-key-[0-9a-f]{12}$/);
    expect(statSync(holding[0]!).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('the server killed mid-run: jobs go back to the queue, the step says why, nothing is lost or doubled', async () => {
    const port = Number(new URL(server.url).port);
    const ids = services.library.page({ offset: 0, limit: 100 }).items.map((p) => p.id);
    // Slow answers, so the kill lands with requests in flight.
    await server.close();
    server = await startOpenAITestServer({ models: [MODEL], apiKey: KEY, delayMs: 300, maxConcurrent: 4, port });
    let seen = 0;
    const off = services.events.on('photos:understandingChanged', () => void seen++);
    await call('photos:redoUnderstanding', { ids });
    const afterRedo = seen;
    await until('a few photos understood', () => seen >= afterRedo + 3);
    await server.close();
    await until('the step waiting with the reason', async () =>
      /no remote backend answers/.test((await understandRow()).blockedReason ?? ''),
    );
    const row = await understandRow();
    expect(row.failed).toBe(0);
    expect(row.pending + row.running).toBeGreaterThan(0);

    server = await startOpenAITestServer({ models: [MODEL], apiKey: KEY, delayMs: 5, port });
    await until(
      'every photo understood again',
      () => count("SELECT count(*) FROM jobs WHERE step = 'understand' AND state = 'done'") === photos,
      90_000,
    );
    off();
    expect(count('SELECT count(*) FROM photo_understanding')).toBe(photos);
    expect(count("SELECT count(*) FROM photo_understanding WHERE state = 'ok'")).toBe(photos);
    expect(count('SELECT count(*) FROM photo_captions')).toBe(photos);
    expect(count("SELECT count(*) FROM jobs WHERE step = 'understand' AND state LIKE 'failed%'")).toBe(0);
    // The jobs the dead server could not answer went back without using an attempt.
    expect(count("SELECT max(attempts) FROM jobs WHERE step = 'understand'")).toBe(1);
  }, 150_000);
});
