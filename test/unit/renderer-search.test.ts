/**
 * @file Unit tests of the search UI's pure logic: cutting a chip's span out of the query (and finding it
 * again after more typing), the recent searches list, the request sequence, the highlighted snippet
 * parts, and the ordering of answers (a late answer to an older search never replaces a newer one; pages
 * are fetched by offset; the header follows the newest page answer). The flat (headerless) grid layout
 * that the results use is tested here too.
 */
import { describe, expect, it } from 'vitest';
import type { ApiClient, RequestArgs, SearchItem, SearchResult } from '../../preload/contract';
import { buildLayout } from '../../renderer/src/features/library/grid-layout';
import { highlightParts, reasonsText, scorePercent, shownReasons } from '../../renderer/src/features/search/match-text';
import { cutSpan, locateSpan, tidyQuery } from '../../renderer/src/features/search/query-text';
import { chipKindWord } from '../../renderer/src/features/search/search-chips';
import { coverageLabel, resultsLabel, weakerLabel } from '../../renderer/src/features/search/search-header';
import { addRecent, MAX_RECENTS, parseRecents, removeRecent } from '../../renderer/src/features/search/recent-searches';
import { RequestSequence } from '../../renderer/src/features/search/request-sequence';
import { ApiError } from '../../preload/api-error';
import { SearchRunner, searchErrorText, type SearchRunState } from '../../renderer/src/features/search/search-runner';
import { SearchSession } from '../../renderer/src/features/search/search-session';

describe('query text', () => {
  it('cuts a chip span and tidies the spaces and separators left', () => {
    expect(cutSpan('kids on the beach 2019', [18, 22])).toBe('kids on the beach');
    expect(cutSpan('videos of cats in Lisbon', [0, 6])).toBe('of cats in Lisbon');
    expect(cutSpan('cats  in 2019   at home', [6, 13])).toBe('cats at home');
    expect(cutSpan('Lisbon, 2019, beach', [8, 12])).toBe('Lisbon, beach');
    expect(cutSpan('2019', [0, 4])).toBe('');
  });

  it('clamps a span outside the text instead of throwing', () => {
    expect(cutSpan('cats', [2, 99])).toBe('ca');
    expect(cutSpan('cats', [-5, 1])).toBe('ats');
    expect(cutSpan('cats', [3, 1])).toBe('cats');
  });

  it('keeps emoji and right-to-left text whole', () => {
    const q = '🐈 قطط 2019';
    expect(cutSpan(q, [q.indexOf('2019'), q.length])).toBe('🐈 قطط');
  });

  it('tidies doubled spaces, spaces before punctuation and dangling separators', () => {
    expect(tidyQuery('  a   b , c ;  ')).toBe('a b, c');
    expect(tidyQuery(', beach')).toBe('beach');
    expect(tidyQuery('beach,, sand')).toBe('beach, sand');
  });

  it('finds a chip again in text typed on since its answer, or says it is gone', () => {
    const answered = 'cats 2019';
    expect(locateSpan(answered, answered, [5, 9])).toEqual([5, 9]);
    // Typed after it: same offsets.
    expect(locateSpan('cats 2019 in snow', answered, [5, 9])).toEqual([5, 9]);
    // Typed before it: the phrase moved.
    expect(locateSpan('black cats 2019', answered, [5, 9])).toEqual([11, 15]);
    // The phrase itself was edited, or occurs twice: no span.
    expect(locateSpan('cats 2018', answered, [5, 9])).toBeNull();
    expect(locateSpan('2019 cats 2019x', answered, [5, 9])).toBeNull();
    expect(locateSpan(answered, answered, [5, 40])).toBeNull();
  });
});

