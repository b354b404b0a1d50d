/**
 * @file Search under hostile and odd input (issue 9, item 8), on a real SQLite file with the embedding
 * step's vectors from the ConceptEmbedder test double (helpers/search-library.ts): empty, blank and
 * 10,000-character queries, FTS5 syntax, SQL-shaped text, emoji, right-to-left and CJK scripts, a date
 * that does not exist, a model switch while the query is embedded, and searches while a folder is
 * being scanned. Each gives a sensible result or a clear notice, never an exception; the library is
 * intact afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '../../preload/contract';
import { createSearch, type Search } from '../../main/search/hybrid-search';
import { makeHarness } from './helpers/library-harness';
import { makeSearchLibrary, PHOTOS, type SearchLibrary } from './helpers/search-library';

const now = new Date(2026, 10, 30, 12, 0, 0);
const names = (r: SearchResult) => r.items.map((i) => i.name);

/** What every result must be, whatever the query. */
function wellFormed(r: SearchResult) {
  expect(Array.isArray(r.items)).toBe(true);
  expect(r.total).toBeGreaterThanOrEqual(r.items.length);
  expect(r.hidden).toBeGreaterThanOrEqual(0);
  expect(['lexical', 'hybrid']).toContain(r.mode);
  for (const i of r.items) {
    expect(i.score).toBeGreaterThanOrEqual(0);
    expect(i.score).toBeLessThanOrEqual(1);
    expect(i.why.length).toBeGreaterThan(0);
    for (const w of i.why) {
      if (!('snippet' in w)) continue;
      for (const [a, b] of w.snippet.highlights) {
        expect(a).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThanOrEqual(w.snippet.text.length);
        expect(a).toBeLessThan(b);
      }
    }
  }
  for (const c of r.filters) expect(c.span[0]).toBeLessThanOrEqual(c.span[1]);
}

const nothing = (r: SearchResult) => expect(r).toMatchObject({ items: [], total: 0, hidden: 0, filters: [], semantic: '' });
const finds = (name: string) => (r: SearchResult) => expect(names(r)).toContain(name);
const any = () => {};

const CASES: [string, string, (r: SearchResult) => void][] = [
  ['empty', '', nothing],
  ['white space only', ' \n\t\u00a0 ', nothing],
  ['10,000 characters of one letter', 'x'.repeat(10_000), (r) => expect(r.items).toEqual([])],
  ['10,000 characters of words', 'dog '.repeat(2500), finds('sofa.jpg')],
  ['a lone quote', '"', (r) => expect(r.items).toEqual([])],
  ['an unbalanced quote before a word', '"dog', finds('sofa.jpg')],
  ['an unbalanced quote after a word', 'dog"', finds('sofa.jpg')],
  ['a star', '*', (r) => expect(r.items).toEqual([])],
  ['a word with a star', 'dog*', finds('sofa.jpg')],
  ['NEAR(', 'NEAR(dog sofa', any],
  ['AND as a word', 'dog AND sofa', finds('sofa.jpg')], // by meaning: "and" is not in the caption
  ['OR and NOT', 'NOT dog OR cat', any],
  ['a minus', '-dog', finds('sofa.jpg')],
  ['a column filter', 'caption:dog', finds('sofa.jpg')],
  ['a colon alone', ':', (r) => expect(r.items).toEqual([])],
  ['SQL', "'; DROP TABLE photos; --", any],
  ['SQL tautology', "' OR 1=1 --", any],
  ['LIKE wildcards', '% _ \\', (r) => expect(r.items).toEqual([])],
  ['emoji alone', '🐶', (r) => expect(r.items).toEqual([])],
  ['emoji and a word', '🐶 dog', finds('sofa.jpg')],
  ['Hebrew', 'כלב על ספה', any],
  ['Arabic', 'كلب على الأريكة', any],
  ['CJK', '東京 タワー 夜景', any],
  ['German by meaning', 'Hund', finds('sofa.jpg')],
  ['a date that does not exist', 'February 30', (r) => expect(r.filters).toEqual([])],
  ['a date that does not exist, with words', 'dog on February 30', (r) => expect(r.filters.filter((f) => f.kind === 'date')).toEqual([])],
  ['a NUL and a lone surrogate', 'dog\0\uD800', finds('sofa.jpg')],
  ['control characters', '\u0001\u0002dog\u007f', any],
];

describe('search with odd input', () => {
  let lib: SearchLibrary;
  let search: Search;
  beforeAll(async () => {
    lib = makeSearchLibrary(PHOTOS.slice(0, 10));
    await lib.embedAll();
    search = createSearch({ db: lib.db, embedder: lib.embedder });
  });
  afterAll(async () => {
    search.close();
    await lib.dispose();
  });

  it.each(CASES)('%s', async (_what, query, expectation) => {
    for (const strictness of ['loose', 'normal', 'strict'] as const) {
      for (const sort of ['relevance', 'date'] as const) {
        const r = await search.search(query, { limit: 50, offset: 0, now, strictness, sort, waitMs: 3000 });
        wellFormed(r);
        if (strictness === 'loose' && sort === 'relevance') expectation(r);
      }
    }
  });

  it('pages past the end and with odd numbers without throwing, and leaves the library intact', async () => {
    for (const [limit, offset] of [
      [Number.NaN, Number.NaN],
      [50, 1e12],
      [-5, -5],
      [1e9, 0],
    ] as const) {
      const r = await search.search('dog', { limit, offset, now });
      wellFormed(r);
    }
    expect(lib.db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(10);
  });

  it('answers while the embedder is switched during the query: lexical, with a notice', async () => {
    lib.embedder.gate = new Promise((resolve) =>
      setTimeout(() => {
        lib.embedder.model = 'concepts-v2';
        resolve();
      }, 20),
    );
    try {
      const r = await search.search('hound', { limit: 50, offset: 0, now, waitMs: 3000 });
      wellFormed(r);
      expect(r).toMatchObject({ mode: 'lexical', items: [{ name: 'field.jpg' }] });
      expect(r.notice).toMatch(/being switched/);
    } finally {
      lib.embedder.gate = null;
      lib.embedder.model = 'concepts-v1';
    }
  });
});

describe('search while a folder is scanned', () => {
  it('answers from what is indexed so far, and finds the new photos once they are', async () => {
    const h = makeHarness({}, true);
    try {
      const search = createSearch({ db: h.db, embedder: null });
      const ask = () => search.search('butterfly', { limit: 50, offset: 0, now });
      const scan = h.lib.addFolder(h.photosDir);
      const during: SearchResult[] = [];
      for (let i = 0; i < 5; i++) {
        during.push(await ask());
        await new Promise((r) => setTimeout(r, 5));
      }
      await scan;
      await h.lib.whenIdle();
      for (const r of during) {
        wellFormed(r);
        expect(r.total).toBeLessThanOrEqual(1);
      }
      const after = await ask();
      expect(names(after)).toEqual(['butterfly.jpg']);
      expect(after.mode).toBe('lexical');
      expect(after.notice).toMatch(/words only/);
      // A rescan of the same folder while searching: the same answer throughout.
      const again = h.lib.rescan();
      expect(names(await ask())).toEqual(['butterfly.jpg']);
      await again;
      await h.lib.whenIdle();
      expect(names(await ask())).toEqual(['butterfly.jpg']);
    } finally {
      await h.dispose();
    }
  });
});
