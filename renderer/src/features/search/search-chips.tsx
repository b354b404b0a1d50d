/**
 * @file The filters understood from the query, as chips under the search field: clicking one selects
 * its words in the field (to edit them), × cuts them out of the query and searches again. A filter the
 * library cannot answer (e.g. a place no photo has) is marked and restricts nothing. Runs in the renderer.
 */
import type { SearchChip } from '../../../../preload/contract';
import type { SearchController } from './use-search';

const KIND_WORDS: Record<SearchChip['kind'], string> = {
  date: 'Date',
  place: 'Place',
  camera: 'Camera',
  kind: 'Type',
  tag: 'Tag',
  hasText: 'Text',
  folder: 'Folder',
};

/** "Date", "Place"…; nothing when the label already says it ("Folder: Trips"). */
export function chipKindWord(chip: Pick<SearchChip, 'kind' | 'label'>): string | null {
  const word = KIND_WORDS[chip.kind];
  return chip.label.toLowerCase().startsWith(word.toLowerCase()) ? null : word;
}

const UNSUPPORTED = 'Not applied: the library cannot answer this filter yet, so it restricts nothing.';

export function SearchChips({ chips, search }: { chips: readonly SearchChip[]; search: SearchController }) {
  if (chips.length === 0) return null;
  return (
    <ul className="chips search-chips" aria-label="Filters understood from the search" data-testid="search-chips">
      {chips.map((chip) => {
        const word = chipKindWord(chip);
        const what = `${word ?? KIND_WORDS[chip.kind]} filter ${chip.label}`;
        return (
          <li
            key={chip.id}
            className={`search-chip${chip.unsupported ? ' unsupported' : ''}`}
            title={chip.unsupported ? UNSUPPORTED : undefined}
            data-testid="search-chip"
            data-kind={chip.kind}
            data-unsupported={chip.unsupported ? 'true' : undefined}
          >
            <button
              type="button"
              className="chip-main"
              aria-label={`${what}${chip.unsupported ? ' (not applied)' : ''}: select its words in the search field`}
              onClick={() => search.selectChip(chip)}
            >
              {word ? <span className="chip-kind">{word}</span> : null}
              <span className="chip-label">{chip.label}</span>
              {chip.unsupported ? (
                <span className="chip-flag" aria-hidden="true">
                  not applied
                </span>
              ) : null}
            </button>
            <button
              type="button"
              className="chip-remove"
              aria-label={`Remove ${what}`}
              onClick={() => search.removeChip(chip)}
              data-testid="search-chip-remove"
            >
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}
