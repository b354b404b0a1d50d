/**
 * @file Library chat (main/chat/library-chat.ts and its pure parts ./library-question.ts,
 * ./library-prompt.ts) on a real in-memory database, written through the repositories, with the real
 * search (words only) and a fake inference service that streams a scripted answer: questions read as
 * counts and dates, follow-ups that shift dates, the budgeted prompt (numbered photos, file names never
 * paths), citations, counts equal to the database's, nothing found without asking the model, hidden
 * and trashed photos neither counted nor shown to the model.
 */
import { describe, expect, it } from 'vitest';
import type { ChatTurnResult, ParamsOf, StreamChunk } from '../../native/protocol';
import { requestSchemas, type Events } from '../../preload/contract';
import { WorkerClientError } from '../../main/inference/worker-client';
import { createLibraryChat } from '../../main/chat/library-chat';
import { buildLibraryPrompt, parseCitations, type SourcePhoto } from '../../main/chat/library-prompt';
import { libraryQuery, questionIntent } from '../../main/chat/library-question';
import { createCollectionsRepo } from '../../main/db/collections.repo';
import { createFilesRepo } from '../../main/db/files.repo';
import { createFoldersRepo } from '../../main/db/folders.repo';
import { openDatabase } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { createUnderstandingRepo, type Maker } from '../../main/db/understanding.repo';
import type { InferenceService, LoadedModel, ModelChoice } from '../../main/inference/inference.service';
import { silentLog } from '../../main/log';
import { createSearch } from '../../main/search/hybrid-search';

const NOW = new Date(Date.UTC(2026, 10, 30, 12));
const MAKER: Maker = { modelId: 'm', variant: 'int8', version: 'understand:1:m:int8', demo: false };
const MODEL: LoadedModel = { id: 'tiny', name: 'Tiny', variant: 'fp32', demo: true, provider: 'cpu' };

describe('library questions', () => {
  it('reads counts, first, last and when, and leaves the words to search for', () => {
    expect(questionIntent('How many photos of the dog?').intent).toBe('count');
    expect(questionIntent('When did we last go to the mountains?').intent).toBe('last');
    expect(questionIntent('the first time at the beach').intent).toBe('first');
    expect(questionIntent('When was the wedding?').intent).toBe('when');
    expect(questionIntent('find the receipt from the hotel').intent).toBe('find');

    const count = libraryQuery('How many photos of the dog this year?', NOW, null);
    expect(count).toMatchObject({ intent: 'count', semantic: 'dog', filters: [{ type: 'date', label: '2026' }] });
    expect(libraryQuery('When did we last go to the mountains?', NOW, null)).toMatchObject({
      intent: 'last',
      semantic: 'mountains',
      filters: [],
    });
  });

  it('keeps the previous search for a follow-up, shifting its dates or replacing the filters it names', () => {
    const first = libraryQuery('How many photos of the dog in 2025?', NOW, null);
    const before = libraryQuery('and the year before?', NOW, first);
    expect(before).toMatchObject({ intent: 'count', semantic: 'dog', filters: [{ type: 'date', label: '2024' }] });
    expect(libraryQuery('and in 2019?', NOW, before)).toMatchObject({
      intent: 'count',
      semantic: 'dog',
      filters: [{ type: 'date', label: '2019' }],
    });
    // A new question starts anew.
    expect(libraryQuery('Show me the beach', NOW, first)).toMatchObject({ intent: 'find', semantic: 'beach', filters: [] });
  });
});

const photo = (n: number, over: Partial<SourcePhoto> = {}): SourcePhoto => ({
  photoId: n,
  name: `IMG_${n}.jpg`,
  takenAt: '2025-07-03T10:20:00',
  place: 'Lisbon, Portugal',
  caption: `A dog on a beach, photo ${n}.`,
  tags: ['dog', 'beach'],
  text: '',
  ...over,
});

