/**
 * @file The selection bar over the Library grid while photos are selected: "N selected", Clear, and
 * the actions the view allows (./library-scope.ts): Favourite or Unfavourite, Rate (0–5), Hide or
 * Unhide, Add to album (existing albums and "New album…"), Remove from album, Move to Trash, or in
 * Recently removed, Restore. Runs in the renderer; the actions themselves, and their inline errors,
 * are in ./use-collection-actions.ts (the page shows the errors: they outlive the selection).
 */
import { useState } from 'react';
import type { AlbumDto } from '../../../../preload/contract';
import { countLabel } from '../../format';
import { photosLabel } from './collection-texts';
import type { LibraryScope } from './library-scope';
import { scopeActions } from './library-scope';
import { MenuButton, type MenuItem } from './menu-button';
import { NameDialog } from './name-dialog';
import type { CollectionActions } from './use-collection-actions';

export interface SelectionBarProps {
  count: number;
  scope: LibraryScope;
  actions: CollectionActions;
  albums: AlbumDto[] | undefined;
  onClear: () => void;
}

const STARS = [1, 2, 3, 4, 5] as const;

export function SelectionBar({ count, scope, actions, albums, onClear }: SelectionBarProps) {
  const [naming, setNaming] = useState(false);
  const can = scopeActions(scope);
  // Busy buttons stay focusable (aria-disabled, not disabled): disabling the focused one would drop the
  // keyboard user's focus to the page. A press while busy does nothing.
  const busy = actions.busy !== null;
  const when = (fn: () => void) => () => {
    if (!busy) fn();
  };
  const unfavourite = actions.allFavourite();

  const ratingItems: MenuItem[] = [
    ...STARS.map((n) => ({
      key: String(n),
      label: (
        <>
          <span aria-hidden="true" className="stars">
            {'★'.repeat(n)}
            {'☆'.repeat(5 - n)}
          </span>{' '}
          {n}
        </>
      ),
      ariaLabel: `${n} ${n === 1 ? 'star' : 'stars'}`,
      onSelect: () => void actions.rate(n, true),
      testId: `rate-${n}`,
    })),
    { key: '0', label: 'No rating', onSelect: () => void actions.rate(0, true), testId: 'rate-0' },
  ];
  const albumItems: MenuItem[] = [
    ...(albums ?? [])
      .filter((a) => scope.kind !== 'album' || a.id !== scope.albumId)
      .map((a) => ({
        key: String(a.id),
        label: (
          <>
            {a.name} <span className="muted">{countLabel(a.count)}</span>
          </>
        ),
        ariaLabel: `${a.name}, ${photosLabel(a.count)}`,
        onSelect: () => void actions.addToAlbum(a),
        testId: 'album-menu-item',
      })),
    { key: 'new', label: 'New album…', onSelect: () => setNaming(true), testId: 'album-menu-new' },
  ];

  return (
    <div className="selection-bar" role="toolbar" aria-label="Selected photos" data-testid="selection-bar">
      <span className="selection-count" data-testid="selection-count" aria-live="polite">
        {countLabel(count)} selected
      </span>
      <button type="button" onClick={onClear} data-testid="selection-clear" title="Clear the selection (Esc)">
        Clear
      </button>
      <span className="selection-actions">
        {can.favourite ? (
          <button
            type="button"
            aria-disabled={busy}
            onClick={when(() => void actions.setFavourite(!unfavourite))}
            title={unfavourite ? 'Remove from Favourites (.)' : 'Add to Favourites (.)'}
            data-testid="action-favourite"
          >
            <span aria-hidden="true">{unfavourite ? '♡ ' : '♥ '}</span>
            {unfavourite ? 'Unfavourite' : 'Favourite'}
          </button>
        ) : null}
        {can.rating ? <MenuButton label="Rate" ariaLabel="Rate (0–5)" items={ratingItems} busy={busy} testId="action-rate" /> : null}
        {can.addToAlbum ? <MenuButton label="Add to album" items={albumItems} busy={busy} testId="action-add-to-album" /> : null}
        {can.removeFromAlbum && scope.kind === 'album' ? (
          <button
            type="button"
            aria-disabled={busy}
            onClick={when(() => void actions.removeFromAlbum(scope.albumId, scope.name))}
            title="Take the photos out of this album; they stay in the library"
            data-testid="action-remove-from-album"
          >
            Remove from album
          </button>
        ) : null}
        {can.hide ? (
          <button
            type="button"
            aria-disabled={busy}
            onClick={when(() => void actions.setHidden(can.hide === 'hide'))}
            title={can.hide === 'hide' ? 'Hide from the library; they wait in Hidden' : 'Bring back into the library'}
            data-testid="action-hide"
          >
            {can.hide === 'hide' ? 'Hide' : 'Unhide'}
          </button>
        ) : null}
        {can.restore ? (
          <button
            type="button"
            className="primary"
            aria-disabled={busy}
            onClick={when(() => void actions.restore())}
            data-testid="action-restore"
          >
            Restore
          </button>
        ) : null}
        {can.trash ? (
          <button
            type="button"
            className="danger"
            aria-disabled={busy}
            onClick={when(() => void actions.askTrash())}
            data-testid="action-trash"
          >
            Move to Trash…
          </button>
        ) : null}
      </span>
      {actions.busy ? (
        <span className="muted" role="status">
          {actions.busy}
        </span>
      ) : null}
      {naming ? (
        <NameDialog
          title="New album"
          label="Album name"
          submitLabel={count > 0 ? `Create with ${photosLabel(count)}` : 'Create'}
          onSubmit={async (name) => {
            await actions.createAlbum(name);
            setNaming(false);
          }}
          onCancel={() => setNaming(false)}
        />
      ) : null}
    </div>
  );
}
