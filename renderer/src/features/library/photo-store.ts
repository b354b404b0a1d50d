/**
 * @file The grid's page cache: photo summaries fetched by page as rows scroll into view, kept while the
 * library stays the same, refetched in place (old cells stay on screen until new ones arrive) after
 * `library:changed`. Runs in the renderer; React-free so it is unit-tested with a fake client, and read
 * from React through `useSyncExternalStore` (subscribe / version).
 *
 * The pages come from `photos:page` (the library or one folder, in one view: all, favourites, an album…
 * — [Note: Library scopes] in renderer/src/features/collections/library-scope.ts) or from any other paged source of
 * summaries, such as search results (renderer/src/features/search/search-session.ts), so the grid and
 * the viewer serve both without a copy.
 */
import type { ApiClient, PhotoSummary, PhotoView } from '../../../../preload/contract';
import { errorMessage } from '../../api';

/** One page of a paged list of photos, and how many there are in all. */
export type PageFetcher<T extends PhotoSummary> = (offset: number, limit: number) => Promise<{ items: T[]; total: number }>;

interface Page<T> {
  generation: number;
  items: T[];
}

/** A page that failed waits this long before it is asked for again. */
const RETRY_AFTER_MS = 2000;

/** Which of the library's photos a store pages: one folder's (a number), every photo's (null), or one view's. */
export type LibraryFilter = number | null | { view?: PhotoView; folderId?: number };

/** The library's pages (one folder's, or every photo's, in one view) from `photos:page`. */
function libraryPages(client: Pick<ApiClient, 'call'>, filter: LibraryFilter): PageFetcher<PhotoSummary> {
  const query = filter === null ? {} : typeof filter === 'number' ? { folderId: filter } : filter;
  return (offset, limit) => client.call('photos:page', { offset, limit, ...query });
}

export class PhotoStore<T extends PhotoSummary = PhotoSummary> {
  private readonly fetchPageItems: PageFetcher<T>;
  private readonly pages = new Map<number, Page<T>>();
  /** page → the generation asked for and the load that answers it (at() waits for it too). */
  private readonly inFlight = new Map<number, { generation: number; done: Promise<void> }>();
  private readonly failedAt = new Map<number, number>();
  private readonly listeners = new Set<() => void>();
  private generation = 0;
  private version = 0;
  private lastRange: [number, number] = [0, 0];
  private disposed = false;
  /** Total from the newest page answer; -1 before the first. */
  total = -1;
  /** Message of the newest failed page request, cleared by the next success. */
  error: string | null = null;

  /**
   * Pages of the library (`client`, optionally one folder or view) or of any other source (`fetchPage`,
   * whose `filter` is ignored). A client yields plain summaries, so it is meant for `PhotoStore<PhotoSummary>`.
   */
  constructor(
    source: Pick<ApiClient, 'call'> | PageFetcher<T>,
    filter: LibraryFilter = null,
    readonly pageSize = 200,
  ) {
    // The cast is sound for the library's own store (T = PhotoSummary), the only one built from a client.
    this.fetchPageItems = typeof source === 'function' ? source : (libraryPages(source, filter) as PageFetcher<T>);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever anything the grid shows changed. */
  getVersion = (): number => this.version;

  /** The summary at a global index, when its page is loaded (possibly stale). */
  get(index: number): T | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.items[index % this.pageSize];
  }

  /** Makes sure every page that covers indexes [start, end) is loaded and current. */
  ensureRange(start: number, end: number): void {
    this.lastRange = [start, end];
    if (end <= start) return;
    const first = Math.floor(Math.max(0, start) / this.pageSize);
    const last = Math.floor((end - 1) / this.pageSize);
    for (let p = first; p <= last; p++) void this.load(p);
  }

