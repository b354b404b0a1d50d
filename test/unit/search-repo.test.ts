/**
 * @file Lexical search (main/db/search.repo.ts) on a real in-memory database through every migration,
 * written only through the repositories: each column is searchable, diacritics fold, text in the image
 * matches inside words, user edits and removals and deletions show at once, and no text a user can type
 * makes the query throw ([Note: Safe FTS5 queries]).
 */
import { describe, expect, it } from 'vitest';
import { createFilesRepo } from '../../main/db/files.repo';
import { createFoldersRepo } from '../../main/db/folders.repo';
import { openDatabase } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { buildLexicalQuery, createSearchRepo, MAX_QUERY_WORDS } from '../../main/db/search.repo';
import { createUnderstandingRepo, type Maker, type ModelOutput } from '../../main/db/understanding.repo';

const MAKER: Maker = { modelId: 'm', variant: 'int8', version: 'understand:1:m:int8', demo: false };

function library() {
  const db = openDatabase(':memory:');
  const photos = createPhotosRepo(db);
  const files = createFilesRepo(db);
  const folders = createFoldersRepo(db);
  const understanding = createUnderstandingRepo(db);
  const search = createSearchRepo(db);
  const root = folders.insert('/home/ana/Pictures', 0);
  let n = 0;
  /** A photo with its files (paths below the root), as ingest stores it. */
  const addPhoto = (...relPaths: string[]) => {
    const id = photos.insert({ hash: `h${++n}`, kind: 'image', mime: 'image/jpeg', fileTime: '2024-01-01T00:00:00', error: null, now: 0 });
    for (const relPath of relPaths)
      files.upsert({ folderId: root, relPath, photoId: id, size: 1, mtimeMs: 1, status: 'ok', error: null, now: 0 });
    return id;
  };
  const label = (name: string) => {
    const l = understanding.labelByName(name);
    if (!l) throw new Error(`no label ${name}`);
    return l.id;
  };
  /** What the understanding step stores for a photo. */
  const understand = (id: number, o: { caption?: string; text?: string; tags?: string[] }) => {
    const out: ModelOutput = {
      state: 'ok',
      calibrated: true,
      numTiles: 1,
      ms: 1,
      caption: o.caption === undefined ? null : { text: o.caption, finish: 'stop' },
      text: o.text === undefined ? null : { text: o.text, finish: 'stop', reason: 'sign' },
      tags: (o.tags ?? []).map((t) => ({ labelId: label(t), score: 1, rawScore: -1 })),
    };
    understanding.writeOutput(id, out, MAKER, 1);
  };
  const ids = (q: string, limit = 50) => search.lexical(q, { limit }).map((h) => h.photoId);
  return { db, photos, files, understanding, search, root, addPhoto, label, understand, ids };
}

