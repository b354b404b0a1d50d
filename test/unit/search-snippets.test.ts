/**
 * @file Highlights and snippets (main/search/snippets.ts, [Note: Highlights follow the index's
 * tokenizer]) and the reasons built from them (main/search/match-reasons.ts): words are marked where
 * FTS5 matches them (case and diacritics folded, whole tokens, the last word as a prefix, a file name's
 * parts as a phrase, inside words only in the text in the image), offsets count UTF-16 units of the
 * stored text (emoji, CJK, right-to-left), long text is cut around the first match with its marks moved.
 */
import { describe, expect, it } from 'vitest';
import type { PhotoFields } from '../../main/db/search-fields.repo';
import { wordReasons } from '../../main/search/match-reasons';
import { highlight, listSnippet, queryTerms, snippet, SNIPPET_CHARS } from '../../main/search/snippets';

/** The marked parts of `text`. */
const marked = (text: string, query: string, insideWords = false) =>
  highlight(text, queryTerms(query), { insideWords }).map(([a, b]) => text.slice(a, b));

describe('highlights', () => {
  it.each([
    ['A yellow tram on a cobbled street', 'tram street', ['tram', 'street']],
    ['Crowd on Avenida Paulista in SÃO PAULO', 'sao paulo', ['SÃO', 'PAULO']],
    ['Café Müller', 'cafe muller', ['Café', 'Müller']],
    ['A beach at sunset', 'bea', ['beach']], // the last word is a prefix
    ['A beach at sunset', 'bea sunset', ['sunset']], // only the last word is; each word is marked where it occurs
    ['IMG_2044.JPG', 'img_2044', ['IMG_2044']], // a word's parts match as a phrase
    ['IMG 2044 and 2044 IMG', 'img_2044', ['IMG 2044']],
    ['Ice-cream stand', 'cream', ['cream']],
    ['東京タワーの夜景', '東京', ['東京タワーの夜景']], // one CJK run is one token, as in FTS5
    ['מסעדה בתל אביב', 'אביב', ['אביב']],
    ['🎂 Birthday cake 🎂', 'cake', ['cake']],
    ['"NEAR(" AND *', '"NEAR( AND *', ['NEAR', 'AND']],
  ])('%j marked for %j', (text, query, want) => {
    expect(marked(text, query)).toEqual(want);
  });

  it('offsets count UTF-16 units of the stored text, before and after astral characters', () => {
    const text = '😀😀 cake';
    expect(highlight(text, queryTerms('cake'))).toEqual([[5, 9]]);
    // A decomposed "é" (e + combining accent) is one letter of the word.
    expect(marked('cafe\u0301 noir', 'café')).toEqual(['cafe\u0301']);
  });

  it('marks inside words only when asked (the text in the image)', () => {
    expect(marked('SUPERMERCADO PÃO DE AÇÚCAR', 'acuc mercado')).toEqual([]);
    expect(marked('SUPERMERCADO PÃO DE AÇÚCAR', 'acuc mercado', true)).toEqual(['MERCADO', 'AÇÚC']);
    expect(marked('TOTAL 123,45', 'de', true)).toEqual([]); // under 3 characters: whole tokens only
  });

  it('merges overlapping marks and marks nothing for a query without words', () => {
    expect(marked('sunset', 'sun sunset', true)).toEqual(['sunset']);
    for (const q of ['', '   ', '*', '"', '-:']) expect(marked('sunset', q)).toEqual([]);
  });
});

describe('snippets', () => {
  it('keeps short text whole', () => {
    expect(snippet('A tram', [[2, 6]])).toEqual({ text: 'A tram', highlights: [[2, 6]] });
  });

  it('cuts long text around the first mark, at word boundaries, and moves the marks', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`);
    words[50] = 'receipt';
    const text = words.join(' ');
    const s = snippet(text, highlight(text, queryTerms('receipt')));
    expect(s.text.length).toBeLessThanOrEqual(SNIPPET_CHARS + 2);
    expect(s.text.startsWith('…word')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.highlights).toHaveLength(1);
    const [a, b] = s.highlights[0]!;
    expect(s.text.slice(a, b)).toBe('receipt');
  });

  it('lists the items of a list that hold a word, or the first ones', () => {
    const s = listSnippet(['beach', 'sky', 'sunset', 'people'], queryTerms('sunset beach'));
    expect(s.text).toBe('beach, sunset');
    expect(s.highlights.map(([a, b]) => s.text.slice(a, b))).toEqual(['beach', 'sunset']);
    expect(listSnippet(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'], queryTerms('zebra'))).toEqual({ text: 'a.jpg, b.jpg, c.jpg', highlights: [] });
  });
});

describe('match reasons', () => {
  const fields: PhotoFields = {
    photoId: 1,
    caption: 'A yellow tram climbs a narrow street.',
    tags: ['street', 'train'],
    text: 'PRÓXIMA PARADA: Liberdade',
    files: ['IMG_2044.JPG'],
    folders: ['2019/Lisboa'],
    camera: 'FUJIFILM X-T30',
    place: 'Lisbon ; Lisbon ; Portugal ; Lisboa ; Lissabon',
  };

  it('gives a snippet per matched column, in the UI order, with the words marked', () => {
    const why = wordReasons(fields, ['caption', 'tags', 'folders'], queryTerms('street lisboa'), false);
    expect(why.map((r) => r.field)).toEqual(['caption', 'tags', 'folder']);
    const texts = why.map((r) => ('snippet' in r ? r.snippet.highlights.map(([a, b]) => r.snippet.text.slice(a, b)) : []));
    expect(texts).toEqual([['street'], ['street'], ['Lisboa']]);
  });

  it('names the place in English and adds the other name that matched', () => {
    const [place] = wordReasons(fields, ['places'], queryTerms('lissabon'), false);
    expect(place).toEqual({ field: 'place', snippet: { text: 'Lisbon, Lisbon, Portugal (Lissabon)', highlights: [[26, 34]] } });
    const [plain] = wordReasons(fields, ['places'], queryTerms('portugal'), false);
    expect(plain).toMatchObject({ snippet: { text: 'Lisbon, Lisbon, Portugal', highlights: [[16, 24]] } });
  });

  it('marks the text in the image inside words, and falls back when the index named no column', () => {
    const [text] = wordReasons(fields, ['text'], queryTerms('berda'), false);
    expect(text).toMatchObject({ field: 'text', snippet: { highlights: [[18, 23]] } });
    expect(wordReasons(fields, [], queryTerms('fujifilm'), false)).toEqual([
      { field: 'camera', snippet: { text: 'FUJIFILM X-T30', highlights: [[0, 8]] } },
    ]);
    // Nothing to show (the text changed since): meaning if the meaning found it too, else a field.
    expect(wordReasons(fields, [], queryTerms('zebra'), true)).toEqual([{ field: 'meaning' }]);
    expect(wordReasons(fields, [], queryTerms('zebra'), false)[0]?.field).toBe('caption');
  });
});
