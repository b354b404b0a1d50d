/**
 * @file What the Library page adds around its grid for collections: the selection bar, the inline
 * error of the last action, a polite live region saying what an action did, the grid's collection keys
 * (`.` favourite, `0`–`5` rating: the selection's, else the focused photo's), the Trash confirmation,
 * and the Undo toast. Keeps the keyboard in the grid when an action takes the bar away. Runs in the
 * renderer; used by ../library/library-view.tsx.
 */
import { useCallback, useEffect, useRef, type FocusEvent, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { AlbumDto } from '../../../../preload/contract';
import './collections.css';
import { typing } from '../../components/shortcuts-dialog';
import type { PhotoGridHandle } from '../library/photo-grid';
import { gridKeyAction } from './collection-texts';
import type { LibraryScope } from './library-scope';
import { SelectionBar } from './selection-bar';
import { TrashDialog } from './trash-dialog';
import { UndoToast } from './undo-toast';
import type { CollectionActions } from './use-collection-actions';

/** The grid's focused photo, read from the DOM the grid renders (`data-photo-id` on its cells). */
export interface GridKeys {
  focusedPhoto: () => { id: number; index: number } | null;
  /** Records the cell that took the focus, so the photo is known while the grid holds the keyboard. */
  onFocusCapture: (e: FocusEvent<HTMLElement>) => void;
  /** Puts the keyboard back on the last focused photo (after the selection bar went away). */
  refocus: () => void;
}

export function useGridKeys(gridRef: RefObject<PhotoGridHandle | null>): GridKeys {
  const last = useRef<{ id: number; index: number } | null>(null);
  const cellOf = (el: Element | null) => {
    const cell = el?.closest<HTMLElement>('[data-photo-id]');
    const id = Number(cell?.dataset['photoId']);
    const index = Number(cell?.dataset['index']);
    return cell && Number.isInteger(id) && id > 0 && Number.isInteger(index) ? { id, index } : null;
  };
  const focusedPhoto = useCallback(() => {
    const active = document.activeElement;
    const grid = active?.closest('[data-testid="photo-grid"]');
    if (!grid) return null;
    // The focused cell, or (while it is scrolled away and the grid itself holds the keyboard) the last one.
    return cellOf(active) ?? last.current;
  }, []);
  const onFocusCapture = useCallback((e: FocusEvent<HTMLElement>) => {
    const cell = cellOf(e.target);
    if (cell) last.current = cell;
  }, []);
  const refocus = useCallback(() => {
    const at = last.current;
    if (at) gridRef.current?.focusIndex(at.index);
    else document.querySelector<HTMLElement>('[data-testid="photo-grid"]')?.focus();
  }, [gridRef]);
  return { focusedPhoto, onFocusCapture, refocus };
}

export interface CollectionsLayerProps {
  scope: LibraryScope;
  /** Photos selected; 0 hides the bar. */
  count: number;
  actions: CollectionActions;
  albums: AlbumDto[] | undefined;
  onClear: () => void;
  grid: GridKeys;
  children: ReactNode;
}

export function CollectionsLayer({ scope, count, actions, albums, onClear, grid, children }: CollectionsLayerProps) {
  const photos = scope.kind !== 'albums';

  // When an action (hide, trash, Clear, Esc) takes the bar away with the focus on it, the focus would
  // fall to the page: it goes back to the grid, on the photo it was on.
  const shown = count > 0;
  const hadFocus = useRef(false);
  useEffect(() => {
    if (shown || !hadFocus.current) return;
    hadFocus.current = false;
    if (document.activeElement === document.body || document.activeElement === null) grid.refocus();
  }, [shown, grid]);

  // Esc clears the selection anywhere on the page (the grid handles its own; a menu or a dialog keeps
  // theirs; a text field's Esc is the field's).
  useEffect(() => {
    if (!shown) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || typing(e.target)) return;
      if (document.querySelector('dialog[open], [data-testid="viewer"]')) return; // their Esc closes them
      onClear();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shown, onClear]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!photos || !(e.target as Element).closest('[data-testid="photo-grid"]')) return;
    const action = gridKeyAction(e);
    if (action?.kind === 'favourite') {
      e.preventDefault();
      void actions.toggleFavourite(true);
    } else if (action?.kind === 'rating') {
      e.preventDefault();
      void actions.rate(action.rating, true);
    }
  };

  const closeTrash = (confirmed: boolean) => {
    if (confirmed) void actions.confirmTrash();
    else actions.cancelTrash();
  };

  return (
    <>
      {shown && photos ? (
        <div
          className="selection-bar-slot"
          onFocus={() => {
            hadFocus.current = true;
          }}
        >
          <SelectionBar count={count} scope={scope} actions={actions} albums={albums} onClear={onClear} />
        </div>
      ) : null}
      {actions.error ? (
        <div className="banner banner-error collections-error" role="alert" data-testid="collections-error">
          {actions.error}{' '}
          <button type="button" className="link-button" onClick={actions.clearError}>
            Dismiss
          </button>
        </div>
      ) : null}
      <p className="visually-hidden" role="status" data-testid="collections-status">
        {actions.status}
      </p>
      <div className="collections-layer" onKeyDown={onKeyDown} onFocusCapture={grid.onFocusCapture}>
        {children}
      </div>
      {actions.trashPlan ? (
        <TrashDialog plan={actions.trashPlan} onConfirm={() => closeTrash(true)} onCancel={() => closeTrash(false)} />
      ) : null}
      {actions.undoOffer ? (
        <UndoToast offer={actions.undoOffer} onUndo={() => void actions.runUndo()} onDismiss={actions.dismissUndo} />
      ) : null}
    </>
  );
}
