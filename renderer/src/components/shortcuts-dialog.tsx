/**
 * @file The keyboard shortcuts overlay, opened with ? anywhere outside a text field. Runs in the
 * renderer; a native modal <dialog>, so Esc and focus handling come from the browser.
 */
import { useEffect, useRef, useState } from 'react';

const SHORTCUTS: [string, string][] = [
  ['/  or  Ctrl+K', 'Search (from any page)'],
  ['↑ ↓  Enter  Delete  (search)', 'Pick, run or forget a recent search'],
  ['Esc  (search)', 'Clear the search, then leave the field'],
  ['← → ↑ ↓', 'Move between photos in the grid'],
  ['Page Up / Page Down', 'Move a screen up or down'],
  ['Home / End', 'First (newest) / last (oldest) photo'],
  ['Enter or Space', 'Open the focused photo'],
  ['← →  (viewer)', 'Previous / next photo'],
  ['I  (viewer)', 'Show or hide the details'],
  ['Esc', 'Close the viewer or a dialog'],
  ['+ / −', 'Bigger / smaller thumbnails'],
  ['?', 'This list'],
];

/** Whether a key press belongs to a text field (then ? or / is just a character). */
export function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Listens for ? and shows the shortcuts while open. */
export function ShortcutsDialog() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(e.target)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const dialog = ref.current;
    if (open && dialog && !dialog.open) dialog.showModal();
  }, [open]);
  if (!open) return null;
  return (
    <dialog
      ref={ref}
      className="confirm shortcuts"
      aria-labelledby="shortcuts-title"
      data-testid="shortcuts"
      onClose={() => setOpen(false)}
    >
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <dl className="kv">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="kv-row">
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <div className="confirm-actions">
        <button type="button" onClick={() => ref.current?.close()} autoFocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
