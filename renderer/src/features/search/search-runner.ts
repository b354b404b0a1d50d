/**
 * @file Runs searches one after another as the user types and decides which one is on screen: the
 * newest that has answered, never an older one that answered late. Runs in the renderer; React-free
 * (./use-search.ts mirrors its state into React), so the ordering is unit-tested with a fake client.
 *
 * See [Note: Search answers in order] in ./search-session.ts.
 */
import { ApiError } from '../../../../preload/api-error';
import type { ApiClient } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { RequestSequence } from './request-sequence';
import { SearchSession, type SearchQuery } from './search-session';

export interface SearchRunState {
  /** The newest search that answered; null for an empty query or after an error. */
  shown: SearchSession | null;
  /** A search is running that will replace `shown`. */
  searching: boolean;
  /** Why the newest search failed. */
  error: string | null;
}

/** A refused query says what is wrong with it ("query is too long (at most 10000 characters)"); others say what failed. */
export function searchErrorText(err: unknown): string {
  if (err instanceof ApiError && err.code === 'bad-argument' && err.issues?.length) return err.issues.map((i) => i.message).join('; ');
  return errorMessage(err);
}

export class SearchRunner {
  private readonly sequence = new RequestSequence();
  private state: SearchRunState = { shown: null, searching: false, error: null };
  /** Whether the newest search has not answered yet. */
  private waiting = false;

  constructor(
    private readonly client: Pick<ApiClient, 'call'>,
    private readonly onChange: (state: SearchRunState) => void,
  ) {}

  get current(): SearchRunState {
    return this.state;
  }

  /** Whether the newest search is still to answer. */
  get pending(): boolean {
    return this.waiting;
  }

  /**
   * Runs `query`; a blank one clears the results. A `quiet` run (a refresh of the same search) shows
   * no progress and, if it fails, keeps the results it would have replaced.
   */
  run(query: SearchQuery, quiet = false): void {
    const n = this.sequence.next();
    this.waiting = query.text.trim() !== '';
    if (!this.waiting) {
      this.set({ shown: null, searching: false, error: null });
      return;
    }
    const session = new SearchSession(this.client, query);
    if (!quiet && !this.state.searching) this.set({ ...this.state, searching: true });
    session.start().then(
      () => {
        if (!this.sequence.isLatest(n)) return session.dispose();
        this.waiting = false;
        this.set({ shown: session, searching: false, error: null });
      },
      (err: unknown) => {
        session.dispose();
        if (!this.sequence.isLatest(n)) return;
        this.waiting = false;
        this.set(quiet ? { ...this.state, searching: false } : { shown: null, searching: false, error: searchErrorText(err) });
      },
    );
  }

  /** Releases the results on screen; answers still on the way are dropped. */
  dispose(): void {
    this.sequence.next();
    this.state.shown?.dispose();
  }

  private set(next: SearchRunState): void {
    // The session on screen is released when another replaces it.
    if (this.state.shown && this.state.shown !== next.shown) this.state.shown.dispose();
    this.state = next;
    this.onChange(next);
  }
}
