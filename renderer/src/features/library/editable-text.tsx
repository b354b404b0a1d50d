/**
 * @file An inline text editor for the viewer's panels (the caption, the text in the photo): a textarea
 * with Save and Cancel, Enter (or Ctrl+Enter for multi-line text) saves, Esc cancels. Runs in the
 * renderer.
 *
 * Esc belongs to the editor, not to the viewer: the textarea carries `data-escape="field"`, which the
 * viewer's key listener (viewer.tsx) leaves alone. A failed save keeps the editor open with the typed
 * text, so nothing is lost; the caller reports the error.
 */
import { useId, useState, type KeyboardEvent } from 'react';

export interface EditableTextProps {
  initial: string;
  /** What is edited, for the field's accessible name ("Caption"). */
  label: string;
  /** 'enter': Enter saves (Shift+Enter breaks the line); 'ctrl-enter': Enter breaks the line, Ctrl+Enter saves. */
  submit: 'enter' | 'ctrl-enter';
  maxLength: number;
  rows?: number;
  /** Resolves true once saved (the editor closes), false when it failed (the editor stays open). */
  onSave: (text: string) => Promise<boolean>;
  onCancel: () => void;
  testId?: string;
}

export function EditableText({ initial, label, submit, maxLength, rows = 3, onSave, onCancel, testId }: EditableTextProps) {
  const [value, setValue] = useState(initial);
  const [saving, setSaving] = useState(false);
  const hintId = useId();
  const save = async () => {
    if (saving) return;
    setSaving(true);
    const ok = await onSave(value.trim());
    // On success the parent unmounts the editor; only a failure leaves it here to update.
    if (!ok) setSaving(false);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    } else if (e.key === 'Enter' && (submit === 'enter' ? !e.shiftKey : e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void save();
    }
  };
  return (
    <div className="inline-editor">
      <textarea
        value={value}
        rows={rows}
        maxLength={maxLength}
        aria-label={label}
        aria-describedby={hintId}
        data-escape="field"
        data-testid={testId}
        autoFocus
        disabled={saving}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="inline-editor-actions">
        <span id={hintId} className="muted small">
          {submit === 'enter' ? 'Enter saves · Shift+Enter new line · Esc cancels' : 'Ctrl+Enter saves · Esc cancels'}
        </span>
        <span className="spacer" />
        <button type="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => void save()}
          disabled={saving}
          data-testid={testId ? `${testId}-save` : undefined}
        >
          Save
        </button>
      </div>
    </div>
  );
}