describe('library prompt', () => {
  it('numbers the photos, states the facts, and shows file names but never paths', () => {
    const facts = { intent: 'count' as const, query: '“dog”', count: 42, first: '2020-01-01T00:00:00', last: '2025-07-03T10:20:00' };
    const p = buildLibraryPrompt('How many dogs?', facts, [photo(1, { name: '/home/ana/Pictures/2019/IMG_1.jpg' }), photo(2)], 1500);
    expect(p.used.map((u) => u.photoId)).toEqual([1, 2]);
    expect(p.message).toContain('[1] IMG_1.jpg');
    expect(p.message).toContain('[2] IMG_2.jpg');
    expect(p.message).toContain('matching “dog”: 42.');
    expect(p.message).not.toContain('/home/ana');
    expect(p.message.trim().endsWith('Question: How many dogs?')).toBe(true);
  });

  it('keeps to its token budget by leaving out whole photos, best last, and cuts long fields', () => {
    const many = Array.from({ length: 8 }, (_, i) => photo(i + 1, { text: 'x'.repeat(5000) }));
    const small = buildLibraryPrompt('q', null, many, 300);
    expect(small.tokens).toBeLessThanOrEqual(300);
    expect(small.used.length).toBeGreaterThan(0);
    expect(small.used.length).toBeLessThan(8);
    expect(small.used.map((u) => u.photoId)).toEqual(many.slice(0, small.used.length).map((u) => u.photoId));
    expect(small.message).toMatch(/more matching photos not listed/);
    expect(small.message).not.toContain('x'.repeat(300));
  });
});

describe('citations', () => {
  it('reads [n], lists, ranges and repeats, and ignores numbers that are not photos of the prompt', () => {
    expect(parseCitations('The dog [2] and the beach [1, 3]; again [2].', 5)).toEqual([2, 1, 3]);
    expect(parseCitations('Photos [2–4] and [1][5]', 5)).toEqual([2, 3, 4, 1, 5]);
    expect(parseCitations('In [2021] and [0] and [9] and [x]', 5)).toEqual([]);
  });
});

/** A fake inference that streams `answer` in words and records what it was asked. */
function fakeInference(answer: () => string) {
  const calls: ParamsOf<'chat'>[] = [];
  let active: ModelChoice | null = MODEL;
  const inference: Pick<InferenceService, 'chat' | 'chatEnd' | 'activeModel'> = {
    activeModel: () => active,
    chatEnd: async () => {},
    async chat(params, opts: { onChunk?: ((c: StreamChunk) => void) | undefined } = {}) {
      calls.push(params);
      const text = answer();
      for (const w of text.split(/(?<= )/)) opts.onChunk?.({ text: w, tokenIds: [1] });
      const result: ChatTurnResult = {
        text,
        tokenIds: [1, 2],
        finishReason: 'stop',
        promptTokens: 100,
        numTiles: 0,
        turn: 1,
        reusedTokens: 0,
        droppedTurns: 0,
        contextTokens: 120,
        contextWindow: 32768,
        timings: { preprocessMs: 0, visionMs: 0, prefillMs: 1, decodeMs: 1 },
      };
      return { result, model: MODEL };
    },
  };
  return { inference, calls, setActive: (m: ModelChoice | null) => (active = m) };
}

/** A library of dog and beach photos over three years, and library chat over it. */
function setup(answer = () => 'The dog is in [1] and [2].') {
  const db = openDatabase(':memory:');
  const photos = createPhotosRepo(db);
  const files = createFilesRepo(db);
  const understanding = createUnderstandingRepo(db);
  const root = createFoldersRepo(db).insert('/home/ana/Pictures', 0);
  let n = 0;
  const byPath = new Map<string, string>();
  const add = (relPath: string, when: string, caption: string) => {
    const hash = `h${++n}`;
    byPath.set(relPath, hash);
    const id = photos.insert({ hash, kind: 'image', mime: 'image/jpeg', fileTime: when, error: null, now: 0 });
    files.upsert({ folderId: root, relPath, photoId: id, size: 1, mtimeMs: 1, status: 'ok', error: null, now: 0 });
    understanding.writeOutput(
      id,
      { state: 'ok', calibrated: true, numTiles: 1, ms: 1, caption: { text: caption, finish: 'stop' }, text: null, tags: [] },
      MAKER,
      1,
    );
    return id;
  };
  add('2024/Porto/dog-a.jpg', '2024-03-01T10:00:00', 'A brown dog in a garden.');
  add('2025/dog-b.jpg', '2025-05-01T10:00:00', 'A dog running on the sand.');
  add('2025/dog-c.jpg', '2025-08-09T18:30:00', 'A sleepy dog on a sofa.');
  add('2026/dog-d.jpg', '2026-02-14T09:00:00', 'Our dog in the snow.');
  add('2026/beach.jpg', '2026-07-01T12:00:00', 'Waves on an empty beach.');
  const events: { name: keyof Events; payload: unknown }[] = [];
  const fake = fakeInference(answer);
  const chat = createLibraryChat({
    db,
    search: createSearch({ db, log: silentLog }),
    inference: fake.inference,
    noModelReason: () => 'No model is installed.',
    emit: (name, payload) => events.push({ name, payload }),
    log: silentLog,
    now: () => NOW,
  });
  const dbCount = (sql: string) => db.prepare(sql).pluck().get() as number;
  const marks = createCollectionsRepo(db);
  /** Hides a photo, as the library's Hide does (by content). */
  const hide = (relPath: string, hidden = true) => marks.setMark(byPath.get(relPath)!, 'hidden', hidden ? 1 : 0, 1);
  /** Moves a photo to the Trash as main/library/trash.ts does: the removed mark, and its file gone. */
  const trash = (relPath: string) => {
    marks.setMark(byPath.get(relPath)!, 'removed_at', 1, 1);
    const photoId = photos.findByHash(byPath.get(relPath)!)!.id;
    files.upsert({ folderId: root, relPath, photoId, size: 1, mtimeMs: 1, status: 'missing', error: null, now: 1 });
  };
  /** Turns a photo for display, as the viewer's R does (by content). */
  const turnPhoto = (relPath: string, rotation: number) => marks.setMark(byPath.get(relPath)!, 'rotation', rotation, 1);
  return { db, chat, fake, events, dbCount, hide, trash, turnPhoto };
}

