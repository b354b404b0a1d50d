/**
 * @file The search field in the library's toolbar, with the recent searches under it while it is
 * focused and empty (↑ ↓ pick one, Enter runs it, Delete forgets it). Enter runs the search at once;
 * Esc clears the text, and a second Esc leaves the field (closing the list). Runs in the renderer.
 */
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { SearchController } from './use-search';

export function SearchField({ search }: { search: SearchController }) {
  const id = useId();
  const [focused, setFocused] = useState(false);
  const [active, setActive] = useState(-1);
  const { text, recents, inputRef, takeFocusRequest } = search;

  // `/` on another page brings the user here: the field takes the focus it was asked for.
  useEffect(() => {
    if (takeFocusRequest()) inputRef.current?.focus();
  }, [takeFocusRequest, inputRef]);

  const open = focused && text === '' && recents.length > 0;
  const current = open && active >= 0 && active < recents.length ? active : -1;
  const optionId = (i: number) => `${id}-recent-${i}`;

  const runRecent = (query: string) => {
    setActive(-1);
    search.submit(query);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return;
    const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (open && move !== 0) {
      e.preventDefault();
      setActive((i) => (i < 0 ? (move > 0 ? 0 : recents.length - 1) : (i + move + recents.length) % recents.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const recent = current >= 0 ? recents[current] : undefined;
      if (recent !== undefined) runRecent(recent);
      else if (text.trim()) search.submit();
    } else if (e.key === 'Delete' && current >= 0) {
      e.preventDefault();
      const recent = recents[current];
      if (recent !== undefined) search.forgetRecent(recent);
      setActive(Math.min(current, recents.length - 2));
    } else if (e.key === 'Escape') {
      // The browser's own Esc in a search field would clear it without telling us in order.
      e.preventDefault();
      if (text) search.clear();
      else e.currentTarget.blur();
    }
  };

  return (
    <div
      className="search-field"
      role="search"
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) {
          setFocused(false);
          setActive(-1);
        }
      }}
    >
      <label htmlFor={`${id}-input`} className="visually-hidden">
        Search photos
      </label>
      <span className="search-icon" aria-hidden="true" />
      <input
        id={`${id}-input`}
        ref={inputRef}
        type="search"
        value={text}
        placeholder="Search photos"
        autoComplete="off"
        spellCheck={false}
        aria-keyshortcuts="/ Control+K Meta+K"
        aria-controls={open ? `${id}-recents` : undefined}
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
        onChange={(e) => {
          setActive(-1);
          search.type(e.target.value);
        }}
        onKeyDown={onKeyDown}
        data-testid="search-input"
      />
      {search.searching ? <span className="spinner search-busy" aria-hidden="true" data-testid="search-busy" /> : null}
      {text ? (
        <button
          type="button"
          className="icon-button search-clear"
          aria-label="Clear search (Esc)"
          onClick={() => {
            search.clear();
            inputRef.current?.focus();
          }}
          data-testid="search-clear"
        >
          ×
        </button>
      ) : (
        <kbd className="search-hint" aria-hidden="true">
          /
        </kbd>
      )}
      {open ? (
        // Clicks inside the list must not blur the field first (that would close the list under the pointer).
        <div className="search-recents" onMouseDown={(e) => e.preventDefault()} data-testid="search-recents">
          <div className="search-recents-head">
            <span id={`${id}-recents-title`}>Recent searches</span>
            <button type="button" className="link-button" onClick={search.clearRecents} data-testid="recents-clear">
              Clear
            </button>
          </div>
          <ul id={`${id}-recents`} role="listbox" aria-labelledby={`${id}-recents-title`}>
            {recents.map((q, i) => (
              <li
                key={q}
                id={optionId(i)}
                role="option"
                aria-selected={i === current}
                className={i === current ? 'active' : undefined}
                onClick={() => runRecent(q)}
                onMouseMove={() => setActive(i)}
                data-testid="recent-search"
              >
                <span className="recent-text">{q}</span>
                <span
                  className="recent-remove"
                  title="Forget this search (Delete)"
                  aria-hidden="true"
                  onClick={(e) => {
                    e.stopPropagation();
                    search.forgetRecent(q);
                  }}
                >
                  ×
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
