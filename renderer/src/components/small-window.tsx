/**
 * @file What the shell adds for keyboards and small windows: the skip link (first thing Tab reaches;
 * it jumps to the photo grid, or to the page where there is none) and the sidebar's drawer, which
 * takes the sidebar's place under 900 px (styles/small-window.css): a Menu button opens it over the
 * page; Esc, the backdrop or choosing a page closes it. Runs in the renderer.
 */
import { useCallback, useEffect, useState, type MouseEvent } from 'react';

/** Id of the element the skip link falls back to (the page's `<main>`). */
export const MAIN_ID = 'main-content';

/** "Skip to the photos": focuses the grid's current cell (or the grid, or the page). */
export function SkipLink({ label }: { label: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    const grid = document.querySelector<HTMLElement>('[data-testid="photo-grid"]');
    const target = grid?.querySelector<HTMLElement>('[tabindex="0"]') ?? grid ?? document.getElementById(MAIN_ID);
    target?.focus();
  };
  return (
    <a className="skip-link" href={`#${MAIN_ID}`} onClick={onClick} data-testid="skip-link">
      {label}
    </a>
  );
}

export interface NavDrawer {
  open: boolean;
  toggle: () => void;
  close: () => void;
}

/** The drawer's state: closes on Esc and whenever the page (location hash) changes. */
export function useNavDrawer(): NavDrawer {
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  const toggle = useCallback(() => setOpen((o) => !o), []);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('hashchange', close);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('hashchange', close);
    };
  }, [open, close]);
  return { open, toggle, close };
}

/** The bar small windows show above the page: the Menu button that opens the sidebar. */
export function SmallWindowBar({ drawer, controls }: { drawer: NavDrawer; controls: string }) {
  return (
    <div className="small-bar">
      <button
        type="button"
        className="nav-toggle"
        aria-controls={controls}
        aria-expanded={drawer.open}
        onClick={drawer.toggle}
        data-testid="nav-toggle"
      >
        <span aria-hidden="true">☰</span> Menu
      </button>
      <span className="small-bar-brand">Shoebox</span>
    </div>
  );
}

/** Dims the page behind the open drawer; a click on it closes the drawer. */
export function DrawerBackdrop({ drawer }: { drawer: NavDrawer }) {
  return drawer.open ? <div className="nav-backdrop" aria-hidden="true" onClick={drawer.close} /> : null;
}
