/**
 * @file The words and small decisions of the collection actions, kept out of React so they are
 * unit-tested: counts ("3 photos"), whether `.` favourites or unfavourites, which key does what in the
 * grid, the trash confirmation built from `trash:plan`, and the messages after a move, a restore or an
 * undo. Runs in the renderer.
 */
import type { CollectionProblem, PhotoSummary, TrashMoveResult, TrashPlan, TrashRestoreResult } from '../../../../preload/contract';
import { countLabel } from '../../format';

/** "1 photo", "1,204 photos". */
export function photosLabel(n: number): string {
  return `${countLabel(n)} ${n === 1 ? 'photo' : 'photos'}`;
}

/** The last part of a folder path, as the sidebar names it. */
export function folderName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/**
 * Whether a favourite toggle sets (true) or clears (false) the mark: it clears only when every photo it
 * applies to that is known is already a favourite (as in Apple Photos); an unknown set is favourited.
 */
export function nextFavourite(known: readonly Pick<PhotoSummary, 'favourite'>[]): boolean {
  return known.length === 0 || known.some((p) => p.favourite !== true);
}

/** What a key pressed in the grid asks for, or null when it is not a collection shortcut. */
export type GridKeyAction = { kind: 'favourite' } | { kind: 'rating'; rating: number } | { kind: 'undo' };

export function gridKeyAction(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): GridKeyAction | null {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'z') return { kind: 'undo' };
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === '.') return { kind: 'favourite' };
  if (/^[0-5]$/.test(e.key)) return { kind: 'rating', rating: Number(e.key) };
  return null;
}

/** "Trips, Phone and 3 other folders". */
export function foldersText(folders: readonly { path: string }[]): string {
  const names = folders.map((f) => folderName(f.path));
  if (names.length <= 3) return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} other folders`;
}

/** One problem line: "IMG_1.jpg: the folder is read-only". */
export function problemText(p: CollectionProblem): string {
  return p.path ? `${folderName(p.path)}: ${p.reason}` : p.reason;
}

export interface TrashConfirmation {
  title: string;
  /** What happens, naming the count and the folders. */
  message: string;
  /** Why some or all photos are refused (read-only folders…), as the host says; empty when none are. */
  refusals: string[];
  /** "and 12 more" under the listed refusals; null when all are listed. */
  moreRefused: string | null;
  /** Nothing can be moved: the dialog offers only Close. */
  blocked: boolean;
  confirmLabel: string;
}

/** The confirmation for "Move to Trash", from the host's plan. */
export function trashConfirmation(plan: TrashPlan): TrashConfirmation {
  const refusals = plan.refused.map(problemText);
  const moreRefused = plan.refusedCount > refusals.length ? `and ${countLabel(plan.refusedCount - refusals.length)} more` : null;
  if (plan.photos === 0) {
    return {
      title: 'Cannot move to the Trash',
      message:
        plan.refusedCount === 1
          ? 'This photo cannot be moved to the Trash:'
          : `None of these ${photosLabel(plan.refusedCount)} can be moved to the Trash:`,
      refusals,
      moreRefused,
      blocked: true,
      confirmLabel: 'Move to Trash',
    };
  }
  const files = plan.files !== plan.photos ? ` (${countLabel(plan.files)} files)` : '';
  const from = plan.folders.length > 0 ? ` from ${foldersText(plan.folders)}` : '';
  const [them, are] = plan.photos === 1 ? ['it', 'it is'] : ['them', 'they are'];
  const undo = plan.undoAvailable
    ? `You can undo this, or restore ${them} from Recently removed, while ${are} still in the Trash.`
    : (plan.undoNote ?? `Shoebox cannot put ${them} back on this system; restore ${them} from the system Trash.`);
  const skipped =
    plan.refusedCount > 0 ? ` ${photosLabel(plan.refusedCount)} will stay where ${plan.refusedCount === 1 ? 'it is' : 'they are'}:` : '';
  return {
    title: plan.photos === 1 ? 'Move 1 photo to the Trash?' : `Move ${photosLabel(plan.photos)} to the Trash?`,
    message: `The original ${plan.photos === 1 && plan.files === 1 ? 'file' : 'files'}${files}${from} will be moved to the system Trash. Nothing is deleted for good. ${undo}${skipped}`,
    refusals,
    moreRefused,
    blocked: false,
    confirmLabel: plan.photos === 1 ? 'Move to Trash' : `Move ${photosLabel(plan.photos)} to Trash`,
  };
}

/** The toast after a move: what moved and what did not. */
export function movedText(result: TrashMoveResult): string {
  const moved = result.moved > 0 ? `Moved ${photosLabel(result.moved)} to the Trash.` : 'Nothing was moved to the Trash.';
  if (result.failedCount === 0) return moved;
  const first = result.failed[0];
  return `${moved} ${photosLabel(result.failedCount)} could not be moved${first ? ` (${problemText(first)}${result.failedCount > 1 ? ', …' : ''})` : ''}.`;
}

/** The message after an undo of a move or a restore from Recently removed. */
export function restoredText(result: TrashRestoreResult): string {
  const restored = result.restored > 0 ? `Restored ${photosLabel(result.restored)}.` : 'Nothing was restored.';
  if (result.missingCount === 0) return restored;
  const first = result.missing[0];
  return `${restored} ${photosLabel(result.missingCount)} could not be put back${first ? ` (${problemText(first)}${result.missingCount > 1 ? ', …' : ''})` : ''}.`;
}

/** "Rated 3 photos 4 stars", "Removed the rating of 1 photo". */
export function ratedText(n: number, rating: number): string {
  return rating === 0
    ? `Cleared the rating of ${photosLabel(n)}.`
    : `Rated ${photosLabel(n)} ${rating} ${rating === 1 ? 'star' : 'stars'}.`;
}