describe('recent searches', () => {
  it('puts the newest first, without duplicates (case and spacing aside), at most ten', () => {
    let list: string[] = [];
    for (let i = 0; i < 12; i++) list = addRecent(list, `query ${i}`);
    expect(list).toHaveLength(MAX_RECENTS);
    expect(list[0]).toBe('query 11');
    expect(list).not.toContain('query 1');
    list = addRecent(list, '  QUERY   5 ');
    expect(list[0]).toBe('QUERY 5');
    expect(list.filter((q) => q.toLowerCase() === 'query 5')).toHaveLength(1);
    expect(list).toHaveLength(MAX_RECENTS);
  });

  it('ignores blank and very long queries', () => {
    expect(addRecent(['a'], '   ')).toEqual(['a']);
    expect(addRecent(['a'], 'x'.repeat(10_000))).toEqual(['a']);
  });

  it('removes one', () => {
    expect(removeRecent(['beach', 'cats', 'snow'], 'Cats')).toEqual(['beach', 'snow']);
  });

  it('reads back only a clean list from storage', () => {
    expect(parseRecents(JSON.stringify(['b', 'a', 'B', 3, null, ' ']))).toEqual(['b', 'a']);
    expect(parseRecents('{"not":"a list"}')).toEqual([]);
    expect(parseRecents('not json')).toEqual([]);
    expect(parseRecents(null)).toEqual([]);
    expect(parseRecents(JSON.stringify(Array.from({ length: 30 }, (_, i) => `q${i}`)))).toHaveLength(MAX_RECENTS);
  });
});

describe('request sequence', () => {
  it('knows the newest request and accepts answers only in increasing order', () => {
    const s = new RequestSequence();
    const a = s.next();
    const b = s.next();
    expect(s.isLatest(a)).toBe(false);
    expect(s.isLatest(b)).toBe(true);
    expect(s.accept(b)).toBe(true);
    expect(s.accept(a)).toBe(false); // overtaken
    expect(s.accept(b)).toBe(false); // once
    expect(s.accept(b + 1)).toBe(false); // never issued
  });
});

describe('match text', () => {
  it('splits a snippet into plain and marked parts, merging overlaps and ignoring junk ranges', () => {
    const parts = highlightParts({
      text: 'a baboon on a rock',
      highlights: [
        [14, 18],
        [2, 8],
        [4, 6],
        [30, 40],
        [5, 5],
      ],
    });
    expect(parts).toEqual([
      { text: 'a ', mark: false },
      { text: 'baboon', mark: true },
      { text: ' on a ', mark: false },
      { text: 'rock', mark: true },
    ]);
  });

  it('starts near the first highlight when it is far into the text, at a word', () => {
    const text = `${'lorem ipsum dolor sit amet '.repeat(3)}receipt from the hotel`;
    const at = text.indexOf('receipt');
    const parts = highlightParts({ text, highlights: [[at, at + 7]] }, 24);
    expect(parts[0]).toEqual({ text: '…', mark: false });
    expect(parts.find((p) => p.mark)?.text).toBe('receipt');
    const shown = parts.map((p) => p.text).join('');
    expect(shown.length).toBeLessThan(text.length);
    expect(shown.slice(1, 2)).not.toBe(' ');
    expect(text.endsWith(shown.slice(1))).toBe(true);
  });

  it('says nothing for a filter-only match and "Similar meaning" for a dense one', () => {
    expect(shownReasons([{ field: 'filters' }])).toEqual([]);
    expect(reasonsText([{ field: 'meaning' }, { field: 'file', snippet: { text: 'baboon.jpg', highlights: [[0, 6]] } }])).toBe(
      'Similar meaning · File name: baboon.jpg',
    );
  });

  it('shows the score as a clamped percentage', () => {
    expect(scorePercent(0.873)).toBe('87%');
    expect(scorePercent(1.2)).toBe('100%');
    expect(scorePercent(Number.NaN)).toBe('0%');
  });
});

