/**
 * @file The keys that reach search from anywhere: `/` (outside a text field) and Ctrl+K or ⌘K (also in
 * one). Not while a modal dialog (the viewer, a confirmation) is open: the page under it is inert. Runs
 * in the renderer.
 */
import { useEffect, useRef } from 'react';
import { typing } from '../../components/shortcuts-dialog';

/** Whether a key press asks for the search field. */
export function isSearchKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'target'>): boolean {
  if (e.altKey) return false;
  if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'k') return true;
  return e.key === '/' && !e.ctrlKey && !e.metaKey && !typing(e.target);
}

/** Calls `onSearch` for `/` and Ctrl/⌘+K while mounted. */
export function useSearchShortcut(onSearch: () => void): void {
  const ref = useRef(onSearch);
  useEffect(() => {
    ref.current = onSearch;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !isSearchKey(e) || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      ref.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