describe('lexical search', () => {
  it('finds a photo by a caption word, a tag, a file name, a folder name and its camera, saying which column matched', () => {
    const lib = library();
    const tram = lib.addPhoto('2019/Lisboa/IMG_2044.JPG');
    const dog = lib.addPhoto('phone/PXL_20230101.jpg');
    lib.understand(tram, { caption: 'A yellow tram climbs a narrow street.', tags: ['street', 'train'] });
    lib.understand(dog, { caption: 'A dog asleep on a sofa.', tags: ['dog'] });
    const row = lib.photos.get(dog);
    if (!row) throw new Error('no photo');
    lib.photos.setMetadata(dog, { ...row, camera_make: 'Google', camera_model: 'Pixel 7' });

    expect(lib.ids('tram')).toEqual([tram]);
    expect(lib.ids('asleep')).toEqual([dog]);
    expect(lib.ids('train')).toEqual([tram]);
    expect(lib.ids('IMG_2044')).toEqual([tram]);
    expect(lib.ids('img_2044.jpg')).toEqual([tram]);
    expect(lib.ids('lisboa')).toEqual([tram]);
    expect(lib.ids('pixel 7')).toEqual([dog]);
    expect(lib.ids('google')).toEqual([dog]);
    expect(lib.ids('jpg')).toHaveLength(2);
    // Every word must match, each in any column; the last one is a prefix.
    expect(lib.ids('dog sofa')).toEqual([dog]);
    expect(lib.ids('dog tram')).toEqual([]);
    expect(lib.ids('lisboa stre')).toEqual([tram]);
    expect(lib.ids('stre lisboa')).toEqual([]); // only the last word is a prefix

    const [hit] = lib.search.lexical('street lisboa', { limit: 10 });
    expect(hit?.photoId).toBe(tram);
    expect(hit?.matched).toEqual(['caption', 'tags', 'folders']);
    expect(hit?.score).toBeGreaterThan(0);
    expect(lib.search.lexical('pixel', { limit: 10 })[0]?.matched).toEqual(['camera']);
  });

  it('folds diacritics and case both ways', () => {
    const lib = library();
    const sp = lib.addPhoto('Viagens/São Paulo/praça.jpg');
    const plain = lib.addPhoto('cafe-menu.jpg');
    lib.understand(sp, { caption: 'Crowd on Avenida Paulista in SÃO PAULO.' });
    expect(lib.ids('sao paulo')).toEqual([sp]);
    expect(lib.ids('São Paulo')).toEqual([sp]);
    expect(lib.ids('praca')).toEqual([sp]);
    expect(lib.ids('viagens')).toEqual([sp]);
    expect(lib.ids('café')).toEqual([plain]);
  });

  it('matches part of a word in the text in the image, and only there', () => {
    const lib = library();
    const receipt = lib.addPhoto('scan.png');
    const other = lib.addPhoto('supermarket.jpg');
    lib.understand(receipt, { text: 'SUPERMERCADO PÃO DE AÇÚCAR\nTOTAL R$ 123,45', caption: 'A receipt.' });
    expect(lib.ids('mercado')).toEqual([receipt]); // inside a word of the text
    expect(lib.ids('acuc')).toEqual([receipt]); // folded, and inside a word
    expect(lib.ids('123,45')).toEqual([receipt]);
    expect(lib.ids('ceipt')).toEqual([]); // the caption matches whole words (and prefixes) only
    expect(lib.ids('market')).toEqual([]); // so do file names
    expect(lib.ids('de')).toEqual([receipt]); // under 3 characters: a whole-word (prefix) match still works
    expect(lib.ids('mercado receipt')).toEqual([receipt]); // one word via trigram, one via the main index
    expect(lib.search.lexical('mercado', { limit: 5 })[0]?.matched).toEqual(['text']);
    expect(lib.ids('supermarket')).toEqual([other]);
  });

  it("shows the user's edits and removals, a re-run, a renamed label and deletions at once", () => {
    const lib = library();
    const id = lib.addPhoto('a/b.jpg');
    lib.understand(id, { caption: 'A cat on a wall.', text: 'NO PARKING', tags: ['cat', 'sign'] });
    expect(lib.ids('cat')).toEqual([id]);

    lib.understanding.setUserCaption(id, 'Mittens, our neighbour’s kitten', 2);
    expect(lib.ids('mittens')).toEqual([id]);
    expect(lib.ids('wall')).toEqual([]);
    lib.understanding.setUserCaption(id, null, 3); // given back to the model: its caption went with the user's row
    expect(lib.ids('mittens')).toEqual([]);

    lib.understanding.setUserText(id, 'Private road', 4);
    expect(lib.ids('parking')).toEqual([]);
    expect(lib.ids('rivat')).toEqual([id]);

    lib.understanding.setUserTag(id, lib.label('cat'), true, 5);
    expect(lib.ids('cat')).toEqual([]);
    lib.understanding.setUserTag(id, lib.label('beach'), false, 6);
    expect(lib.ids('beach')).toEqual([id]);
    lib.understanding.updateLabel(lib.label('beach'), { label: 'seaside' });
    expect(lib.ids('beach')).toEqual([]);
    expect(lib.ids('seaside')).toEqual([id]);

    lib.understand(id, { caption: 'A grey cat.', tags: ['cat', 'sign'] }); // a re-run: the user's removal holds
    expect(lib.ids('grey')).toEqual([id]);
    expect(lib.ids('cat')).toEqual([id]); // from the caption only
    expect(lib.search.lexical('cat', { limit: 5 })[0]?.matched).toEqual(['caption']);
    lib.understanding.clearModelResults([id]);
    expect(lib.ids('grey')).toEqual([]);
    expect(lib.ids('seaside')).toEqual([id]); // the user's tag stays

    lib.files.upsert({
      folderId: lib.root,
      relPath: 'moved/here.jpg',
      photoId: id,
      size: 1,
      mtimeMs: 1,
      status: 'ok',
      error: null,
      now: 1,
    });
    expect(lib.ids('moved')).toEqual([id]);
    lib.files.markMissing(lib.root, 'a/b.jpg', 2);
    lib.files.dropMissingOf(id);
    expect(lib.ids('b.jpg')).toEqual([]);
    expect(lib.ids('here')).toEqual([id]);
    // The file's content changed: its row re-points at another photo, which takes the name.
    const edited = lib.addPhoto();
    lib.files.upsert({
      folderId: lib.root,
      relPath: 'moved/here.jpg',
      photoId: edited,
      size: 2,
      mtimeMs: 2,
      status: 'ok',
      error: null,
      now: 2,
    });
    expect(lib.ids('here')).toEqual([edited]);
  });

  it('forgets a deleted photo', () => {
    const lib = library();
    const id = lib.addPhoto('gone/photo.jpg');
    const kept = lib.addPhoto('kept/photo.jpg');
    lib.understand(id, { caption: 'Fireworks.', text: 'HAPPY NEW YEAR', tags: ['night'] });
    lib.files.markMissing(lib.root, 'gone/photo.jpg', 1);
    lib.files.dropAllMissing();
    expect(lib.photos.deleteIfOrphan(id)).not.toBeNull();
    for (const q of ['fireworks', 'appy', 'night', 'gone']) expect(lib.ids(q), q).toEqual([]);
    expect(lib.ids('photo')).toEqual([kept]);
  });

  it('ranks a photo whose tag matches above one that only mentions the word, and pages', () => {
    const lib = library();
    const mention = lib.addPhoto('x.jpg');
    const tagged = lib.addPhoto('y.jpg');
    lib.understand(mention, { caption: 'A long caption about a park bench, a lamp post, a path and a distant dog walker.' });
    lib.understand(tagged, { caption: 'A dog.', tags: ['dog'] });
    expect(lib.ids('dog')).toEqual([tagged, mention]);
    expect(lib.search.lexical('dog', { limit: 1, offset: 1 }).map((h) => h.photoId)).toEqual([mention]);
    expect(lib.search.lexical('dog', { limit: 0 })).toEqual([]);
  });

  const HOSTILE: string[] = [
    '',
    '   \t\n ',
    'x'.repeat(10_000),
    'word '.repeat(2_000),
    '"',
    '"dog',
    'dog"',
    '""',
    '"""',
    '*',
    'dog*',
    '*dog',
    'NEAR(dog cat)',
    'NEAR(',
    'dog NEAR/2 cat',
    'AND',
    'OR',
    'NOT',
    'dog AND',
    'OR cat',
    'dog NOT cat',
    '-dog',
    '- -',
    'caption:dog',
    '{caption}: dog',
    ':',
    '^dog',
    '(dog',
    'dog)',
    '+',
    "'; DROP TABLE photos; --",
    "' OR 1=1 --",
    'search_fts MATCH *',
    'rowid = 1',
    '🐶',
    '🐶 dog 👍🏽',
    'שלום עולם',
    'مرحبا بالعالم',
    '\u202Egnp.exe',
    '東京タワー',
    '写真',
    '한국어',
    'dog\u0000cat',
    '\u0000',
    '\uD800',
    'a\uDC00b',
    'e\u0301',
    '\u200B\u200D',
    'C:\\Users\\ana\\Pictures',
    '%_%',
    '\\"',
  ];

  it.each(HOSTILE.map((q) => [JSON.stringify(q).slice(0, 40), q]))('never throws on %s', (_, q) => {
    const lib = library();
    const id = lib.addPhoto('dog/cat.jpg');
    lib.understand(id, { caption: 'A dog and a cat near 東京タワー.', text: 'SHALOM שלום' });
    const hits = lib.search.lexical(q, { limit: 10 });
    expect(Array.isArray(hits)).toBe(true);
    expect(lib.db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(1);
  });

  it('never throws on random mixes of syntax, scripts and control characters', () => {
    const lib = library();
    lib.understand(lib.addPhoto('dog/cat.jpg'), { caption: 'A dog and a cat.', text: 'EXIT 12' });
    const pool = [
      '"',
      '*',
      '(',
      ')',
      ':',
      '-',
      '+',
      '^',
      '{',
      '}',
      ' ',
      'AND',
      'OR',
      'NOT',
      'NEAR',
      'dog',
      'ca',
      '\u0000',
      '🐶',
      'ש',
      '東',
      '\uD800',
      'é',
      ';',
      "'",
    ];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const q = Array.from({ length: 1 + (next() % 12) }, () => pool[next() % pool.length]).join('');
      expect(() => lib.search.lexical(q, { limit: 5 }), JSON.stringify(q)).not.toThrow();
    }
  });

  it('treats FTS5 and SQL syntax as plain words', () => {
    const lib = library();
    const id = lib.addPhoto('a.jpg');
    lib.understand(id, { caption: 'Not a dog, near the cat; or so.' });
    expect(lib.ids('NOT dog')).toEqual([id]); // the word "not", not an operator
    expect(lib.ids('NEAR( dog')).toEqual([id]);
    expect(lib.ids('NEAR(dog')).toEqual([]); // the phrase "near dog": not in that order
    expect(lib.ids('-dog')).toEqual([id]);
    expect(lib.ids('"cat"')).toEqual([id]);
    expect(lib.ids('caption:dog')).toEqual([]); // one phrase "caption dog": no column filter
    expect(lib.ids('dog OR elephant')).toEqual([]); // three words, all required
    expect(lib.ids('🐶 dog')).toEqual([id]); // a word without letters or digits is dropped
    expect(lib.ids('東京')).toEqual([]);
    expect(lib.ids("' OR 1=1 --")).toEqual([]);
  });

  it('builds quoted words only, the last a prefix, with a bounded number of words', () => {
    expect(buildLexicalQuery('  say "hi" NEAR(x) ')).toEqual([
      { main: '"say"', trigram: '"say"' },
      { main: '"""hi"""', trigram: null },
      { main: '"NEAR(x)"*', trigram: '"NEAR(x"' },
    ]);
    expect(buildLexicalQuery('dog\u0000cat')).toEqual([
      { main: '"dog"', trigram: '"dog"' },
      { main: '"cat"*', trigram: '"cat"' },
    ]);
    expect(buildLexicalQuery('- * 🐶 ""')).toEqual([]);
    expect(buildLexicalQuery('w '.repeat(100))).toHaveLength(MAX_QUERY_WORDS);
  });
});
