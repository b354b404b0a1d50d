/**
 * @file Which grid the library shows: justified rows that keep each photo's aspect ratio (the default, as
 * Google Photos and Immich) or the square grid; remembered in localStorage, shared by the toolbar's
 * toggle (`GridModeToggle`, rendered by the Library page) and the grid (./photo-grid.tsx). Runs in the
 * renderer.
 */
import { useSyncExternalStore } from 'react';

export type GridMode = 'justified' | 'square';

const KEY = 'shoebox.gridMode';
const listeners = new Set<() => void>();

function read(): GridMode {
  try {
    return localStorage.getItem(KEY) === 'square' ? 'square' : 'justified';
  } catch {
    return 'justified'; // no storage (a private window): the default
  }
}

let current: GridMode | null = null;

/** The grid mode now. */
export function getGridMode(): GridMode {
  return (current ??= read());
}

/** Switches every grid to `mode` and remembers it. */
export function setGridMode(mode: GridMode): void {
  current = mode;
  try {
    localStorage.setItem(KEY, mode);
  } catch {
    // Storage can be unavailable; the mode then lasts for this page only.
  }
  for (const l of listeners) l();
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The grid mode, re-rendering when it changes. */
export function useGridMode(): GridMode {
  return useSyncExternalStore(subscribe, getGridMode);
}

/** The toolbar's toggle between justified rows and the square grid. */
export function GridModeToggle() {
  const mode = useGridMode();
  const square = mode === 'square';
  return (
    <button
      type="button"
      className="grid-mode-toggle"
      aria-pressed={square}
      onClick={() => setGridMode(square ? 'justified' : 'square')}
      title={square ? 'Show photos in their own shapes' : 'Show photos as equal squares'}
      data-testid="grid-mode"
    >
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
        {square ? (
          <path d="M1 1h6v6H1zM9 1h6v6H9zM1 9h6v6H1zM9 9h6v6H9z" fill="currentColor" />
        ) : (
          <path d="M1 1h9v6H1zM12 1h3v6h-3zM1 9h4v6H1zM7 9h8v6H7z" fill="currentColor" />
        )}
      </svg>
      <span className="visually-hidden">Square grid</span>
    </button>
  );
}
