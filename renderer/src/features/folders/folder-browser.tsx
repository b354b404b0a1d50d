/**
 * @file The folder browser of the headless host ([Note: Folder browser] in preload/contract/folders.ts):
 * a modal that walks the folders of the machine Shoebox runs on, from home, drives and mount points, or
 * the folders recently added from, with a typed-path field (`~` = home), a hidden-folders switch and
 * full keyboard use (arrows, Home/End, Enter opens, Backspace goes up, a letter jumps). Adds the selected
 * folder, or the open one when none is selected. Runs in the renderer; Electron uses its native dialog.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { FolderListing, FolderPlaces } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useModal } from '../../components/modal';
import { useClient } from '../../hooks';
import './folders.css';

export interface FolderBrowserProps {
  /** Adds the folder; resolves to an error message to show, or null once added (the dialog closes). */
  onChoose: (path: string) => Promise<string | null>;
  onCancel: () => void;
}

function lastName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

export function FolderBrowser({ onChoose, onCancel }: FolderBrowserProps) {
  const client = useClient();
  const modal = useModal(onCancel);
  const listRef = useRef<HTMLUListElement>(null);
  const [places, setPlaces] = useState<FolderPlaces | null>(null);
  const [target, setTarget] = useState<string | undefined>(undefined);
  const [showHidden, setShowHidden] = useState(false);
  const [listing, setListing] = useState<FolderListing | null>(null);
  // What the user typed in the path field; null shows the open folder's path. A listing that arrives
  // clears it only when nothing was typed since that navigation began (a slow first listing must not
  // overwrite a path typed meanwhile, and a path that failed stays for the user to fix).
  const [typed, setTyped] = useState<string | null>(null);
  const edits = useRef(0);
  const editsAtNavigation = useRef(0);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(-1);
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    client.call('folders:places', {}).then(setPlaces, (err: unknown) => setError(errorMessage(err)));
  }, [client]);

  useEffect(() => {
    let current = true;
    client.call('folders:browse', { ...(target !== undefined ? { path: target } : {}), showHidden }).then(
      (l) => {
        if (!current) return;
        setListing(l);
        // A new listing starts with nothing selected (the Add button then names the open folder).
        setActive(-1);
        if (edits.current === editsAtNavigation.current) setTyped(null);
        setError(null);
      },
      (err: unknown) => {
        if (current) setError(errorMessage(err));
      },
    );
    return () => {
      current = false;
    };
  }, [client, target, showHidden]);

  const open = useCallback((path: string) => {
    editsAtNavigation.current = edits.current;
    setTarget(path);
    listRef.current?.focus();
  }, []);

  const entries = listing?.entries ?? [];
  const selected = active >= 0 ? entries[active] : undefined;
  const chosen = selected?.readable ? selected.path : (listing?.path ?? null);

  const add = async () => {
    if (!chosen) return;
    setAdding(true);
    const problem = await onChoose(chosen);
    setAdding(false);
    if (problem) setError(problem);
  };

  const onGo = (e: FormEvent) => {
    e.preventDefault();
    const p = (typed ?? listing?.path ?? '').trim();
    if (!p) setError('Type a folder path, such as ~/Pictures.');
    else open(p);
  };

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const last = entries.length - 1;
    const move = (i: number) => {
      e.preventDefault();
      setActive(Math.max(0, Math.min(last, i)));
    };
    if (e.key === 'ArrowDown') move(active + 1);
    else if (e.key === 'ArrowUp') move(active - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(last);
    else if (e.key === 'PageDown') move(active + 10);
    else if (e.key === 'PageUp') move(active - 10);
    else if ((e.key === 'Enter' || e.key === 'ArrowRight') && selected) {
      e.preventDefault();
      if (selected.readable) open(selected.path);
    } else if ((e.key === 'Backspace' || e.key === 'ArrowLeft') && listing?.parent) {
      e.preventDefault();
      open(listing.parent);
    } else if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      // Type-ahead: the next folder after the selected one whose name starts with the letter.
      const k = e.key.toLowerCase();
      const order = entries.map((_, i) => (active + 1 + i) % entries.length);
      const hit = order.find((i) => entries[i]!.name.toLowerCase().startsWith(k));
      if (hit !== undefined) move(hit);
    }
  };

  useEffect(() => {
    if (active >= 0) document.getElementById(`folder-option-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  return (
    <dialog {...modal} className="confirm folder-browser" aria-labelledby="folder-browser-title" data-testid="folder-browser">
      <h2 id="folder-browser-title">Add a folder</h2>
      <form className="folder-browser-go" onSubmit={onGo} noValidate>
        <label htmlFor="folder-browser-path">Folder</label>
        <input
          id="folder-browser-path"
          type="text"
          value={typed ?? listing?.path ?? ''}
          // Read-only until the first listing (or its error) arrives: the field then fills with that
          // folder's path, which must not land in the middle of an edit begun on the empty field (a
          // select-all of '' followed by typing gave "/home/ann/tmp/x" — seen in e2e under load).
          readOnly={listing === null && error === null}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            edits.current++;
            setTyped(e.target.value);
          }}
          data-testid="folder-browser-path"
        />
        <button type="submit">Go</button>
      </form>
      <div className="folder-browser-body">
        <nav className="folder-places" aria-label="Places">
          <PlaceList title="This computer" items={places ? [{ label: 'Home', path: places.home }, ...places.drives] : []} onOpen={open} />
          {places?.recent.length ? <PlaceList title="Recent" items={places.recent} onOpen={open} /> : null}
        </nav>
        <div className="folder-pane">
          <div className="folder-pane-head">
            <button
              type="button"
              disabled={!listing?.parent}
              onClick={() => listing?.parent && open(listing.parent)}
              data-testid="folder-browser-up"
            >
              ↑ Up
            </button>
            <span className="folder-pane-path" title={listing?.path} data-testid="folder-browser-current">
              {listing?.path ?? 'Loading…'}
            </span>
            <label className="folder-hidden-toggle">
              <input
                type="checkbox"
                checked={showHidden}
                onChange={(e) => setShowHidden(e.target.checked)}
                data-testid="folder-browser-hidden"
              />
              Show hidden folders
            </label>
          </div>
          <ul
            ref={listRef}
            className="folder-entries"
            role="listbox"
            aria-label={listing ? `Folders in ${lastName(listing.path)}` : 'Folders'}
            tabIndex={0}
            autoFocus
            aria-activedescendant={active >= 0 ? `folder-option-${active}` : undefined}
            onKeyDown={onListKey}
            data-testid="folder-entries"
          >
            {entries.map((e, i) => (
              <li
                key={e.path}
                id={`folder-option-${i}`}
                role="option"
                aria-selected={i === active}
                aria-disabled={!e.readable || undefined}
                className={`folder-entry-row${i === active ? ' active' : ''}${e.readable ? '' : ' unreadable'}`}
                onClick={() => setActive(i)}
                onDoubleClick={() => e.readable && open(e.path)}
                data-testid="folder-entry"
              >
                {e.name}
                {e.readable ? null : <span className="folder-entry-note"> (no access)</span>}
              </li>
            ))}
          </ul>
          {listing && entries.length === 0 ? <p className="muted">No folders in here.</p> : null}
          <p className="muted folder-pane-foot">
            {listing?.hiddenCount ? `${listing.hiddenCount} hidden folder${listing.hiddenCount === 1 ? '' : 's'} not shown. ` : ''}
            {listing?.truncated ? `Only the first ${entries.length} folders are shown; type a path to go further. ` : ''}
            Enter opens the selected folder, Backspace goes up.
          </p>
        </div>
      </div>
      {error ? (
        <p className="inline-error" role="alert" data-testid="folder-browser-error">
          {error}
        </p>
      ) : null}
      <div className="confirm-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!chosen || adding} onClick={() => void add()} data-testid="folder-browser-add">
          {adding ? 'Adding…' : chosen ? `Add “${lastName(chosen)}”` : 'Add'}
        </button>
      </div>
    </dialog>
  );
}

function PlaceList({ title, items, onOpen }: { title: string; items: { label: string; path: string }[]; onOpen: (p: string) => void }) {
  return (
    <>
      <h3 className="section-title">{title}</h3>
      <ul>
        {items.map((p) => (
          <li key={p.path}>
            <button type="button" className="link-button" title={p.path} onClick={() => onOpen(p.path)} data-testid="folder-place">
              {p.label}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
