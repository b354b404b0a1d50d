/**
 * @file The confirmation before "Move to Trash": how many photos, from which folders, what will be
 * refused and why (read-only folders, files gone), and whether Undo will be able to bring them back;
 * built from `trash:plan` (./collection-texts.ts). Runs in the renderer; a native modal <dialog>, so Esc
 * and the focus trap come from the browser. Cancel has the focus first: a stray Enter moves nothing.
 */
import { useRef } from 'react';
import type { TrashPlan } from '../../../../preload/contract';
import { trashConfirmation } from './collection-texts';
import { useModal } from './use-modal';

export interface TrashDialogProps {
  plan: TrashPlan;
  onConfirm: () => void;
  onCancel: () => void;
}

export function TrashDialog({ plan, onConfirm, onCancel }: TrashDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useModal(ref);
  const c = trashConfirmation(plan);
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby="trash-title"
      aria-describedby="trash-message"
      data-testid="trash-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="trash-title">{c.title}</h2>
      <p id="trash-message" data-testid="trash-message">
        {c.message}
      </p>
      {c.refusals.length > 0 ? (
        <ul className="trash-refusals" data-testid="trash-refusals">
          {c.refusals.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
          {c.moreRefused ? <li className="muted">{c.moreRefused}</li> : null}
        </ul>
      ) : null}
      <div className="confirm-actions">
        <button type="button" onClick={onCancel} autoFocus>
          {c.blocked ? 'Close' : 'Cancel'}
        </button>
        {c.blocked ? null : (
          <button type="button" className="danger" onClick={onConfirm} data-testid="trash-confirm">
            {c.confirmLabel}
          </button>
        )}
      </div>
    </dialog>
  );
}
