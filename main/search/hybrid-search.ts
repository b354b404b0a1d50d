/**
 * @file Search, behind `search:query` and `shoebox search`: a query's filters (./query-parser.ts) applied
 * in SQL to every ranking, its words ranked by the FTS index (main/db/search.repo.ts) and, with a text
 * embedder, by meaning (./vector-index.ts), fused (./fusion.ts), cut by strictness, paged, and each result
 * told why it matched (./match-reasons.ts).
 *
 * Runs in main (and the CLI and tests). Policy only; SQL is in main/db/.
 *
 * [Note: Hybrid search]
 * - Words left after the filters are ranked twice, each ranking restricted by the same filters (the one
 *   filter builder, main/db/photo-filter.ts): the best MAX_RANKED word matches (BM25, filtered inside
 *   the FTS query, function words left out: [Note: Stop words] in ./stop-words.ts), and the K_DENSE
 *   photos closest in meaning (the whole text). For meaning, date filters (served by the photos' date
 *   index) read the photos they pass and only those are scanned, exactly. Other filters are first
 *   applied to the best POST_FILTER_POOL of the whole scan (a few thousand checks), then to eight times
 *   as many: a broad filter ("photos", a country, "with text") leaves K_DENSE there, and what it leaves
 *   is exactly the best of the photos that pass. It stops early when the pool's weakest photo is no
 *   match (none outside the pool is one either). Only a narrow filter with matches beyond the pool
 *   makes a scan over exactly the photos that pass it (when at most CANDIDATE_CAP do), so no match by
 *   meaning is lost; a filter that no index serves (a folder name, a camera by part of its name) then
 *   costs a pass over the library's rows.
 * - Without words the photos passing the filters are listed newest first, score 1, why 'filters'. An
 *   empty query is an empty result, never the whole library.
 * - `mode` is 'hybrid' only when the query's embedding arrived in time and the index of that embedder
 *   was loaded: otherwise the words alone rank, and `notice` says why and what to do
 *   ([Note: Query embedding never blocks search]).
 * - `total` counts the matches the strictness shows, `hidden` those it hides ([Note: Relevance score]);
 *   `sort: 'date'` orders the same matches newest first.
 * - No input throws: the parser, the FTS5 query builder and the filter builder each make any text safe,
 *   and a failure of the meaning side only makes the search lexical.
 */
import type { MatchReason, SearchChip, SearchCoverage, SearchItem, SearchResult, Strictness } from '../../preload/contract';
import { createEmbeddingsRepo, type EmbeddingsRepo } from '../db/embeddings.repo';
import { createFilteredPhotosRepo } from '../db/filtered-photos.repo';
import { createJobsRepo } from '../db/jobs.repo';
import type { Db } from '../db/open';
import { filterSql, type FilterSql } from '../db/photo-filter';
import { createShownOnly } from '../db/collections-views.repo';
import { createSearchFieldsRepo } from '../db/search-fields.repo';
import { createSearchRepo, type SearchRepo } from '../db/search.repo';
import { errMessage } from '../errors';
import { toPhotoSummary } from '../library/read-side';
import type { Log } from '../log';
import { EMBED_STEP } from './embed-step';
import { applyStrictness, fuse, meaningEvidence, type DenseInput, type FusedHit } from './fusion';
import { wordReasons } from './match-reasons';
import { libraryPlaceResolver } from './place-resolver';
import { parseQuery, type Filter, type ParsedQuery, type PlaceResolver } from './query-parser';
import { createQueryEmbeddings, type QueryVector } from './query-embeddings';
import { queryTerms } from './snippets';
import { rankedWords } from './stop-words';
import type { TextEmbedder } from './text-embedder';
import { createVectorIndex, type VectorIndex, type VectorSearchResult } from './vector-index';