  /**
   * Fetches (if needed) and returns the summary at an index; for the viewer's ← / →. A page made stale by
   * `invalidate` is fetched again first (the stale summary is the answer only when that fails): after a
   * re-sort the old page would name another photo ([Note: The viewer follows its photo] in
   * use-viewer-index.ts).
   */
  async at(index: number): Promise<T | undefined> {
    const cached = this.get(index);
    if (cached && this.isCurrent(index)) return cached;
    await this.load(Math.floor(index / this.pageSize));
    return this.get(index);
  }

  /** Whether the page that covers `index` is loaded and not made stale by `invalidate` since. */
  isCurrent(index: number): boolean {
    return this.pages.get(Math.floor(index / this.pageSize))?.generation === this.generation;
  }

  /** The index of the photo `id` in the loaded pages that are current, if they hold it. */
  find(id: number): number | undefined {
    for (const [p, page] of this.pages) {
      if (page.generation !== this.generation) continue;
      const k = page.items.findIndex((item) => item.id === id);
      if (k >= 0) return p * this.pageSize + k;
    }
    return undefined;
  }

  /** The ids at indexes [offset, offset + limit) (fewer past the end), loading their pages; for a selection. */
  async ids(offset: number, limit: number): Promise<number[]> {
    const end = Math.max(offset, this.total >= 0 ? Math.min(offset + limit, this.total) : offset + limit);
    const pages = new Set<number>();
    for (let p = Math.floor(offset / this.pageSize); p * this.pageSize < end; p++) pages.add(p);
    await Promise.all([...pages].map((p) => this.load(p)));
    const ids: number[] = [];
    for (let i = offset; i < end; i++) {
      const id = this.get(i)?.id;
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /** Every loaded summary with its index (pages in any order). */
  *loaded(): Generator<[number, T]> {
    for (const [p, page] of this.pages) {
      for (let k = 0; k < page.items.length; k++) yield [p * this.pageSize + k, page.items[k] as T];
    }
  }

  /**
   * Changes the loaded summaries that `match` picks, at once (an optimistic update: the host's answer
   * and the refetch that follows it replace them). Returns how many changed.
   */
  patch(match: (item: T, index: number) => boolean, change: (item: T) => T): number {
    let changed = 0;
    for (const [p, page] of this.pages) {
      let items: T[] | null = null;
      page.items.forEach((item, k) => {
        if (!match(item, p * this.pageSize + k)) return;
        items ??= [...page.items];
        items[k] = change(item);
        changed++;
      });
      if (items) this.pages.set(p, { generation: page.generation, items });
    }
    if (changed > 0) this.notify();
    return changed;
  }

  /** Marks every page stale and refetches those in the last visible range. */
  invalidate(): void {
    this.generation++;
    this.failedAt.clear();
    const [start, end] = this.lastRange;
    this.ensureRange(start, end);
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  private load(page: number): Promise<void> {
    const have = this.pages.get(page);
    if (have && have.generation === this.generation) return Promise.resolve();
    const flying = this.inFlight.get(page);
    if (flying?.generation === this.generation) return flying.done;
    const failed = this.failedAt.get(page);
    if (failed !== undefined && Date.now() - failed < RETRY_AFTER_MS) return Promise.resolve();
    const generation = this.generation;
    const done = this.fetchPage(page, generation);
    this.inFlight.set(page, { generation, done });
    return done;
  }

  private async fetchPage(page: number, generation: number): Promise<void> {
    try {
      const result = await this.fetchPageItems(page * this.pageSize, this.pageSize);
      if (this.disposed) return;
      const current = this.pages.get(page);
      if (!current || current.generation <= generation) this.pages.set(page, { generation, items: result.items });
      this.total = result.total;
      this.failedAt.delete(page);
      this.error = null;
    } catch (err) {
      if (this.disposed) return;
      this.failedAt.set(page, Date.now());
      this.error = `Could not load photos: ${errorMessage(err)}`;
    } finally {
      if (this.inFlight.get(page)?.generation === generation) this.inFlight.delete(page);
    }
    this.notify();
  }

  private notify(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
