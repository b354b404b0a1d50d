/**
 * @file One search as the results view shows it: the query it ran, the header of its newest answer
 * (total, chips, mode, coverage) and its results as a PhotoStore, so the library's grid and viewer page
 * through them unchanged. Runs in the renderer; React-free (a fake client drives it in unit tests).
 *
 * [Note: Search answers in order] Two guards keep old answers off the screen. Between searches, the
 * controller (./use-search.ts) numbers each search and shows one only when it is still the newest when
 * its first page comes back, so results never appear out of the order they were typed. Within a search,
 * every page answer carries the header again (totals move while photos are indexed and understood); a
 * page is always stored, but the header is taken only from an answer newer than the one already shown.
 */
import type { ApiClient, SearchItem, SearchResult, Strictness } from '../../../../preload/contract';
import { PhotoStore } from '../library/photo-store';
import { RequestSequence } from './request-sequence';

export type SearchSort = 'relevance' | 'date';

export interface SearchQuery {
  text: string;
  strictness: Strictness;
  sort: SearchSort;
}

/** Everything of an answer but its items. */
export type SearchMeta = Omit<SearchResult, 'items'>;

/** Results asked for at a time (the contract allows up to 500). */
export const SEARCH_PAGE_SIZE = 100;

export class SearchSession {
  readonly store: PhotoStore<SearchItem>;
  private readonly pages = new RequestSequence();
  private metaValue: SearchMeta | null = null;
  /** The first page, asked for by start() and handed to the store when the grid first asks for it. */
  private firstPage: Promise<SearchResult> | null = null;

  constructor(
    private readonly client: Pick<ApiClient, 'call'>,
    readonly query: SearchQuery,
    pageSize = SEARCH_PAGE_SIZE,
  ) {
    this.store = new PhotoStore<SearchItem>((offset, limit) => this.page(offset, limit), null, pageSize);
  }

  /** The header of the newest answer; null before the first. */
  get meta(): SearchMeta | null {
    return this.metaValue;
  }

  /** Runs the search (its first page); resolves with the header, rejects with the API's error. */
  async start(): Promise<SearchMeta> {
    this.firstPage ??= this.request(0, this.store.pageSize);
    await this.firstPage;
    if (!this.metaValue) throw new Error('the search answered nothing');
    return this.metaValue;
  }

  dispose(): void {
    this.store.dispose();
  }

  private async page(offset: number, limit: number): Promise<SearchResult> {
    const first = offset === 0 ? this.firstPage : null;
    if (first) {
      this.firstPage = null;
      return first;
    }
    return this.request(offset, limit);
  }

  private async request(offset: number, limit: number): Promise<SearchResult> {
    const n = this.pages.next();
    const { text, strictness, sort } = this.query;
    const result = await this.client.call('search:query', { text, limit, offset, strictness, sort });
    if (this.pages.accept(n)) {
      const { items: _items, ...meta } = result;
      this.metaValue = meta;
    }
    return result;
  }
}
