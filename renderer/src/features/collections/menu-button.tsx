/**
 * @file A button that opens a small menu (the selection bar's "Rate" and "Add to album"): arrow keys
 * move through the items, Enter or a click picks one, Esc or a press outside closes it and the focus goes
 * back to the button (WAI-ARIA menu button pattern). Runs in the renderer.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface MenuItem {
  key: string;
  label: ReactNode;
  /** The item's accessible name when its label is not plain text. */
  ariaLabel?: string;
  onSelect: () => void;
  testId?: string;
}

export interface MenuButtonProps {
  label: ReactNode;
  /** The button's accessible name when its label is not plain text. */
  ariaLabel?: string;
  items: readonly MenuItem[];
  /** While an action runs the menu does not open; the button keeps its focus (aria-disabled). */
  busy?: boolean;
  testId?: string;
  /** Shown (not focusable) when there are no items, e.g. while albums load. */
  emptyText?: string;
}

export function MenuButton({ label, ariaLabel, items, busy = false, testId, emptyText }: MenuButtonProps) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const itemsOf = () => [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    itemsOf()[0]?.focus();
    const onPointerDown = (e: PointerEvent) => {
      const target = e.target as Node | null;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => document.removeEventListener('pointerdown', onPointerDown, true);
  }, [open]);

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const all = itemsOf();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moveTo = (i: number) => all[(i + all.length) % all.length]?.focus();
    // Keys in the menu are the menu's: the grid's shortcuts (0–5, .) must not also act.
    e.stopPropagation();
    if (e.key === 'ArrowDown') moveTo(at + 1);
    else if (e.key === 'ArrowUp') moveTo(at - 1);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(all.length - 1);
    else if (e.key === 'Escape') close(true);
    else if (e.key === 'Tab') setOpen(false);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
  };

  return (
    <div className="menu-button">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={ariaLabel}
        aria-disabled={busy}
        data-testid={testId}
        onClick={() => setOpen((o) => !o && !busy)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open && !busy) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <div ref={menuRef} id={menuId} role="menu" className="menu" onKeyDown={onMenuKey}>
          {items.length === 0 && emptyText ? <p className="menu-empty muted">{emptyText}</p> : null}
          {items.map((item) => (
            <button
              key={item.key}
              type="button"
              role="menuitem"
              tabIndex={-1}
              aria-label={item.ariaLabel}
              data-testid={item.testId}
              onClick={() => {
                close(true);
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
