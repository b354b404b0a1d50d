/**
 * @file The toast after an action that can be taken back (a move to the Trash, hide, remove from an
 * album): what happened, an Undo button, and Ctrl/Cmd+Z while it shows (not while typing in a field,
 * where Ctrl+Z is the field's own). It stays while the pointer or the focus is on it, else for
 * `UNDO_SHOW_MS`. Runs in the renderer.
 */
import { useEffect, useRef, useState } from 'react';
import { typing } from '../../components/shortcuts-dialog';
import { gridKeyAction } from './collection-texts';
import type { UndoOffer } from './use-collection-actions';

export const UNDO_SHOW_MS = 12_000;

export interface UndoToastProps {
  offer: UndoOffer;
  onUndo: () => void;
  onDismiss: () => void;
}

export function UndoToast({ offer, onUndo, onDismiss }: UndoToastProps) {
  const [held, setHeld] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (held) return;
    const timer = setTimeout(onDismiss, UNDO_SHOW_MS);
    return () => clearTimeout(timer);
  }, [held, onDismiss, offer.id]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (gridKeyAction(e)?.kind !== 'undo' || typing(e.target) || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      onUndo();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onUndo]);
  return (
    <div
      ref={ref}
      className="undo-toast notice notice-info"
      role="status"
      data-testid="undo-toast"
      onPointerEnter={() => setHeld(true)}
      onPointerLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={(e) => {
        if (!ref.current?.contains(e.relatedTarget)) setHeld(false);
      }}
    >
      <span>{offer.message}</span>
      <button type="button" onClick={onUndo} data-testid="undo-button" title="Undo (Ctrl+Z or ⌘Z)">
        Undo
      </button>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
