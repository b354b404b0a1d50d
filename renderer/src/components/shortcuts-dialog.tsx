/**
 * @file The keyboard shortcuts overlay, opened with ? anywhere outside a text field or with the
 * sidebar's "Keyboard shortcuts" button ({@link openShortcuts}). Runs in the renderer; a native modal
 * <dialog>, so Esc and focus handling come from the browser.
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
  ['.  (grid)', 'Favourite or unfavourite the selected photos, else the focused one'],
  ['0–5  (grid)', 'Star rating of the selected photos, else the focused one (0 clears it)'],
  ['Ctrl+Z  or  ⌘Z', 'Undo a move to the Trash, a hide or an album change while its notice shows'],
  ['← →  Home / End  (viewer)', 'Previous / next, first / last photo'],
  ['I  (viewer)', 'Show or hide the details'],
  ['+ / −  or the wheel  (viewer)', 'Zoom in / out about the pointer; drag to move a zoomed photo'],
  ['Double-click  or  Ctrl+0  (viewer)', 'Fit ↔ 100 %  /  fit to the window'],
  ['F  or  F11  (viewer)', 'Full screen (Esc leaves)'],
  ['R / Shift+R  (viewer)', 'Turn right / left (for display; the file is not changed)'],
  ['S  (viewer)', 'Start or stop the slideshow'],
  ['.  (viewer)', 'Favourite'],
  ['0–5  (viewer)', 'Star rating (0 clears it)'],
  ['Esc', 'Leave full screen, stop the slideshow, close the viewer or a dialog'],
  ['+ / −', 'Bigger / smaller thumbnails'],
  ['?', 'This list'],
];

/** Whether a key press belongs to a text field (then ? or / is just a character). */
export function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

const OPEN_EVENT = 'shoebox:shortcuts';

/** Opens the shortcuts overlay (for a visible button: `?` alone is found by few). */
export function openShortcuts(): void {
  window.dispatchEvent(new Event(OPEN_EVENT));
}

/** Listens for ? (and {@link openShortcuts}) and shows the shortcuts while open. */
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
    const onOpen = () => setOpen(true);
    window.addEventListener('keydown', onKey);
    window.addEventListener(OPEN_EVENT, onOpen);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(OPEN_EVENT, onOpen);
    };
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
