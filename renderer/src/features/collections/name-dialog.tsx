/**
 * @file A modal that asks for a name (a new album, an album's new name): the field starts with the
 * current name selected, Enter saves, Esc or Cancel closes, and the host's refusal (an empty name, a
 * name too long) shows under the field without closing. Runs in the renderer; a native <dialog>.
 */
import { useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../api';
import { useModal } from './use-modal';

export interface NameDialogProps {
  title: string;
  label: string;
  initial?: string;
  submitLabel: string;
  /** Saves the name; a rejection's message is shown in the dialog, which stays open. */
  onSubmit: (name: string) => Promise<void>;
  onCancel: () => void;
}

export function NameDialog({ title, label, initial = '', submitLabel, onSubmit, onCancel }: NameDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useModal(ref, () => inputRef.current?.select());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('Type a name.');
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await onSubmit(name.trim());
    } catch (err) {
      setError(errorMessage(err));
      setSaving(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby="name-dialog-title"
      data-testid="name-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="name-dialog-title">{title}</h2>
        <label className="name-field">
          <span>{label}</span>
          <input
            ref={inputRef}
            type="text"
            value={name}
            maxLength={200}
            autoComplete="off"
            onChange={(e) => {
              setName(e.target.value);
              setError(null);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'name-dialog-error' : undefined}
            data-testid="name-input"
          />
        </label>
        {error ? (
          <p id="name-dialog-error" className="inline-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="confirm-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving} data-testid="name-save">
            {submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
