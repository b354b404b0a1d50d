/**
 * @file SQL for lexical search over the index of migration 0005 ([Note: Search index] in
 * migrations/0005-search-fts.ts): photo ids ranked by bm25, with the columns that matched, from a query
 * the user typed.
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

export interface SearchRepo {
  /** Photos matching every word of `query`, best first; [] for a query without words. Never throws on any text. */
  lexical(query: string, opts: { limit: number; offset?: number }): LexicalHit[];
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The words of `text` as safe FTS5 expressions ([Note: Safe FTS5 queries]); [] when there is none. */
export function buildLexicalQuery(text: string): QueryWord[] {
  const words = text
    .slice(0, MAX_QUERY_CHARS)
    .replace(/[\p{Cc}\p{Cs}]/gu, ' ')
    .split(/[\s\p{Z}]+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, MAX_QUERY_WORDS);
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

const mainMatch = 'SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ?';
const trigramMatch = 'SELECT rowid AS id FROM search_text_trigram WHERE search_text_trigram MATCH ?';

/**
 * The ranked query for a shape (which words have a trigram part). Parameters: per word its main
 * expression and, if any, its trigram one; then the OR of all main expressions, the OR of all trigram
 * ones (if any), limit, offset.
 */
function rankedSql(shape: readonly boolean[]): string {
  const hits = shape.map((tri) => `SELECT id FROM (${mainMatch}${tri ? ` UNION ${trigramMatch}` : ''})`).join('\nINTERSECT\n');
  const weights = SEARCH_COLUMNS.map((c) => WEIGHTS[c]).join(', ');
  const anyTrigram = shape.some(Boolean);
  // MATERIALIZED: flattened into the outer query, bm25 would run outside its FTS5 scan ("unable to use
  // function bm25 in the requested context").
  return /* sql */ `
    WITH hits(id) AS (${hits}),
    scores(id, s) AS MATERIALIZED (
      SELECT rowid, bm25(search_fts, ${weights}) FROM search_fts WHERE search_fts MATCH ?
      ${anyTrigram ? 'UNION ALL SELECT rowid, bm25(search_text_trigram) FROM search_text_trigram WHERE search_text_trigram MATCH ?' : ''}
    )
    SELECT id AS photoId, -sum(s) AS score FROM scores WHERE id IN hits GROUP BY id
    ORDER BY score DESC, id DESC LIMIT ? OFFSET ?`;
}

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
  // Statements by shape ('1' = the word has a trigram part); at most 2^16 shapes, so the cache is bounded.
  const ranked = new Map<string, ReturnType<typeof db.prepare<unknown[], { photoId: number; score: number }>>>();
  const rankedFor = (shape: boolean[]) => {
    const key = shape.map((t) => (t ? '1' : '0')).join('');
    let stmt = ranked.get(key);
    if (!stmt) {
      if (ranked.size >= 64) ranked.clear();
      stmt = db.prepare<unknown[], { photoId: number; score: number }>(rankedSql(shape));
      ranked.set(key, stmt);
    }
    return stmt;
  };
  const matchedStmt = db.prepare<[string, string], { id: number } & Record<SearchColumn, number>>(matchedSql);
  const trigramIdsStmt = db.prepare<[string, string], number>(trigramIdsSql).pluck();

  return {
    lexical(query, opts) {
      const words = buildLexicalQuery(query);
      const limit = clampInt(opts.limit, MAX_LIMIT);
      if (words.length === 0 || limit === 0) return [];
      const trigrams = words.flatMap((w) => (w.trigram === null ? [] : [w.trigram]));
      const anyMain = words.map((w) => w.main).join(' OR ');
      const anyTrigram = trigrams.join(' OR ');
      const params: (string | number)[] = words.flatMap((w) => (w.trigram === null ? [w.main] : [w.main, w.trigram]));
      params.push(anyMain, ...(trigrams.length ? [anyTrigram] : []), limit, clampInt(opts.offset, MAX_OFFSET));
      const rows = rankedFor(words.map((w) => w.trigram !== null)).all(...params);
      if (rows.length === 0) return [];

      const ids = JSON.stringify(rows.map((r) => r.photoId));
      const matched = new Map<number, Set<SearchColumn>>();
      for (const m of matchedStmt.all(anyMain, ids)) matched.set(m.id, new Set(SEARCH_COLUMNS.filter((c) => m[c] !== 0)));
      for (const id of trigrams.length ? trigramIdsStmt.all(anyTrigram, ids) : []) {
        matched.set(id, (matched.get(id) ?? new Set<SearchColumn>()).add('text'));
      }
      return rows.map((r) => ({
        photoId: r.photoId,
        score: r.score,
        matched: SEARCH_COLUMNS.filter((c) => matched.get(r.photoId)?.has(c)),
      }));
    },
  };
}
