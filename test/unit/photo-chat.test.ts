/**
 * @file Photo chat's policy (main/chat/photo-chat.ts) against a real in-memory database and a scripted
 * fake inference service: what the model is sent (file names, never paths; done turns only; ids only
 * for their own model), how stopped, failed and interrupted answers are saved, what is refused before
 * anything is saved, Regenerate / Edit, the context-budget notice, and conversations that follow a
 * photo's content.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../preload/api-error';
import { requestSchemas, type ChatTurnDto, type Events, type PhotoDetail } from '../../preload/contract';
import { MAX_QUESTION_CHARS } from '../../preload/contract/chat-limits';
import type { ChatTurnResult, ParamsOf, StreamChunk } from '../../native/protocol';
import { createPhotoChat, type PhotoChat } from '../../main/chat/photo-chat';
import { openDatabase, type Db } from '../../main/db/open';
import type { InferenceService, LoadedModel, ModelChoice } from '../../main/inference/inference.service';
import { WorkerClientError } from '../../main/inference/worker-client';
import { silentLog } from '../../main/log';

const MODEL: LoadedModel = { id: 'tiny', name: 'Tiny', variant: 'fp32', demo: true, provider: 'cpu' };

/** One scripted chat call: what it was asked, and the test's controls over its answer. */
interface Call {
  params: ParamsOf<'chat'>;
  signal: AbortSignal | undefined;
  chunk(text: string, ids?: number[]): void;
  finish(r?: Partial<ChatTurnResult>): void;
  fail(err: Error): void;
}

class FakeInference implements Pick<InferenceService, 'chat' | 'chatEnd' | 'activeModel'> {
  calls: Call[] = [];
  ended: string[] = [];
  active: ModelChoice | null = MODEL;
  private waiters: ((c: Call) => void)[] = [];

  activeModel() {
    return this.active;
  }
  async chatEnd(sessionId: string) {
    this.ended.push(sessionId);
  }
  chat(params: ParamsOf<'chat'>, opts: { onChunk?: ((c: StreamChunk) => void) | undefined; signal?: AbortSignal | undefined } = {}) {
    return new Promise<{ result: ChatTurnResult; model: LoadedModel }>((resolve, reject) => {
      const ids: number[] = [];
      let text = '';
      const call: Call = {
        params,
        signal: opts.signal,
        chunk: (t, i = [t.length]) => {
          ids.push(...i);
          text += t;
          opts.onChunk?.({ text: t, tokenIds: i });
        },
        finish: (r = {}) =>
          resolve({
            model: MODEL,
            result: {
              text: text.trim(),
              tokenIds: [...ids, 258],
              finishReason: 'stop',
              promptTokens: 300,
              numTiles: 1,
              turn: params.history!.turns.length + 1,
              reusedTokens: 0,
              droppedTurns: 0,
              contextTokens: 320,
              contextWindow: 32768,
              timings: { preprocessMs: 1, visionMs: 1, prefillMs: 1, decodeMs: 1 },
              ...r,
            },
          }),
        fail: reject,
      };
      opts.signal?.addEventListener('abort', () => reject(new WorkerClientError('cancelled', 'request cancelled')));
      this.calls.push(call);
      this.waiters.shift()?.(call);
    });
  }
  /** The next call (already made, or the next one to come). */
  next(): Promise<Call> {
    const made = this.calls[this.calls.length - 1];
    return made && !this.taken.has(made) ? Promise.resolve(this.take(made)) : new Promise((r) => this.waiters.push((c) => r(this.take(c))));
  }
  private taken = new Set<Call>();
  private take(c: Call) {
    this.taken.add(c);
    return c;
  }
}

let db: Db;
let inference: FakeInference;
let chat: PhotoChat;
let events: { event: keyof Events; payload: unknown }[];
const photos = new Map<number, PhotoDetail>();

function addPhoto(id: number, hash: string, absPath: string): void {
  db.prepare("INSERT INTO photos (id, hash, file_time, created_at) VALUES (?, ?, '2020-01-01T00:00:00', 0)").run(id, hash);
  const name = absPath.slice(absPath.lastIndexOf('/') + 1);
  photos.set(id, {
    id,
    hash,
    name,
    kind: 'image',
    status: 'ok',
    preview: null,
    files: [{ folderId: 1, relPath: name, absPath, size: 1, mtime: '', status: 'ok' }],
  } as unknown as PhotoDetail);
}

