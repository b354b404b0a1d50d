/**
 * @file A modal confirmation for destructive actions (remove a folder, delete a model), built on the
 * native <dialog> so focus trapping and Esc come from the browser. Runs in the renderer.
 */
import { useModal } from './modal';

export interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Open while mounted; Esc or Cancel calls onCancel. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const modal = useModal(onCancel);
  return (
    <dialog {...modal} className="confirm" aria-labelledby="confirm-title" data-testid="confirm-dialog">
      <h2 id="confirm-title">{title}</h2>
      <p>{message}</p>
      <div className="confirm-actions">
        <button type="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} data-testid="confirm-ok">
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