describe('library chat', () => {
  it('answers a count from the database, gives it to the model as a fact, streams, and marks the cited photos', async () => {
    const { chat, fake, events, dbCount } = setup();
    const conv = chat.create();
    const turn = await chat.send(conv.id, 'How many photos of the dog in 2025?');
    const expected = dbCount(
      "SELECT count(*) FROM photos p JOIN photo_captions c ON c.photo_id = p.id WHERE c.text LIKE '%dog%' AND p.sort_key >= '2025' AND p.sort_key < '2026'",
    );
    expect(expected).toBe(2);
    expect(turn.facts).toMatchObject({ intent: 'count', count: expected });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.message).toContain(`: ${expected}.`);
    expect(fake.calls[0]!.message).not.toContain('/home/ana');
    expect(fake.calls[0]!.message).not.toContain('2025/dog-b.jpg');
    expect(turn.state).toBe('done');
    expect(turn.sources.map((s) => s.n)).toEqual([1, 2]);
    expect(turn.sources.every((s) => s.cited)).toBe(true);
    expect(turn.sources.map((s) => s.name).sort()).toEqual(['dog-b.jpg', 'dog-c.jpg']);
    const streamed = events.filter((e) => e.name === 'chat:token').map((e) => (e.payload as { text: string }).text);
    expect(streamed.join('')).toBe(turn.answer);
  });

  it('finds the date of the last time from the database and shows that photo first', async () => {
    const { chat } = setup(() => 'Last seen in [1].');
    const turn = await chat.send(chat.create().id, 'When did we last see the dog?');
    expect(turn.facts).toMatchObject({ intent: 'last', count: 4, last: '2026-02-14T09:00:00' });
    expect(turn.sources[0]).toMatchObject({ n: 1, name: 'dog-d.jpg', cited: true });
    expect(turn.facts!.lastPhotoId).toBe(turn.sources[0]!.photoId);
  });

  it("gives each source its photo's display rotation as it is now, so its thumbnail shows it turned", async () => {
    const { chat, turnPhoto } = setup(() => 'Last seen in [1].');
    turnPhoto('2026/dog-d.jpg', 1);
    const conv = chat.create();
    const turn = await chat.send(conv.id, 'When did we last see the dog?');
    expect(turn.sources.length).toBeGreaterThan(1);
    expect(turn.sources[0]).toMatchObject({ name: 'dog-d.jpg', rotation: 1 });
    expect(turn.sources.slice(1).map((s) => s.rotation)).toEqual(turn.sources.slice(1).map(() => undefined));
    turnPhoto('2026/dog-d.jpg', 0);
    expect(chat.get(conv.id).turns[0]!.sources[0]).not.toHaveProperty('rotation');
  });

  it('keeps a follow-up in context: "and the year before?" counts the previous year', async () => {
    const { chat } = setup();
    const conv = chat.create();
    await chat.send(conv.id, 'How many photos of the dog in 2025?');
    const before = await chat.send(conv.id, 'and the year before?');
    expect(before.facts).toMatchObject({ intent: 'count', count: 1 });
    expect(before.search).toContain('2024');
    // The conversation is saved with both turns, and listed.
    expect(chat.get(conv.id).turns.map((t) => t.question)).toEqual(['How many photos of the dog in 2025?', 'and the year before?']);
    expect(chat.list().map((c) => c.id)).toEqual([conv.id]);
  });

  it('leaves hidden and trashed photos out of the facts and the sources, as search does', async () => {
    const { chat, fake, hide, trash } = setup(() => 'The dog is in [1] and [2].');
    hide('2025/dog-c.jpg');
    trash('2026/dog-d.jpg');
    const conv = chat.create();
    const count = await chat.send(conv.id, 'How many photos of the dog?');
    expect(count.facts).toMatchObject({ intent: 'count', count: 2, first: '2024-03-01T10:00:00', last: '2025-05-01T10:00:00' });
    expect(count.sources.map((s) => s.name).sort()).toEqual(['dog-a.jpg', 'dog-b.jpg']);
    for (const name of ['dog-c.jpg', 'dog-d.jpg']) expect(fake.calls[0]!.message).not.toContain(name);
    // The last time is the last shown photo, and it is the one put first in front of the model.
    const last = await chat.send(conv.id, 'When did we last see the dog?');
    expect(last.facts).toMatchObject({ intent: 'last', count: 2, last: '2025-05-01T10:00:00' });
    expect(last.sources[0]).toMatchObject({ n: 1, name: 'dog-b.jpg' });
    expect(last.sources.map((s) => s.name)).not.toContain('dog-d.jpg');
    // Only hidden photos match: nothing is found, and the model is not asked.
    const asked = fake.calls.length;
    const hiddenOnly = await chat.send(chat.create().id, 'How many photos of the dog on a sofa?');
    expect(hiddenOnly).toMatchObject({ modelId: null, sources: [], facts: { count: 0 } });
    expect(fake.calls).toHaveLength(asked);
    // A photo hidden after it was shown leaves the earlier answer's photos too; shown again, it is back.
    hide('2024/Porto/dog-a.jpg');
    const shown = () =>
      chat
        .get(conv.id)
        .turns[0]!.sources.filter((s) => s.photoId !== null)
        .map((s) => s.name);
    expect(shown()).toEqual(['dog-b.jpg']);
    hide('2024/Porto/dog-a.jpg', false);
    expect(shown().sort()).toEqual(['dog-a.jpg', 'dog-b.jpg']);
    const again = await chat.send(chat.create().id, 'How many photos of the dog?');
    expect(again.facts).toMatchObject({ count: 2 });
  });

  it('says when nothing matches, without asking the model', async () => {
    const { chat, fake } = setup();
    const turn = await chat.send(chat.create().id, 'How many photos of giraffes?');
    expect(fake.calls).toHaveLength(0);
    expect(turn).toMatchObject({ state: 'done', modelId: null, sources: [], facts: { count: 0 } });
    expect(turn.answer).toMatch(/no photos/i);
    const found = await chat.send(chat.create().id, 'the zebra crossing');
    expect(fake.calls).toHaveLength(0);
    expect(found.answer).toMatch(/no photos/i);
  });

  it('refuses a question that needs the model when none is installed, saving nothing', async () => {
    const { chat, fake } = setup();
    fake.setActive(null);
    const conv = chat.create();
    await expect(chat.send(conv.id, 'Show me the dog')).rejects.toMatchObject({ code: 'unavailable', message: 'No model is installed.' });
    expect(chat.get(conv.id).turns).toEqual([]);
    // The empty conversation is reused, not piled up.
    expect(chat.create().id).toBe(conv.id);
  });

  it('refuses empty and 10,000-character questions with their reason', () => {
    const parse = (text: string) => requestSchemas['ask:send'].safeParse({ conversationId: 1, text });
    expect(parse('   ').error?.issues[0]?.message).toMatch(/question is empty/);
    expect(parse('x'.repeat(10_000)).error?.issues[0]?.message).toMatch(/at most 4000 characters/);
  });

  it('a model switched mid-answer stops it, keeping the answer so far and the conversation', async () => {
    const { chat, fake } = setup();
    fake.inference.chat = (_params, opts) =>
      new Promise((_resolve, reject) => {
        opts?.onChunk?.({ text: 'Partial ', tokenIds: [1] });
        opts?.signal?.addEventListener('abort', () => reject(new WorkerClientError('cancelled', 'request cancelled')));
      });
    const conv = chat.create();
    const pending = chat.send(conv.id, 'Show me the dog');
    await new Promise((r) => setTimeout(r, 20));
    await expect(chat.send(conv.id, 'Another?')).rejects.toMatchObject({ code: 'conflict' });
    chat.modelChanged();
    const turn = await pending;
    expect(turn).toMatchObject({ state: 'stopped', answer: 'Partial', error: expect.stringMatching(/model was changed/) as unknown });
    expect(turn.sources.length).toBeGreaterThan(0);
    expect(chat.get(conv.id).turns).toHaveLength(1);
  });
});
