/**
 * @file Issue 13's chat through a remote backend (`remote.chat`), with the real services and the local
 * OpenAI-compatible test server: the answer streams as `chat:token` events and is saved made by
 * `remote:<model>@<host>`; the conversation is sent whole each turn (images and preamble first, then
 * the earlier turns); a stream cut mid-answer fails the turn with the reason and keeps what came.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createBackends } from '../../main/remote/backends.service';
import { createServices, type Services } from '../../main/services';
import { imageDigest, startOpenAITestServer, type TestServer } from './helpers/openai-test-server';
import { SAMPLE_LIBRARY } from './helpers/library-harness';

const MODEL = 'OpenGVLab/InternVL3-2B';
let services: Services;
let server: TestServer;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'shoebox-remote-chat-'));
  cpSync(join(SAMPLE_LIBRARY, 'coffee.png'), join(work, 'photos', 'coffee.png'));
  server = await startOpenAITestServer({ models: [MODEL] });
  services = await createServices({ dataDir: join(work, 'data'), shell: 'headless', log: silentLog });
  const backends = createBackends({ settings: services.settings, secrets: services.secrets });
  await backends.add({ url: server.url, model: MODEL });
  services.settings.set({ remote: { enabled: true, chat: true } });
  await services.library.addFolder(join(work, 'photos'));
  await services.library.whenIdle();
}, 60_000);

afterAll(async () => {
  await services?.close();
  await server?.close();
});

type Part = { type: string; text?: string; image_url?: { url: string } };
type Msg = { role: string; content: string | Part[] };
const chatBodies = () => server.log.filter((r) => r.path === '/v1/chat/completions' && r.body!['stream'] === true).map((r) => r.body!);

describe('photo chat through a remote backend', () => {
  it('streams the answer and sends the whole conversation each turn', async () => {
    const id = services.library.page({ offset: 0, limit: 1 }).items[0]!.id;
    const conv = services.photoChat.create([id]);
    const streamed: string[] = [];
    const off = services.events.on('chat:token', (e) => e.conversationId === conv.id && streamed.push(e.text));
    const a1 = await services.photoChat.send(conv.id, 'What is on the table?');
    off();
    const host = new URL(server.url).host;
    expect(a1).toMatchObject({ state: 'done', modelId: `remote:${MODEL}@${host}`, demo: false, finishReason: 'stop', numTiles: 1 });
    expect(streamed.length).toBeGreaterThan(3);
    expect(streamed.join('')).toBe(a1.answer);
    const first = chatBodies()[0]!;
    const [user] = first['messages'] as Msg[];
    const parts = user!.content as Part[];
    expect(parts.map((p) => p.type)).toEqual(['image_url', 'text']);
    expect(parts[1]!.text).toMatch(/What is on the table\?$/);
    // The server answered about the image it received.
    expect(a1.answer).toContain(`photo ${imageDigest(parts[0]!.image_url!.url)}`);

    const a2 = await services.photoChat.send(conv.id, 'And the colours?');
    expect(a2.state).toBe('done');
    const second = chatBodies()[1]!['messages'] as Msg[];
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(second[1]!.content).toBe(a1.answer);
    expect(second[2]!.content).toBe('And the colours?');
    expect((second[0]!.content as Part[])[0]!.image_url!.url).toBe(parts[0]!.image_url!.url);
  }, 60_000);

  it('a stream cut mid-answer fails the turn with the reason and keeps what came', async () => {
    const id = services.library.page({ offset: 0, limit: 1 }).items[0]!.id;
    const conv = services.photoChat.create([id]);
    server.fail({ kind: 'truncate-stream' });
    const t = await services.photoChat.send(conv.id, 'Describe it.');
    expect(t.state).toBe('failed');
    expect(t.error).toMatch(/127\.0\.0\.1:\d+ sent a response that could not be read.*The answer so far is kept/);
    expect(t.answer.length).toBeGreaterThan(0);
    expect(t.answer.startsWith('The image shows photo')).toBe(true);
    // The next question works again.
    expect((await services.photoChat.send(conv.id, 'Again?')).state).toBe('done');
  }, 60_000);
});
