/**
 * @file The search domain of the one API: a query typed in the search box, answered with ranked grid cells,
 * why each matched, and the filters understood from it (shown as chips). preload/contract.ts merges these
 * maps into the request and result maps; the same rules apply (JSON only, validated by these schemas in main).
 *
 * [Note: Search contract] The query text is the one source of truth: a chip carries the span of the query
 * it was parsed from, so the UI removes a chip by cutting that span out of the text, and edits it by
 * selecting the span in the search field; recent searches and the CLI are just strings. `mode` says how
 * the results were ranked ('lexical' without a text embedder, 'hybrid' with one), `coverage` how much of
 * the library can be found by meaning yet, so the header can say so honestly.
 */
import { z } from 'zod';
import type { PhotoSummary } from '../contract';

/** How many weaker matches to show: 'loose' shows everything that matched at all. */
export const STRICTNESS = ['loose', 'normal', 'strict'] as const;
export type Strictness = (typeof STRICTNESS)[number];

/** Argument schemas of the search requests. */
export const searchRequestSchemas = {
  'search:query': z
    .object({
      text: z.string().max(10_000, 'query is too long (at most 10000 characters)'),
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).max(10_000_000).default(0),
      /** The relevance cutoff; 'normal' by default. */
      strictness: z.enum(STRICTNESS).default('normal'),
      /** 'relevance' (best first) or 'date' (the same matches, newest first). */
      sort: z.enum(['relevance', 'date']).default('relevance'),
    })
    .strict(),
} as const;

/** A filter understood from the query, as its chip. */
export interface SearchChip {
  /** Stable key for the UI, e.g. 'date:0' (kind and position among the filters). */
  id: string;
  /** What the chip shows: '2019', 'Videos', 'Folder: Trips', 'Lisbon, Portugal'. */
  label: string;
  kind: 'date' | 'place' | 'camera' | 'kind' | 'tag' | 'hasText' | 'folder';
  /** [start, end) UTF-16 offsets of the query text this chip was parsed from. */
  span: [number, number];
  /** True when the library cannot answer this filter (e.g. an unknown place): it restricts nothing. */
  unsupported?: true;
}

/** A stretch of stored text that matched, with the matched words marked by [start, end) offsets. */
export interface MatchSnippet {
  text: string;
  highlights: [number, number][];
}

/** Why a photo is in the results. */
export type MatchReason =
  | { field: 'caption' | 'tags' | 'text' | 'file' | 'folder' | 'camera' | 'place'; snippet: MatchSnippet }
  /** Close in meaning to the query (dense similarity), without the words themselves. */
  | { field: 'meaning' }
  /** Only the filters matched (no words left to rank). */
  | { field: 'filters' };

export interface SearchItem extends PhotoSummary {
  /** Relevance in [0, 1], higher is better; shown to the user. 1 for filter-only results. */
  score: number;
  why: MatchReason[];
}

export interface SearchCoverage {
  /** Photos search can show: in the library, neither hidden nor in the Trash. */
  photos: number;
  /** Those of them with a caption, tags or text from understanding. */
  understood: number;
  /** Photos whose description is embedded with the active text embedder. */
  embedded: number;
}

export interface SearchResult {
  items: SearchItem[];
  /** Matches over all pages, after the strictness cutoff. */
  total: number;
  /** Matches the strictness cutoff hid (0 with 'loose'): the UI offers to show them. */
  hidden: number;
  filters: SearchChip[];
  /** The words left once the filters are taken out: what is ranked. */
  semantic: string;
  /** 'lexical': words only (no text embedder installed or loaded); 'hybrid': words and meaning fused. */
  mode: 'lexical' | 'hybrid';
  coverage: SearchCoverage;
  /** A sentence for the user when something limits the results (no embedder, model switching, rescan). */
  notice?: string;
}

/** Results of the search requests. */
export interface SearchResults {
  'search:query': SearchResult;
}
