/**
 * @file The empty state of a search that found nothing: what was searched, the filters that narrowed
 * it (each one removable), and what to try next: weaker matches, the spelling, and, while photos are
 * still being understood, what search can already find. Runs in the renderer.
 */
import type { SearchChip } from '../../../../preload/contract';
import { countLabel } from '../../format';
import { chipKindWord } from './search-chips';
import type { SearchMeta, SearchQuery } from './search-session';
import type { SearchController } from './use-search';

export function NoResults({ query, meta, search }: { query: SearchQuery; meta: SearchMeta; search: SearchController }) {
  const narrowing = meta.filters.filter((c) => !c.unsupported);
  const { photos, understood } = meta.coverage;
  return (
    <div className="empty-state search-empty" data-testid="search-empty">
      <h2>No photos match “{query.text.trim()}”</h2>
      {narrowing.length > 0 ? (
        <p>
          Narrowed by{' '}
          {narrowing.map((c, i) => (
            <span key={c.id}>
              {i > 0 ? ', ' : ''}
              <span className="chip">{chipText(c)}</span>
            </span>
          ))}
          .
        </p>
      ) : null}
      <ul className="search-suggestions">
        {narrowing.map((c) => (
          <li key={c.id}>
            <button type="button" className="link-button" onClick={() => search.removeChip(c)} data-testid="suggest-remove-filter">
              Remove the filter “{c.label}”
            </button>
          </li>
        ))}
        {search.strictness !== 'loose' ? (
          <li>
            <button type="button" className="link-button" onClick={() => search.setStrictness('loose')} data-testid="suggest-loose">
              {meta.hidden > 0 ? `Show ${countLabel(meta.hidden)} weaker ${meta.hidden === 1 ? 'match' : 'matches'}` : 'Try Loose matching'}
            </button>
          </li>
        ) : null}
        <li>Check the spelling, or try fewer or other words.</li>
        {understood < photos ? (
          <li data-testid="suggest-understanding">
            Search works on file names, dates and places before photos are understood; {countLabel(understood)} of {countLabel(photos)} are
            so far, and more words become findable as the rest are.
          </li>
        ) : null}
      </ul>
    </div>
  );
}

function chipText(c: SearchChip): string {
  const word = chipKindWord(c);
  return word ? `${word}: ${c.label}` : c.label;
}
