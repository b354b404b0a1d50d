/**
 * @file The search domain of the one API: a query typed in the search box, answered with grid cells and
 * the filters understood from it (shown as chips). preload/contract.ts merges these maps into the request
 * and result maps; the same rules apply (JSON only, validated by these schemas in main).
 *
 * Lexical only for now (FTS5 over captions, tags, text, file and folder names): `mode` says so, so the UI
 * and the CLI can tell the user that meaning-based ranking is not there yet.
 */
import { z } from 'zod';
import type { PhotoSummary } from '../contract';

/** Argument schemas of the search requests. */
export const searchRequestSchemas = {
  'search:query': z
    .object({
      text: z.string().max(10_000, 'query is too long (at most 10000 characters)'),
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).max(10_000_000).default(0),
    })
    .strict(),
} as const;

/** A filter understood from the query, as its chip. */
export interface SearchChip {
  /** What the chip shows: '2019', 'Videos', 'Folder: Trips'. */
  label: string;
  kind: 'date' | 'place' | 'camera' | 'kind' | 'tag' | 'hasText' | 'folder';
  /** True when the library cannot answer this filter yet (a place): it restricts nothing. */
  unsupported?: true;
}

export interface SearchResult {
  items: PhotoSummary[];
  /** Photos matching, over all pages (ranked results: among the best 1000 lexical hits). */
  total: number;
  filters: SearchChip[];
  /** The words left once the filters are taken out: what is ranked. */
  semantic: string;
  /** How results were ranked: 'lexical' (words in the index) until an embedder lands. */
  mode: 'lexical';
}

/** Results of the search requests. */
export interface SearchResults {
  'search:query': SearchResult;
}
