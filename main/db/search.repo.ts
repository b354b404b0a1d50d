/**
 * @file SQL for lexical search over the index of migration 0005 ([Note: Search index] in
 * migrations/0005-search-fts.ts): photo ids ranked by bm25 among the photos that pass a query's filters,
 * with the columns that matched, from a query the user typed.
 *
 * Runs in main (and the CLI, host and tests). Which words to search for (stop words, dates, places) is
 * the query parser's business (main/search/); this file only makes any text safe to look up.
 *
 * [Note: Safe FTS5 queries] The user's text never reaches FTS5's query syntax. `buildLexicalQuery` splits
 * it on white space and control characters, keeps the words that hold a letter or a digit (a word the
 * tokenizer reduces to nothing would be an empty phrase, which matches no row and would empty the whole
 * AND), and quotes each as an FTS5 string (`"` doubled), so `AND`, `NEAR(`, `*`, `-`, `:` and stray quotes
 * are plain words. Inside a string the tokenizer splits as it did when indexing: `IMG_1234` becomes the
 * phrase "img 1234". The last word is a prefix (`"bea"*`: the user is still typing). Every word must
 * match (AND), in any column of `search_fts`, or, when it has 3 characters or more, as a substring of the
 * text in the image (`search_text_trigram`). Control characters and lone surrogates become spaces: FTS5
 * reads a NUL as the end of the query ("unterminated string").
 */
import type { Db } from './open';
import type { FilterSql } from './photo-filter';

/** The columns of `search_fts`, in the migration's order. */
export const SEARCH_COLUMNS = ['caption', 'tags', 'text', 'files', 'folders', 'camera', 'places'] as const;
export type SearchColumn = (typeof SEARCH_COLUMNS)[number];

/**
 * bm25 weights, in column order. A tag is a label judged present (by the model or the user) and its
 * column is short, so a hit there counts double; the other columns count the same until we have queries
 * to tune them on.
 */
const WEIGHTS: Record<SearchColumn, number> = { caption: 1, tags: 2, text: 1, files: 1, folders: 1, camera: 1, places: 1 };

/** Longer input is cut (a query is a few words; this bounds the work of a pasted page). */
export const MAX_QUERY_CHARS = 1000;
/** Words after this many are ignored: an AND of more finds nothing anyway, and each costs an index lookup. */
export const MAX_QUERY_WORDS = 16;
/** Text in the image matches inside words from this length (the trigram tokenizer's unit). */
const MIN_TRIGRAM_CHARS = 3;
const MAX_LIMIT = 1000;
const MAX_OFFSET = 1_000_000_000;

/** One word of a query, as FTS5 expressions. */
export interface QueryWord {
  /** For `search_fts`: a quoted phrase, `*` after it for the last word. */
  main: string;
  /** For `search_text_trigram`: the quoted word without its edge punctuation, or null when too short. */
  trigram: string | null;
}

export interface LexicalHit {
  photoId: number;
  /** Higher is better: minus the sum of the bm25 scores (FTS5's are negative) of both tables. */
  score: number;
  /** The columns holding one of the words, in column order ('text' also for a part-word hit). */
  matched: SearchColumn[];
}

export interface LexicalOptions {
  limit: number;
  offset?: number;
  /** Only photos passing these filters are ranked (main/db/photo-filter.ts); all photos when absent. */
  filter?: FilterSql;
  /** Say which columns matched (one more FTS scan over the hits); true by default. */
  columns?: boolean;
}