function service(opts: { contextTokens?: number } = {}): PhotoChat {
  return createPhotoChat({
    db,
    library: { getPhoto: (id) => photos.get(id) ?? null, ensurePreview: () => Promise.reject(new Error('no previews here')) },
    inference,
    noModelReason: () => 'No model is installed. Open the Models page.',
    emit: (event, payload) => events.push({ event, payload }),
    log: silentLog,
    ...opts,
  });
}

/** Sends `text` and answers it with `answer` (streamed in two chunks). */
async function turn(conversationId: number, text: string, answer: string, r: Partial<ChatTurnResult> = {}): Promise<ChatTurnDto> {
  const sent = chat.send(conversationId, text);
  const call = await inference.next();
  call.chunk(answer.slice(0, 3));
  call.chunk(answer.slice(3));
  call.finish(r);
  return sent;
}

beforeEach(() => {
  db = openDatabase(':memory:');
  photos.clear();
  addPhoto(1, 'h-beach', '/home/ann/Pictures/Secret trip/beach.jpg');
  addPhoto(2, 'h-dog', '/home/ann/Pictures/dog.png');
  inference = new FakeInference();
  events = [];
  chat = service();
});

describe('photo chat', () => {
  it('answers, streams tokens, and sends earlier done turns with their ids and file names, never paths', async () => {
    const c = chat.create([1]);
    const t1 = await turn(c.id, 'What is here?', 'A beach.');
    expect(t1).toMatchObject({ state: 'done', answer: 'A beach.', modelId: 'tiny', demo: true, error: null });
    expect(t1.ttftMs).not.toBeNull();
    const tokens = events.filter((e) => e.event === 'chat:token').map((e) => (e.payload as { text: string }).text);
    expect(tokens.join('')).toBe('A beach.');
    expect(events.filter((e) => e.event === 'chat:turn').map((e) => (e.payload as { turn: ChatTurnDto }).turn.state)).toEqual([
      'answering',
      'done',
    ]);

    await turn(c.id, 'Who took it?', 'Ann.');
    const h = inference.calls[1]!.params.history!;
    expect(inference.calls[1]!.params.message).toBe('Who took it?');
    expect(h.images).toEqual([{ path: '/home/ann/Pictures/Secret trip/beach.jpg' }]);
    expect(h.preamble).toBe('(File name: beach.jpg)');
    expect(JSON.stringify({ ...h, images: [] })).not.toMatch(/Pictures|Secret/);
    expect(h.turns).toEqual([{ question: 'What is here?', answer: 'A beach.', answerIds: [3, 5, 258] }]);
    expect(inference.calls[1]!.params.sessionId).toBe(inference.calls[0]!.params.sessionId);
    expect(inference.calls[1]!.params.sampling?.maxNewTokens).toBe(512);

    const got = chat.get(c.id);
    expect(got.turns.map((t) => t.question)).toEqual(['What is here?', 'Who took it?']);
    expect(got.photos).toEqual([{ photoId: 1, name: 'beach.jpg', thumb: null }]);
    expect(chat.list(1)).toMatchObject([{ id: c.id, turnCount: 2, firstQuestion: 'What is here?' }]);
  });

  it('holds back the end token only when SHOEBOX_CHAT_MIN_NEW_TOKENS asks for it (tests stopping an answer)', async () => {
    await turn(chat.create([1]).id, 'What is here?', 'A beach.');
    expect(inference.calls[0]!.params.sampling).toEqual({ maxNewTokens: 512 });
    process.env['SHOEBOX_CHAT_MIN_NEW_TOKENS'] = '300';
    try {
      chat = service();
    } finally {
      delete process.env['SHOEBOX_CHAT_MIN_NEW_TOKENS'];
    }
    await turn(chat.create([1]).id, 'What is here?', 'A beach.');
    expect(inference.calls[1]!.params.sampling).toEqual({ maxNewTokens: 512, minNewTokens: 300 });
  });

  it('sends several photos as separate images, in order, named Image-1, Image-2', async () => {
    const c = chat.create([2, 1]);
    await turn(c.id, 'Compare.', 'Dog and beach.');
    const h = inference.calls[0]!.params.history!;
    expect(h.images.map((i) => i.path)).toEqual(['/home/ann/Pictures/dog.png', '/home/ann/Pictures/Secret trip/beach.jpg']);
    expect(h.preamble).toBe('(File names: Image-1 dog.png, Image-2 beach.jpg)');
    expect(chat.list(1).map((x) => x.id)).toEqual([c.id]);
    expect(chat.list(2).map((x) => x.id)).toEqual([c.id]);
  });

  it('stops within the running call, keeps the partial answer, and leaves it out of what the model remembers', async () => {
    const c = chat.create([1]);
    await turn(c.id, 'First?', 'One.');
    const sent = chat.send(c.id, 'Long story?');
    const call = await inference.next();
    call.chunk('Once upon');
    expect(chat.stop(c.id)).toBe(true);
    expect(call.signal?.aborted).toBe(true);
    const stopped = await sent;
    // The partial answer is still the (demo) model's words, and labelled so.
    expect(stopped).toMatchObject({ state: 'stopped', answer: 'Once upon', error: null, modelId: 'tiny', demo: true });
    expect(chat.stop(c.id)).toBe(false);
    await turn(c.id, 'Next?', 'Two.');
    expect(inference.calls[2]!.params.history!.turns.map((t) => t.question)).toEqual(['First?']);
  });

  it('keeps the answer so far when the worker dies or the model is switched, saying why', async () => {
    const c = chat.create([1]);
    let sent = chat.send(c.id, 'Q1');
    let call = await inference.next();
    call.chunk('Half an ');
    call.fail(new WorkerClientError('worker_crashed', 'killed by SIGKILL'));
    const crashed = await sent;
    expect(crashed.state).toBe('failed');
    expect(crashed.answer).toBe('Half an');
    expect(crashed.error).toMatch(/worker stopped unexpectedly.*SIGKILL.*answer so far is kept/);

    sent = chat.send(c.id, 'Q2');
    call = await inference.next();
    call.chunk('Some');
    chat.modelChanged();
    expect(await sent).toMatchObject({ state: 'stopped', answer: 'Some', error: expect.stringMatching(/model was changed/) as unknown });
    expect(chat.get(c.id).turns.map((t) => t.state)).toEqual(['failed', 'stopped']);
  });

  it('refuses, saving nothing, without a model, with a photo gone, or while an answer runs', async () => {
    const c = chat.create([1]);
    inference.active = null;
    await expect(chat.send(c.id, 'Hi')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/Models page/) as unknown,
    });
    inference.active = MODEL;
    photos.get(1)!.files[0]!.status = 'missing';
    await expect(chat.send(c.id, 'Hi')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/beach\.jpg.*missing/) as unknown,
    });
    db.prepare('DELETE FROM photos WHERE id = 1').run();
    await expect(chat.send(c.id, 'Hi')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/no longer in the library/) as unknown,
    });
    expect(chat.get(c.id).turns).toEqual([]);
    expect(chat.get(c.id).photos).toEqual([{ photoId: null, name: 'beach.jpg', thumb: null }]);

    // The refused questions left no conversation behind: asking again reuses the empty one.
    expect(chat.list(1)).toEqual([]);
    expect(chat.create([1]).id).toBe(c.id);
    expect(chat.create([2, 1]).id).not.toBe(chat.create([1, 2]).id);

    const c2 = chat.create([2]);
    const first = chat.send(c2.id, 'One');
    await expect(chat.send(c2.id, 'Two')).rejects.toMatchObject({ code: 'conflict' });
    (await inference.next()).finish();
    await first;
    expect(chat.get(c2.id).turns).toHaveLength(1);
    await expect(chat.send(999, 'x')).rejects.toBeInstanceOf(ApiError);
  });

  it('regenerates (sampling, same turn) and edits the last question, sending the history before it', async () => {
    const c = chat.create([1]);
    await turn(c.id, 'A?', 'a.');
    const t2 = await turn(c.id, 'B?', 'b.');
    const regen = chat.regenerate(c.id);
    const call = await inference.next();
    expect(call.params.message).toBe('B?');
    expect(call.params.history!.turns.map((t) => t.question)).toEqual(['A?']);
    expect(call.params.sampling).toMatchObject({ temperature: 0.7, topP: 0.9 });
    expect(call.params.sampling?.seed).toEqual(expect.any(Number));
    call.chunk('another b.');
    call.finish();
    expect(await regen).toMatchObject({ id: t2.id, question: 'B?', answer: 'another b.', state: 'done' });

    const edit = chat.editLast(c.id, 'C?');
    const e = await inference.next();
    expect(e.params.message).toBe('C?');
    expect(e.params.sampling?.temperature).toBeUndefined();
    e.chunk('c.');
    e.finish();
    expect(await edit).toMatchObject({ id: t2.id, question: 'C?', answer: 'c.' });
    expect(chat.get(c.id).turns.map((t) => [t.question, t.answer])).toEqual([
      ['A?', 'a.'],
      ['C?', 'c.'],
    ]);
    await expect(chat.regenerate(chat.create([2]).id)).rejects.toMatchObject({ code: 'bad-argument' });
  });

  it('marks the oldest turn the model still saw when the budget dropped earlier ones', async () => {
    chat = service({ contextTokens: 1000 });
    const c = chat.create([1]);
    const t1 = await turn(c.id, 'One?', '1.');
    const t2 = await turn(c.id, 'Two?', '2.');
    expect(chat.get(c.id).firstSeenTurnId).toBeNull();
    await turn(c.id, 'Three?', '3.', { droppedTurns: 1 });
    expect(inference.calls[2]!.params.history!.contextTokens).toBe(1000);
    expect(chat.get(c.id).firstSeenTurnId).toBe(t2.id);
    expect(t1.id).toBeLessThan(t2.id);
  });

  it('replays answer ids only for the model that made them', async () => {
    const c = chat.create([1]);
    await turn(c.id, 'A?', 'a.');
    inference.active = { ...MODEL, id: 'other' };
    await turn(c.id, 'B?', 'b.');
    expect(inference.calls[1]!.params.history!.turns).toEqual([{ question: 'A?', answer: 'a.' }]);
  });

  it('marks answers interrupted by a crash as failed at the next start, keeping their text', async () => {
    const c = chat.create([1]);
    const sent = chat.send(c.id, 'Q');
    const call = await inference.next();
    call.chunk('partial');
    db.prepare("UPDATE chat_turns SET answer = 'partial'").run(); // what the periodic save would have written
    service(); // a new start over the same database (the old one is "killed": never settled)
    const t = chat.get(c.id).turns[0]!;
    expect(t).toMatchObject({ state: 'failed', answer: 'partial', error: expect.stringMatching(/Shoebox stopped/) as unknown });
    call.finish();
    await sent;
  });

  it('deletes a conversation, stopping its answer first and freeing its cache', async () => {
    const c = chat.create([1]);
    const sent = chat.send(c.id, 'Q');
    (await inference.next()).chunk('x');
    expect(await chat.delete(c.id)).toBe(true);
    expect((await sent).state).toBe('stopped'); // saved before the rows went
    expect(inference.ended).toEqual([`photo-chat:${c.id}`]);
    expect(chat.list(1)).toEqual([]);
    expect(await chat.delete(c.id)).toBe(false);
  });

  it('follows the photo by content: a new photo row with the same content finds the conversation', async () => {
    const c = chat.create([1]);
    await turn(c.id, 'A?', 'a.');
    db.prepare('DELETE FROM photos WHERE id = 1').run();
    photos.delete(1);
    addPhoto(7, 'h-beach', '/mnt/new place/beach-renamed.jpg');
    expect(chat.list(7).map((x) => x.id)).toEqual([c.id]);
    await turn(c.id, 'B?', 'b.');
    expect(inference.calls[1]!.params.history!.images).toEqual([{ path: '/mnt/new place/beach-renamed.jpg' }]);
    expect(inference.calls[1]!.params.history!.preamble).toBe('(File name: beach-renamed.jpg)');
  });

  it('validates questions at the boundary with clear messages', () => {
    const parse = (text: string) => requestSchemas['chat:send'].safeParse({ conversationId: 1, text });
    expect(parse('   ').error?.issues[0]?.message).toMatch(/question is empty/);
    expect(parse('x'.repeat(10_000)).error?.issues[0]?.message).toBe(`the question is too long: at most ${MAX_QUESTION_CHARS} characters`);
    expect(parse('x'.repeat(MAX_QUESTION_CHARS)).success).toBe(true);
    expect(requestSchemas['chat:create'].safeParse({ photoIds: [1, 1] }).error?.issues[0]?.message).toMatch(/twice/);
    expect(requestSchemas['chat:create'].safeParse({ photoIds: [] }).success).toBe(false);
  });
});
