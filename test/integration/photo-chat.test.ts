/**
 * Photo chat with real processes and a real database: the tiny random-weight InternVL answers in the
 * inference worker (demo mode). Two turns; the services restart (a new worker with no cache); the third
 * turn rebuilds the cache from the saved conversation and gives exactly the answer the cached
 * conversation gives; the next turn continues from the rebuilt cache. The worker killed mid-answer
 * leaves a failed turn with the answer so far, and the conversation goes on. A photo whose file is
 * deleted stops the chat with a clear message, keeping the conversation.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTurnResult } from '../../native/protocol';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';

const tiny = join(import.meta.dirname, '../fixtures/models/tiny-internvl');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const opened: Services[] = [];
let root: string;

beforeAll(() => {
  process.env['SHOEBOX_DEMO_MODEL'] = '1';
  root = mkdtempSync(join(tmpdir(), 'shoebox-chat-'));
  cpSync(join(sample, 'coffee.png'), join(root, 'photos', 'coffee.png'));
  cpSync(join(sample, 'food/orange.jpg'), join(root, 'photos', 'orange.jpg'));
});
afterAll(async () => {
  for (const s of opened) await s.close();
  delete process.env['SHOEBOX_DEMO_MODEL'];
  rmSync(root, { recursive: true, force: true });
});

/** Opens the services on the test's data folder, recording what each chat turn did in the worker. */
async function open(): Promise<{ services: Services; worker: ChatTurnResult[] }> {
  const services = await createServices({ dataDir: join(root, 'data'), shell: 'headless', log: silentLog });
  opened.push(services);
  const worker: ChatTurnResult[] = [];
  const chat = services.inference.chat.bind(services.inference);
  services.inference.chat = async (params, opts) => {
    const r = await chat(params, opts);
    worker.push(r.result);
    return r;
  };
  return { services, worker };
}

async function close(services: Services): Promise<void> {
  await services.close();
  opened.splice(opened.indexOf(services), 1);
}

const photoIdOf = (s: Services, name: string) => s.library.page({ offset: 0, limit: 10 }).items.find((p) => p.name === name)!.id;

describe('photo chat with the real worker', () => {
  it('continues a conversation after a restart, rebuilding the cache to the same answer', async () => {
    let { services, worker } = await open();
    await services.library.addFolder(join(root, 'photos'));
    await services.library.whenIdle();
    await services.models.import(tiny);
    services.models.select('tiny-internvl');
    const coffee = photoIdOf(services, 'coffee.png');
    const chat = services.photoChat;

    // Two conversations asked the same two questions; the first goes on to a third while its cache lives.
    const live = chat.create([coffee]);
    const streamed: string[] = [];
    const off = services.events.on('chat:token', (e) => e.conversationId === live.id && streamed.push(e.text));
    const a1 = await chat.send(live.id, 'What is in this photo?');
    off();
    expect(a1).toMatchObject({ state: 'done', modelId: 'tiny-internvl', demo: true });
    expect(streamed.join('').trim()).toBe(a1.answer);
    expect(a1.ttftMs).toBeGreaterThan(0);
    await chat.send(live.id, 'And the colours?');
    expect(worker.at(-1)!.reusedTokens).toBeGreaterThan(256); // turn 2 continued the cache
    const a3 = await chat.send(live.id, 'Anything else?');
    expect(a3.state).toBe('done');
    const saved = chat.create([coffee]);
    expect(saved.id).not.toBe(live.id);
    await chat.send(saved.id, 'What is in this photo?');
    await chat.send(saved.id, 'And the colours?');
    expect(chat.get(saved.id).turns.map((t) => t.answer)).toEqual(
      chat
        .get(live.id)
        .turns.slice(0, 2)
        .map((t) => t.answer),
    );

    // Restart: a new worker, no cache. The saved conversation is rebuilt from the database.
    await close(services);
    ({ services, worker } = await open());
    const again = services.photoChat;
    expect(again.get(saved.id).turns.map((t) => t.state)).toEqual(['done', 'done']);
    const b3 = await again.send(saved.id, 'Anything else?');
    expect(worker.at(-1)!.reusedTokens).toBe(0);
    expect(worker.at(-1)!.timings.visionMs).toBeGreaterThan(0);
    expect(b3.state).toBe('done');
    expect(b3.answer).toBe(a3.answer);
    const b4 = await again.send(saved.id, 'Why?');
    expect(b4.state).toBe('done');
    expect(worker.at(-1)!.reusedTokens).toBeGreaterThan(256);
    expect(again.list(coffee).map((c) => c.id)).toEqual([saved.id, live.id]);

    // Through the API: a bad question is refused with its reason; Regenerate replaces the last answer.
    const tooLong = await services.router.call('chat:send', { conversationId: saved.id, text: 'x'.repeat(10_000) });
    expect(tooLong).toMatchObject({
      ok: false,
      error: { code: 'bad-argument', message: expect.stringMatching(/at most 4000/) as unknown },
    });
    const regen = await services.router.call('chat:regenerate', { conversationId: saved.id });
    expect(regen).toMatchObject({ ok: true, result: { id: b4.id, question: 'Why?', state: 'done' } });

    // The photo's file is deleted: the chat stops with a clear message, the conversation is kept.
    rmSync(join(root, 'photos', 'coffee.png'));
    await services.library.rescan();
    await services.library.whenIdle();
    const gone = await services.router.call('chat:send', { conversationId: saved.id, text: 'Still there?' });
    expect(gone).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringMatching(/coffee\.png/) as unknown } });
    expect(again.get(saved.id).turns).toHaveLength(4);
  }, 180_000);

  it('keeps the answer so far when the worker is killed mid-answer, and goes on', async () => {
    // Long answers (the end token held back), so the kill lands mid-answer.
    process.env['SHOEBOX_CHAT_MAX_NEW_TOKENS'] = '20000';
    process.env['SHOEBOX_CHAT_MIN_NEW_TOKENS'] = '20000';
    const { services } = await open().finally(() => {
      delete process.env['SHOEBOX_CHAT_MAX_NEW_TOKENS'];
      delete process.env['SHOEBOX_CHAT_MIN_NEW_TOKENS'];
    });
    const chat = services.photoChat;
    const c = chat.create([photoIdOf(services, 'orange.jpg')]);
    const { pid } = await services.inference.workerInfo();
    let tokens = 0;
    let killed = false;
    const off = services.events.on('chat:token', (e) => {
      if (e.conversationId !== c.id || ++tokens !== 20) return;
      killed = true;
      process.kill(pid, 'SIGKILL');
    });
    const t1 = await chat.send(c.id, 'Tell me everything.');
    off();
    expect(killed).toBe(true);
    expect(t1.state).toBe('failed');
    expect(t1.error).toMatch(/inference worker stopped unexpectedly.*SIGKILL.*answer so far is kept/);
    expect(t1.answer.length).toBeGreaterThan(0);
    expect(chat.get(c.id).turns[0]).toMatchObject({ state: 'failed', answer: t1.answer });

    // The conversation goes on with a new worker; Stop ends the long answer within a token or so.
    let seen = 0;
    const stopper = services.events.on('chat:token', (e) => e.conversationId === c.id && ++seen === 5 && chat.stop(c.id));
    const t2 = await chat.send(c.id, 'Once more?');
    stopper();
    expect(t2.state).toBe('stopped');
    expect(t2.tokens).toBeGreaterThanOrEqual(5);
    expect(t2.tokens).toBeLessThan(40);
  }, 180_000);
});
