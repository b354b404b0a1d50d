/**
 * @file The head of the search results: the chips, how many matched (announced politely), how the
 * results were found (words only, or words and meaning) and how much of the library is understood so
 * far, the API's error if the search failed, and the controls: strictness (Loose / Normal / Strict,
 * with "Show N weaker matches" when the cutoff hid some) and "Sort by date". Runs in the renderer.
 */
import { useId } from 'react';
import type { SearchCoverage, Strictness } from '../../../../preload/contract';
import { countLabel } from '../../format';
import { SearchChips } from './search-chips';
import type { SearchMeta } from './search-session';
import type { SearchController } from './use-search';

// The contract's STRICTNESS is a value of the zod side; the renderer imports the contract as types only.
const LEVELS: readonly Strictness[] = ['loose', 'normal', 'strict'];
const STRICTNESS_LABELS: Record<Strictness, string> = { loose: 'Loose', normal: 'Normal', strict: 'Strict' };
const STRICTNESS_HINTS: Record<Strictness, string> = {
  loose: 'Every photo that matched at all',
  normal: 'Good matches (the default)',
  strict: 'Only the closest matches',
};

export function resultsLabel(total: number): string {
  return total === 0 ? 'No results' : `${countLabel(total)} ${total === 1 ? 'result' : 'results'}`;
}

/** "1,234 of 5,000 photos understood so far" while understanding is incomplete; null once it is done. */
export function coverageLabel(c: SearchCoverage): string | null {
  if (c.photos === 0 || c.understood >= c.photos) return null;
  return `${countLabel(c.understood)} of ${countLabel(c.photos)} photos understood so far`;
}

/** "Show 12 weaker matches" when the cutoff hid some and Loose would show them. */
export function weakerLabel(meta: Pick<SearchMeta, 'hidden'>, strictness: Strictness): string | null {
  if (meta.hidden <= 0 || strictness === 'loose') return null;
  return `Show ${countLabel(meta.hidden)} weaker ${meta.hidden === 1 ? 'match' : 'matches'}`;
}

export function SearchHeader({ search, meta }: { search: SearchController; meta: SearchMeta | null }) {
  const name = useId();
  const coverage = meta ? coverageLabel(meta.coverage) : null;
  const weaker = meta ? weakerLabel(meta, search.strictness) : null;
  return (
    <div className="search-header" data-testid="search-header">
      {meta ? <SearchChips chips={meta.filters} search={search} /> : null}
      <div className="search-summary">
        <strong role="status" data-testid="search-count">
          {meta ? resultsLabel(meta.total) : search.error ? 'Search failed' : 'Searching…'}
        </strong>
        {coverage ? (
          <span className="muted" data-testid="search-coverage">
            {coverage}
          </span>
        ) : null}
        {search.error ? (
          <span className="inline-error" role="alert" data-testid="search-error">
            {search.error}
          </span>
        ) : null}
        <span className="spacer" />
        {weaker ? (
          <button type="button" className="link-button" onClick={() => search.setStrictness('loose')} data-testid="show-weaker">
            {weaker}
          </button>
        ) : null}
        <fieldset className="segmented" data-testid="strictness">
          <legend className="visually-hidden">Strictness</legend>
          {LEVELS.map((s) => (
            <label key={s} title={STRICTNESS_HINTS[s]} className={search.strictness === s ? 'checked' : undefined}>
              <input
                type="radio"
                name={name}
                value={s}
                checked={search.strictness === s}
                onChange={() => search.setStrictness(s)}
                className="visually-hidden"
              />
              {STRICTNESS_LABELS[s]}
            </label>
          ))}
        </fieldset>
        <button
          type="button"
          className="ghost toggle"
          aria-pressed={search.sort === 'date'}
          onClick={() => search.setSort(search.sort === 'date' ? 'relevance' : 'date')}
          title="Newest first instead of best match first"
          data-testid="sort-date"
        >
          Sort by date
        </button>
      </div>
      {meta?.mode === 'lexical' ? (
        <p className="muted search-mode" data-testid="search-mode">
          <span className="badge badge-warn">Words only</span> {meta.notice ?? 'Search matches the words you type, not their meaning.'}
        </p>
      ) : meta?.notice ? (
        <p className="muted search-mode" data-testid="search-notice">
          {meta.notice}
        </p>
      ) : null}
    </div>
  );
}