/** Word matches ranked (search.repo.ts's own limit per call). */
export const MAX_RANKED = 1000;
/** Photos ranked by meaning. */
export const K_DENSE = 200;
/** A filter passing at most this many photos restricts the dense scan to them. */
export const CANDIDATE_CAP = 100_000;
/** A filter is first applied to the best this many photos by meaning, then to POOL_GROWTH times as many. */
const POST_FILTER_POOL = 4096;
const POOL_GROWTH = 8;
/** How long a search waits for the query's embedding and the index (the CLI waits longer). */
export const DEFAULT_WAIT_MS = 1500;
/** Coverage counts are reused this long (they scan tables of the library's size). */
const COVERAGE_TTL_MS = 5000;
const MAX_PAGE = 500;
const MAX_OFFSET = 10_000_000;

export interface SearchDeps {
  db: Db;
  /** The text embedder; without one search is lexical and says so. */
  embedder?: TextEmbedder | null | undefined;
  /** A place resolver for one query; the library's gazetteer resolver (./place-resolver.ts) by default. */
  places?: (() => PlaceResolver) | undefined;
  /** The FTS5 repository; one over `db` by default. */
  lexical?: SearchRepo;
  log?: Log;
  waitMs?: number;
  /** Tests: the dense index runs its JS kernel. */
  forceJsKernel?: boolean;
  /** Tests: the pool a filter is first applied to (POST_FILTER_POOL). */
  postFilterPool?: number;
}

export interface SearchOptions {
  limit: number;
  offset: number;
  strictness?: Strictness;
  sort?: 'relevance' | 'date';
  /** The clock for relative dates ("last summer"); the current time by default. */
  now?: Date;
  /** Wait at most this long for the query's embedding and the dense index (ms). */
  waitMs?: number;
  /** The query already parsed (library chat's follow-ups edit filters): `text` is then not parsed. */
  parsed?: ParsedQuery;
}

export interface Search {
  search(text: string, opts: SearchOptions): Promise<SearchResult>;
  /** Drops the dense index and cached query vectors: call when the text embedder may have changed. */
  embedderChanged(): void;
  /** Frees the dense index. */
  close(): void;
}

const clamp = (n: number, max: number) => (Number.isFinite(n) ? Math.min(max, Math.max(0, Math.floor(n))) : 0);

/** The chips of the parsed filters ([Note: Search contract]). */
function chipsOf(filters: readonly Filter[], sql: FilterSql): SearchChip[] {
  return filters.map((f, i) => ({
    id: `${f.type}:${i}`,
    label: f.label,
    kind: f.type,
    span: [f.span[0], f.span[1]],
    ...(sql.unsupported.includes(f) ? { unsupported: true as const } : {}),
  }));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());

