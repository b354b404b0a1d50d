/**
 * @file What the grid's clicks and keys do to its selection ([Note: Selection as index intervals] in
 * ./selection.ts): a click ticks (its check, Ctrl/Cmd, or any click while something is ticked) or extends
 * a range (Shift); Space ticks the focused photo, Shift+moves extend from the anchor, Ctrl/Cmd+A selects
 * the view, Esc clears. Runs in the renderer; plain functions over the store, called by ./photo-grid.tsx.
 */
import type { CellClick } from './grid-cells';
import type { SelectionStore } from './selection';

/** The id at an index, when its page is loaded. */
type IdAt = (index: number) => number | undefined;

/** Applies a click on the photo at `index`; false when the click is not a selection's (it opens the photo). */
export function clickSelects(selection: SelectionStore | undefined, click: CellClick, index: number, idAt: IdAt): boolean {
  if (!selection || !(click.shift || click.toggle || click.check || selection.active)) return false;
  if (click.shift) selection.extendTo(idAt(index), index);
  else selection.toggle(idAt(index), index);
  return true;
}

/** The modifier keys and key of a keyboard event. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/**
 * Applies a key that is the selection's own (Ctrl/Cmd+A, Esc while selecting, Space); true when it was
 * one (the caller then prevents its default). Moves are the caller's; see `extendOnMove`.
 */
export function keySelects(selection: SelectionStore | undefined, e: KeyPress, focusIndex: number, idAt: IdAt): boolean {
  if (!selection) return false;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'a') {
    selection.selectAll();
    return true;
  }
  if (e.altKey || e.ctrlKey || e.metaKey) return false;
  if (e.key === 'Escape' && selection.active) {
    selection.clear();
    return true;
  }
  if (e.key === ' ' && focusIndex >= 0) {
    if (e.shiftKey) selection.extendTo(idAt(focusIndex), focusIndex);
    else selection.toggle(idAt(focusIndex), focusIndex);
    return true;
  }
  return false;
}

/** Shift+arrow (or Page/Home/End): extends the range to `next`, from the focused photo when nothing anchors one. */
export function extendOnMove(selection: SelectionStore | undefined, shift: boolean, from: number, next: number, idAt: IdAt): void {
  if (!selection || !shift || next < 0) return;
  if (!selection.anchored) selection.extendTo(idAt(from), from);
  selection.extendTo(idAt(next), next);
}