export interface SearchRepo {
  /** Photos matching every word of `query`, best first; [] for a query without words. Never throws on any text. */
  lexical(query: string, opts: LexicalOptions): LexicalHit[];
  /** Which columns of these photos' rows hold a word of `query` (as `LexicalHit.matched`). */
  matchedColumns(query: string, photoIds: readonly number[]): Map<number, SearchColumn[]>;
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The words of a query as the index reads them ([Note: Safe FTS5 queries]): split, cleaned, bounded. */
export function queryWords(text: string): string[] {
  return text
    .slice(0, MAX_QUERY_CHARS)
    .replace(/[\p{Cc}\p{Cs}]/gu, ' ')
    .split(/[\s\p{Z}]+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, MAX_QUERY_WORDS);
}

/** The words of `text` as safe FTS5 expressions ([Note: Safe FTS5 queries]); [] when there is none. */
export function buildLexicalQuery(text: string): QueryWord[] {
  const words = queryWords(text);
  return words.map((w, i) => {
    const core = w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    return {
      main: quote(w) + (i === words.length - 1 ? '*' : ''),
      trigram: [...core].length >= MIN_TRIGRAM_CHARS ? quote(core) : null,
    };
  });
}

const clampInt = (n: number | undefined, max: number) =>
  n !== undefined && Number.isFinite(n) ? Math.min(max, Math.max(0, Math.floor(n))) : 0;

const WEIGHT_LIST = SEARCH_COLUMNS.map((c) => WEIGHTS[c]).join(', ');
const passes = (id: string, filter: string | null) =>
  filter === null ? '' : `AND EXISTS (SELECT 1 FROM photos p WHERE p.id = ${id} AND (${filter}))`;

/**
 * Photos with every word in the main index, best first. FTS5 evaluates the AND by stepping through the
 * words' doclists together, so only the photos holding all of them are scored: a common word costs its
 * doclist's length, not a bm25 for each of its photos. Parameters: the AND expression, the filter's, limit.
 */
const allWordsSql = (filter: string | null) => /* sql */ `
  SELECT rowid AS photoId, -bm25(search_fts, ${WEIGHT_LIST}) AS score FROM search_fts
  WHERE search_fts MATCH ? ${passes('search_fts.rowid', filter)}
  ORDER BY score DESC, photoId DESC LIMIT ?`;

/** Photos whose text in the image holds one of the words inside a word (the trigram index), at most `?`. */
const trigramAnySql = 'SELECT rowid FROM search_text_trigram WHERE search_text_trigram MATCH ? LIMIT ?';
/** Which of a list of photos hold an expression in the main index (`+rowid`: see `matchedSql`). */
const mainAmongSql = 'SELECT rowid FROM search_fts WHERE search_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))';
/** The bm25 of a list of photos for an expression, in the main and the trigram index. */
const scoreAmongSql = /* sql */ `
  SELECT rowid AS id, -bm25(search_fts, ${WEIGHT_LIST}) AS s FROM search_fts
  WHERE search_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))`;
const trigramScoreAmongSql = /* sql */ `
  SELECT rowid AS id, -bm25(search_text_trigram) AS s FROM search_text_trigram
  WHERE search_text_trigram MATCH ? AND +rowid IN (SELECT value FROM json_each(?))`;
/** The photos of a list that pass a filter. */
const passingSql = (filter: string) =>
  `SELECT j.value FROM json_each(?) j WHERE EXISTS (SELECT 1 FROM photos p WHERE p.id = j.value AND (${filter}))`;
/** Photos whose text in the image holds some word inside a word: considered at most this many. */
const RESCUE_CAP = 20_000;

/**
 * Which columns hold a word, for the page's photos. bm25 with one column's weight at 1 and the others at 0
 * is non-zero exactly when a phrase occurs in that column (FTS5 floors the IDF at 1e-6, never 0), so one
 * scan answers for every column. `+rowid` keeps the id list out of FTS5: given `rowid = ?`, FTS5 rebuilds
 * a prefix term's whole doclist for each id (125 ms for 50 ids on 100k photos), where one scan costs one.
 */
const matchedSql = /* sql */ `
  SELECT rowid AS id, ${SEARCH_COLUMNS.map((c) => `bm25(search_fts, ${SEARCH_COLUMNS.map((o) => (o === c ? 1 : 0)).join(', ')}) AS ${c}`).join(', ')}
  FROM search_fts WHERE search_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))`;
const trigramIdsSql =
  'SELECT rowid FROM search_text_trigram WHERE search_text_trigram MATCH ? AND +rowid IN (SELECT value FROM json_each(?))';

/** Builds the repository over an open, migrated database. */
export function createSearchRepo(db: Db): SearchRepo {
  // Statements whose text holds a filter's WHERE, by that text; bounded by clearing.
  const byText = new Map<string, ReturnType<typeof db.prepare<unknown[], unknown>>>();
  const prepared = <R>(sql: string) => {
    let stmt = byText.get(sql);
    if (!stmt) {
      if (byText.size >= 64) byText.clear();
      byText.set(sql, (stmt = db.prepare<unknown[], unknown>(sql)));
    }
    return stmt as unknown as ReturnType<typeof db.prepare<unknown[], R>>;
  };
  const matchedStmt = db.prepare<[string, string], { id: number } & Record<SearchColumn, number>>(matchedSql);
  const trigramIdsStmt = db.prepare<[string, string], number>(trigramIdsSql).pluck();
  const trigramAnyStmt = db.prepare<[string, number], number>(trigramAnySql).pluck();
  const mainAmongStmt = db.prepare<[string, string], number>(mainAmongSql).pluck();
  const scoreAmongStmt = db.prepare<[string, string], { id: number; s: number }>(scoreAmongSql);
  const trigramScoreAmongStmt = db.prepare<[string, string], { id: number; s: number }>(trigramScoreAmongSql);

  /**
   * Photos that hold every word, some of them only inside a word of the text in the image (so not in
   * `allWordsSql`'s answer): among the photos whose text holds one of the words, those where each word
   * is in the main index or inside the text. Scored as the main query would, plus the trigram's bm25.
   */
  function rescued(words: QueryWord[], filter: FilterSql | null): { photoId: number; score: number }[] {
    const trigrams = words.flatMap((w) => (w.trigram === null ? [] : [w.trigram]));
    if (trigrams.length === 0) return [];
    const candidates = trigramAnyStmt.all(trigrams.join(' OR '), RESCUE_CAP);
    if (candidates.length === 0) return [];
    const inAll = new Set(mainAmongStmt.all(words.map((w) => w.main).join(' AND '), JSON.stringify(candidates)));
    let ids = candidates.filter((id) => !inAll.has(id));
    for (const w of words) {
      if (ids.length === 0) return [];
      const list = JSON.stringify(ids);
      const has = new Set(mainAmongStmt.all(w.main, list));
      if (w.trigram !== null) for (const id of trigramIdsStmt.all(w.trigram, list)) has.add(id);
      ids = ids.filter((id) => has.has(id));
    }
    if (filter && ids.length)
      ids = prepared<number>(passingSql(filter.where))
        .pluck()
        .all(JSON.stringify(ids), ...filter.params);
    if (ids.length === 0) return [];
    const list = JSON.stringify(ids);
    const score = new Map<number, number>();
    for (const r of scoreAmongStmt.all(words.map((w) => w.main).join(' OR '), list)) score.set(r.id, r.s);
    for (const r of trigramScoreAmongStmt.all(trigrams.join(' OR '), list)) score.set(r.id, (score.get(r.id) ?? 0) + r.s);
    return ids.map((photoId) => ({ photoId, score: score.get(photoId) ?? 0 }));
  }

  function matchedColumns(words: QueryWord[], photoIds: readonly number[]): Map<number, SearchColumn[]> {
    const out = new Map<number, SearchColumn[]>();
    if (words.length === 0 || photoIds.length === 0) return out;
    const ids = JSON.stringify(photoIds);
    const trigrams = words.flatMap((w) => (w.trigram === null ? [] : [w.trigram]));
    const matched = new Map<number, Set<SearchColumn>>();
    for (const m of matchedStmt.all(words.map((w) => w.main).join(' OR '), ids))
      matched.set(m.id, new Set(SEARCH_COLUMNS.filter((c) => m[c] !== 0)));
    for (const id of trigrams.length ? trigramIdsStmt.all(trigrams.join(' OR '), ids) : [])
      matched.set(id, (matched.get(id) ?? new Set<SearchColumn>()).add('text'));
    for (const id of photoIds)
      out.set(
        id,
        SEARCH_COLUMNS.filter((c) => matched.get(id)?.has(c)),
      );
    return out;
  }

  return {
    lexical(query, opts) {
      const words = buildLexicalQuery(query);
      const limit = clampInt(opts.limit, MAX_LIMIT);
      if (words.length === 0 || limit === 0) return [];
      const offset = clampInt(opts.offset, MAX_OFFSET);
      const filter = opts.filter && opts.filter.where !== '1' ? opts.filter : null;
      let rows = prepared<{ photoId: number; score: number }>(allWordsSql(filter?.where ?? null)).all(
        words.map((w) => w.main).join(' AND '),
        ...(filter?.params ?? []),
        offset + limit,
      );
      const more = rescued(words, filter);
      if (more.length) rows = [...rows, ...more].sort((a, b) => b.score - a.score || b.photoId - a.photoId);
      rows = rows.slice(offset, offset + limit);
      if (rows.length === 0) return [];
      const matched =
        opts.columns === false
          ? null
          : matchedColumns(
              words,
              rows.map((r) => r.photoId),
            );
      return rows.map((r) => ({ photoId: r.photoId, score: r.score, matched: matched?.get(r.photoId) ?? [] }));
    },
    matchedColumns: (query, photoIds) => matchedColumns(buildLexicalQuery(query), photoIds),
  };
}