/** Builds the search over an open, migrated database. */
export function createSearch(deps: SearchDeps): Search {
  const lexical = deps.lexical ?? createSearchRepo(deps.db);
  const photos = createFilteredPhotosRepo(deps.db);
  const stored = createSearchFieldsRepo(deps.db);
  const embeddings: EmbeddingsRepo = createEmbeddingsRepo(deps.db);
  const jobs = createJobsRepo(deps.db);
  const everything = filterSql([]);
  // Hidden and removed photos leave search as they leave the grid (main/db/collections-views.repo.ts).
  const shownOnly = createShownOnly(deps.db);
  const embedder = deps.embedder ?? null;
  const vectors = embedder ? createQueryEmbeddings(embedder) : null;
  let index: VectorIndex | null = null;
  let coverage: { at: number; modelId: string | null; value: SearchCoverage; pending: number } | null = null;

  /** The index of `modelId`, made (and its load started) when it is not the one held. */
  function indexFor(modelId: string): VectorIndex {
    if (index?.modelId !== modelId) {
      index?.close();
      index = createVectorIndex({ repo: embeddings, modelId, ...(deps.forceJsKernel ? { forceJs: true } : {}) });
      index.load().catch((err: unknown) => deps.log?.warn('dense index failed to load', { error: errMessage(err) }));
    }
    return index;
  }

  function coverageFor(modelId: string | null): { value: SearchCoverage; pending: number } {
    if (!coverage || coverage.modelId !== modelId || Date.now() - coverage.at > COVERAGE_TTL_MS) {
      const { photos: n, understood } = embeddings.coverageCounts();
      const held = index?.modelId === modelId ? index.state() : null;
      const embedded = modelId === null ? 0 : held?.ready ? held.size : embeddings.count(modelId);
      const pending = modelId === null ? 0 : jobs.openCount([EMBED_STEP]);
      coverage = { at: Date.now(), modelId, value: { photos: n, understood, embedded }, pending };
    }
    return coverage;
  }

  /**
   * The dense ranking among the photos that pass `sql` ([Note: Hybrid search]). Dates are served by the
   * photos' date index: the photos they pass are read and scanned alone. Other filters are applied to
   * growing pools of the best photos overall, until they leave K_DENSE or the pool's weakest photo is no
   * match (so none outside it is either); then, if need be, to a scan of exactly the photos that pass.
   */
  function filteredDense(idx: VectorIndex, vector: Float32Array, sql: FilterSql, dated: boolean): VectorSearchResult | null {
    if (dated) {
      const candidates = photos.ids(sql, CANDIDATE_CAP);
      if (candidates) return idx.search(vector, { k: K_DENSE, candidates });
    }
    const keep = (ids: number[]) => photos.passing(ids, sql);
    const first = deps.postFilterPool ?? POST_FILTER_POOL;
    let r: VectorSearchResult | null = null;
    for (const pool of [first, first * POOL_GROWTH]) {
      r = idx.search(vector, { k: K_DENSE, pool, keep });
      if (!r || r.hits.length >= K_DENSE || meaningEvidence(r.floor, r.center, r.spread) === 0) return r;
    }
    const candidates = dated ? null : photos.ids(sql, CANDIDATE_CAP);
    return candidates ? idx.search(vector, { k: K_DENSE, candidates }) : r;
  }

  /** The dense ranking, or why there is none (a notice). */
  async function dense(
    semantic: string,
    filters: readonly Filter[],
    sql: FilterSql,
    waitMs: number,
  ): Promise<{ input: DenseInput | null; notice?: string }> {
    const active = embedder?.active() ?? null;
    if (!embedder || !vectors || !active) {
      const why = embedder?.unavailableReason() ?? 'no text embedder is installed';
      return {
        input: null,
        notice: `Search matches words only: ${why}. Install a text embedder on the Models page to find photos by meaning too.`,
      };
    }
    const started = Date.now();
    const idx = indexFor(active.modelId);
    const [q] = await Promise.all([
      vectors.get(semantic, active.modelId, waitMs),
      Promise.race([idx.load().catch(() => {}), sleep(waitMs)]),
    ]);
    const failed = (r: Exclude<QueryVector, { ok: true }>) =>
      r.reason === 'timeout'
        ? 'This search matched words only: the text embedder did not answer in time (it may be starting); try again in a moment.'
        : `This search matched words only: the text embedder failed (${r.message}).`;
    if (!q.ok) return { input: null, notice: failed(q) };
    if (q.modelId !== idx.modelId) return { input: null, notice: 'This search matched words only: the text embedder is being switched.' };
    const state = idx.state();
    if (!state.ready) {
      return {
        input: null,
        notice: `This search matched words only: search by meaning is loading (${state.size} of ${state.total} descriptions).`,
      };
    }
    const dated = filters.length > 0 && filters.every((f) => f.type === 'date');
    const r = sql.where === '1' ? idx.search(q.vector, { k: K_DENSE }) : filteredDense(idx, q.vector, sql, dated);
    deps.log?.debug('dense search', { ms: Date.now() - started, hits: r?.hits.length ?? 0 });
    return { input: r };
  }

  /** Why each page item matched the words `words` (or the meaning). */
  function reasons(words: string, items: readonly number[], fused: Map<number, FusedHit>): Map<number, MatchReason[]> {
    const terms = queryTerms(words);
    const byWords = items.filter((id) => (fused.get(id)?.words ?? 0) > 0);
    const fields = new Map(stored.fields(byWords).map((f) => [f.photoId, f]));
    const out = new Map<number, MatchReason[]>();
    for (const id of items) {
      const h = fused.get(id);
      const f = fields.get(id);
      // The fields where the words are marked are the fields that matched: the marks follow the index's
      // tokenizer ([Note: Highlights follow the index's tokenizer]), and asking FTS5 per column would
      // step through every word's doclist again.
      if (h && h.words > 0 && f) out.set(id, wordReasons(f, [], terms, h.meaning > 0));
      else out.set(id, [{ field: 'meaning' }]);
    }
    return out;
  }

  return {
    async search(text, opts) {
      const places = deps.places ? deps.places() : libraryPlaceResolver(deps.db);
      const parsed = opts.parsed ?? parseQuery(typeof text === 'string' ? text : '', opts.now ?? new Date(), { places });
      const { semantic, filters } = parsed;
      const modelId = embedder?.active()?.modelId ?? null;
      const cov = coverageFor(modelId);
      const base: SearchResult = { items: [], total: 0, hidden: 0, filters: [], semantic: '', mode: 'lexical', coverage: cov.value };
      if (!semantic && filters.length === 0) return base;
      const sql = shownOnly(filterSql(filters));
      const chips = chipsOf(filters, sql);
      const limit = clamp(opts.limit, MAX_PAGE);
      const offset = clamp(opts.offset, MAX_OFFSET);

      if (!semantic) {
        const page = photos.newest(sql, limit, offset);
        const items = page.rows.map((r): SearchItem => ({ ...toPhotoSummary(r), score: 1, why: [{ field: 'filters' }] }));
        return { ...base, items, total: page.total, filters: chips };
      }

      const lookFor = rankedWords(semantic);
      const [words, meaning] = await Promise.all([
        Promise.resolve(lexical.lexical(lookFor, { limit: MAX_RANKED, filter: sql, columns: false })),
        dense(semantic, filters, sql, opts.waitMs ?? deps.waitMs ?? DEFAULT_WAIT_MS).catch((err: unknown) => ({
          input: null,
          notice: `This search matched words only: search by meaning failed (${errMessage(err)}).`,
        })),
      ]);
      const fused = fuse(words, meaning.input);
      const { shown, hidden } = applyStrictness(fused, opts.strictness ?? 'normal');
      // Both rankings were filtered already: the page's rows are read for its ids alone.
      const ids = shown.map((h) => h.photoId);
      const pageIds = opts.sort === 'date' ? photos.newestAmong(ids, limit, offset) : ids.slice(offset, offset + limit);
      const page = photos.ranked(pageIds, everything, limit, 0);
      const byId = new Map(fused.map((h) => [h.photoId, h]));
      const why = reasons(
        lookFor,
        page.rows.map((r) => r.id),
        byId,
      );
      const items = page.rows.map((r): SearchItem => ({
        ...toPhotoSummary(r),
        score: byId.get(r.id)?.score ?? 0,
        why: why.get(r.id) ?? [],
      }));
      let notice = meaning.notice;
      if (!notice && meaning.input && cov.pending > 0 && cov.value.embedded < cov.value.understood)
        notice = `Search by meaning covers ${cov.value.embedded} of ${cov.value.understood} described photos so far; the rest are on their way.`;
      return {
        ...base,
        items,
        total: shown.length,
        hidden,
        filters: chips,
        semantic,
        mode: meaning.input ? 'hybrid' : 'lexical',
        ...(notice ? { notice } : {}),
      };
    },
    embedderChanged() {
      index?.close();
      index = null;
      vectors?.clear();
      coverage = null;
    },
    close() {
      index?.close();
      index = null;
    },
  };
}
