/**
 * @file Library chat with real processes and a real database: the sample library indexed, the tiny
 * random-weight InternVL answering in the inference worker (demo mode, so the words mean nothing and
 * only the structure is checked). A question cites only photos that exist (its sources are library
 * photos with their files); a count question's number is the database's; a follow-up keeps the search;
 * a question with no match is answered without the model; a hidden photo and one moved to the Trash
 * (the real `trash` package, XDG_DATA_HOME pointed at a temp folder) are neither counted nor given to the
 * model. `shoebox ask --library --json` gives the same facts and the photos' paths, and refuses bad
 * questions with exit 2.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import { runShoebox } from './helpers/cli-process';

const tiny = join(import.meta.dirname, '../fixtures/models/tiny-internvl');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const root = mkdtempSync(join(tmpdir(), 'shoebox-library-chat-'));
// Before anything loads the `trash` package (it reads XDG_DATA_HOME when it loads).
process.env['XDG_DATA_HOME'] = join(root, 'xdg');
let services: Services;

beforeAll(async () => {
  process.env['SHOEBOX_DEMO_MODEL'] = '1';
  cpSync(sample, join(root, 'photos'), { recursive: true });
  services = await createServices({ dataDir: join(root, 'data'), shell: 'headless', log: silentLog });
  await services.library.addFolder(join(root, 'photos'));
  await services.library.whenIdle();
  await services.models.import(tiny);
  services.models.select('tiny-internvl');
}, 180_000);
afterAll(async () => {
  await services.close();
  delete process.env['SHOEBOX_DEMO_MODEL'];
  delete process.env['XDG_DATA_HOME'];
  rmSync(root, { recursive: true, force: true });
});

/** The database's own count of photos whose index rows hold `word` (the same index the search reads). */
const dbCount = (word: string) =>
  services.db
    .prepare('SELECT count(*) FROM photos p WHERE p.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)')
    .pluck()
    .get(`"${word}"*`) as number;

describe('library chat with the real worker', () => {
  it('answers from the library: sources that exist, counts from the database, follow-ups, nothing found', async () => {
    const chat = services.libraryChat;
    const conv = chat.create();
    const tokens: string[] = [];
    const off = services.events.on('chat:token', (e) => e.conversationId === conv.id && tokens.push(e.text));
    const turn = await chat.send(conv.id, 'How many photos of animals?');
    off();
    expect(turn).toMatchObject({ state: 'done', modelId: 'tiny-internvl', demo: true });
    expect(tokens.join('').trim()).toBe(turn.answer);
    const expected = dbCount('animals');
    expect(expected).toBeGreaterThanOrEqual(3); // the animals folder
    expect(turn.facts).toMatchObject({ intent: 'count', count: expected });
    expect(turn.facts!.lines.join(' ')).toContain(`: ${expected}.`);
    expect(turn.sources.length).toBeGreaterThan(0);
    for (const s of turn.sources) {
      const p = services.library.getPhoto(s.photoId!);
      expect(p?.name).toBe(s.name);
      expect(p!.files.some((f) => f.status === 'ok' && existsSync(f.absPath))).toBe(true);
    }

    const follow = await chat.send(conv.id, 'and the year before?');
    expect(follow.state).toBe('done');
    const none = await chat.send(conv.id, 'How many photos of giraffes?');
    expect(none).toMatchObject({ state: 'done', modelId: null, sources: [], facts: { count: 0 } });
    expect(chat.get(conv.id).turns).toHaveLength(3);
  }, 180_000);

  it('leaves a hidden photo and one in the Trash out of the counts and the photos given to the model', async () => {
    const call = async (method: string, args: unknown) => {
      const r = await services.router.call(method, args);
      if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    };
    const idOf = (rel: string) => services.db.prepare('SELECT photo_id FROM files WHERE rel_path = ?').pluck().get(rel) as number;
    const ask = async () => {
      const turn = await services.libraryChat.send(services.libraryChat.create().id, 'How many photos of animals?');
      expect(turn.state).toBe('done');
      return { count: turn.facts!.count, names: turn.sources.map((s) => s.name) };
    };
    const before = await ask();
    expect(before.count).toBe(dbCount('animals'));
    expect(before.names).toEqual(expect.arrayContaining(['HappyFish.jpg', 'butterfly.jpg']));

    await call('photos:setHidden', { selection: { ids: [idOf('animals/HappyFish.jpg')] }, hidden: true });
    await call('trash:move', { selection: { ids: [idOf('animals/butterfly.jpg')] } });
    await services.library.whenIdle();
    const after = await ask();
    expect(after.count).toBe(before.count - 2);
    expect(after.names).not.toContain('HappyFish.jpg');
    expect(after.names).not.toContain('butterfly.jpg');
    // The Hidden view still shows the hidden one.
    expect(services.library.page({ offset: 0, limit: 10, view: { kind: 'hidden' } }).items.map((p) => p.name)).toEqual(['HappyFish.jpg']);
  }, 180_000);

  it('`shoebox ask --library --json` gives the facts and the photos with their paths', async () => {
    await services.close();
    const data = join(root, 'data');
    const json = await runShoebox(['ask', '--library', '--json', 'How many photos of the baboon?'], data);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { facts: { count: number }; photos: { id: number; path: string }[]; state: string };
    expect(out.state).toBe('done');
    expect(out.facts.count).toBeGreaterThanOrEqual(1);
    expect(out.photos.some((p) => p.path.endsWith('baboon.jpg'))).toBe(true);
    for (const p of out.photos) expect(existsSync(p.path)).toBe(true);
    const empty = await runShoebox(['ask', '--library', '  '], data);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/question is empty/);
    const both = await runShoebox(['ask', '--library', 'photo.jpg', 'What?'], data);
    expect(both.code).toBe(2);
    services = await createServices({ dataDir: data, shell: 'headless', log: silentLog });
  }, 180_000);
});