describe('results header words', () => {
  it('counts results, coverage while understanding runs, and the weaker matches Loose would show', () => {
    expect(resultsLabel(0)).toBe('No results');
    expect(resultsLabel(1)).toBe('1 result');
    expect(resultsLabel(1234)).toBe('1,234 results');
    expect(coverageLabel({ photos: 5000, understood: 1234, embedded: 0 })).toBe('1,234 of 5,000 photos understood so far');
    expect(coverageLabel({ photos: 5000, understood: 5000, embedded: 5000 })).toBeNull();
    expect(coverageLabel({ photos: 0, understood: 0, embedded: 0 })).toBeNull();
    expect(weakerLabel({ hidden: 12 }, 'normal')).toBe('Show 12 weaker matches');
    expect(weakerLabel({ hidden: 1 }, 'strict')).toBe('Show 1 weaker match');
    expect(weakerLabel({ hidden: 12 }, 'loose')).toBeNull();
    expect(weakerLabel({ hidden: 0 }, 'normal')).toBeNull();
  });

  it("names a chip's kind unless its label already does", () => {
    expect(chipKindWord({ kind: 'date', label: '2019' })).toBe('Date');
    expect(chipKindWord({ kind: 'folder', label: 'Folder: Trips' })).toBeNull();
  });
});

describe('flat layout for results', () => {
  it('has no month rows without headers', () => {
    const l = buildLayout([{ key: 'results', count: 7, firstIndex: 0 }], 3, false);
    expect(l.rows.every((r) => r.kind === 'photos')).toBe(true);
    expect(l.rows).toHaveLength(3);
    expect(l.total).toBe(7);
  });
});

function item(id: number): SearchItem {
  return {
    id,
    kind: 'image',
    thumb: null,
    width: null,
    height: null,
    takenAt: '2024-07-01T10:00:00',
    day: '2024-07-01',
    name: `p${id}.jpg`,
    status: 'ok',
    score: 0.5,
    why: [{ field: 'file', snippet: { text: `p${id}.jpg`, highlights: [] } }],
  };
}

/** A search backend whose answers the test releases one by one, in any order. */
function fakeSearch(total = 250) {
  const calls: RequestArgs<'search:query'>[] = [];
  const waiting: { args: RequestArgs<'search:query'>; release: (fail?: string) => void }[] = [];
  const call = async (method: string, args: RequestArgs<'search:query'>): Promise<SearchResult> => {
    expect(method).toBe('search:query');
    calls.push(args);
    const ordinal = calls.length;
    const failure = await new Promise<string | undefined>((resolve) => waiting.push({ args, release: resolve }));
    if (failure) throw new Error(failure);
    const offset = args.offset ?? 0;
    const limit = args.limit ?? 100;
    const n = Math.max(0, Math.min(limit, total - offset));
    return {
      items: Array.from({ length: n }, (_, k) => item(offset + k + 1)),
      total,
      hidden: 0,
      filters: [],
      semantic: args.text,
      mode: 'lexical',
      // Which request this answers, for the tests of answer order.
      coverage: { photos: total, understood: ordinal, embedded: 0 },
    };
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return {
    client: { call } as unknown as Pick<ApiClient, 'call'>,
    calls,
    /** Answers the request for `text` (the first one waiting, or the one at `offset`), then lets promises settle. */
    answer: async (text: string, fail?: string, offset?: number) => {
      const i = waiting.findIndex((w) => w.args.text === text && (offset === undefined || w.args.offset === offset));
      if (i < 0) throw new Error(`no request for "${text}" waiting`);
      waiting.splice(i, 1)[0]!.release(fail);
      await settle();
    },
    answerAll: async () => {
      while (waiting.length) waiting.shift()!.release();
      await settle();
    },
  };
}

const q = (text: string) => ({ text, strictness: 'normal' as const, sort: 'relevance' as const });

describe('search runner: answers in order', () => {
  it('drops a late answer to an older search', async () => {
    const f = fakeSearch();
    const states: SearchRunState[] = [];
    const runner = new SearchRunner(f.client, (s) => states.push(s));
    runner.run(q('ca'));
    runner.run(q('cat'));
    expect(runner.current.searching).toBe(true);
    await f.answer('cat');
    expect(runner.current.shown?.query.text).toBe('cat');
    expect(runner.current.searching).toBe(false);
    await f.answer('ca');
    // The older answer arrived last and is not shown, then or ever.
    expect(runner.current.shown?.query.text).toBe('cat');
    expect(states.map((s) => s.shown?.query.text ?? null)).not.toContain('ca');
  });

  it('an error shows only for the newest search and keeps nothing stale on screen', async () => {
    const f = fakeSearch();
    const runner = new SearchRunner(f.client, () => {});
    runner.run(q('cat'));
    await f.answer('cat');
    runner.run(q('x'.repeat(20)));
    await f.answer('x'.repeat(20), 'query is too long');
    expect(runner.current).toMatchObject({ shown: null, searching: false, error: 'query is too long' });
    runner.run(q('dog'));
    runner.run(q('dogs'));
    await f.answer('dog', 'late failure');
    expect(runner.current.error).toBe('query is too long'); // the stale failure changed nothing
    await f.answer('dogs');
    expect(runner.current).toMatchObject({ searching: false, error: null });
    expect(runner.current.shown?.query.text).toBe('dogs');
  });

  it('a blank query clears the results at once and drops answers on the way', async () => {
    const f = fakeSearch();
    const runner = new SearchRunner(f.client, () => {});
    runner.run(q('cat'));
    await f.answer('cat');
    runner.run(q('cats'));
    runner.run(q('   '));
    expect(runner.current.shown).toBeNull();
    expect(f.calls.map((c) => c.text)).toEqual(['cat', 'cats']); // blank is never sent
    await f.answer('cats');
    expect(runner.current.shown).toBeNull();
  });

  it("says what is wrong with a refused query, in the validator's words", () => {
    const refused = new ApiError('bad-argument', 'Invalid arguments for search:query: text: query is too long', [
      { path: 'text', message: 'query is too long (at most 10000 characters)' },
    ]);
    expect(searchErrorText(refused)).toBe('query is too long (at most 10000 characters)');
    expect(searchErrorText(new ApiError('unavailable', 'the index is being rebuilt'))).toBe('the index is being rebuilt');
  });

  it('a quiet refresh that fails keeps the results', async () => {
    const f = fakeSearch();
    const runner = new SearchRunner(f.client, () => {});
    runner.run(q('cat'));
    await f.answer('cat');
    const before = runner.current.shown;
    runner.run(q('cat'), true);
    expect(runner.current.searching).toBe(false);
    await f.answer('cat', 'socket down');
    expect(runner.current.shown).toBe(before);
    expect(runner.current.error).toBeNull();
  });
});

describe('search session', () => {
  it('hands its first page to the grid and pages on by offset', async () => {
    const f = fakeSearch(250);
    const s = new SearchSession(f.client, { text: 'cat', strictness: 'strict', sort: 'date' }, 100);
    const started = s.start();
    await f.answerAll();
    await expect(started).resolves.toMatchObject({ total: 250, semantic: 'cat' });
    // The grid asks for page 0 (already here: no second request) and page 2.
    s.store.ensureRange(0, 50);
    s.store.ensureRange(200, 230);
    await f.answerAll();
    expect(f.calls.map((c) => [c.offset, c.limit, c.strictness, c.sort])).toEqual([
      [0, 100, 'strict', 'date'],
      [200, 100, 'strict', 'date'],
    ]);
    expect(s.store.get(0)?.id).toBe(1);
    expect(s.store.get(249)?.id).toBe(250);
  });

  it('takes the header from the newest page answer, not from one that was overtaken', async () => {
    const f = fakeSearch(250);
    const s = new SearchSession(f.client, q('cat'), 100);
    const started = s.start();
    await f.answerAll();
    await started;
    expect(s.meta?.coverage.understood).toBe(1);
    s.store.ensureRange(100, 110); // request 2
    s.store.ensureRange(200, 210); // request 3
    const [older, newer] = [f.calls[1]!, f.calls[2]!];
    expect([older.offset, newer.offset]).toEqual([100, 200]);
    // Answer the newer request first, then the older one.
    await f.answer('cat', undefined, 200);
    expect(s.meta?.coverage.understood).toBe(3);
    await f.answer('cat', undefined, 100);
    expect(s.meta?.coverage.understood).toBe(3);
    // Both pages are kept all the same.
    expect(s.store.get(100)?.id).toBe(101);
    expect(s.store.get(200)?.id).toBe(201);
  });
});
