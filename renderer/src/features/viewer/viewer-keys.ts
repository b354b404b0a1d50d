/**
 * @file The photo viewer's keys: which key press means which command. Pure, so the map is tested
 * (test/unit/renderer-viewer-keys.test.ts) and listed in one place; viewer.tsx runs the commands. Runs
 * in the renderer.
 *
 * [Note: Viewer keys] `0`–`5` set the rating and `.` the favourite, as in the grid and in Apple Photos /
 * Lightroom, so a plain `0` cannot also mean "zoom to fit": that is Ctrl+0 (Cmd+0), as in a browser, or a
 * double-click. `+` / `-` zoom with or without Ctrl, so the browser's own page zoom never takes over in
 * the viewer. `s` starts and stops the slideshow; any key that moves to another photo (← → Home End) or
 * Esc stops it. Esc backs out one level at a time: full screen, then the slideshow, then the viewer.
 */

export type ViewerCommand =
  | { kind: 'close' }
  | { kind: 'go'; to: 'previous' | 'next' | 'first' | 'last' }
  | { kind: 'toggle-info' }
  | { kind: 'zoom'; how: 'in' | 'out' | 'fit' }
  | { kind: 'fullscreen' }
  | { kind: 'rotate'; quarterTurns: 1 | -1 }
  | { kind: 'slideshow' }
  | { kind: 'favourite' }
  | { kind: 'rate'; rating: number };

export type KeyPress = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>;

/** The command of a key press in the viewer, or null when the viewer leaves the key alone. */
export function viewerCommand(e: KeyPress): ViewerCommand | null {
  if (e.altKey) return null;
  if (e.ctrlKey || e.metaKey) {
    // Only the browser's zoom keys, taken over for the photo.
    if (e.key === '0') return { kind: 'zoom', how: 'fit' };
    if (e.key === '+' || e.key === '=') return { kind: 'zoom', how: 'in' };
    if (e.key === '-' || e.key === '_') return { kind: 'zoom', how: 'out' };
    return null;
  }
  switch (e.key) {
    case 'Escape':
      return { kind: 'close' };
    case 'ArrowLeft':
      return { kind: 'go', to: 'previous' };
    case 'ArrowRight':
      return { kind: 'go', to: 'next' };
    case 'Home':
      return { kind: 'go', to: 'first' };
    case 'End':
      return { kind: 'go', to: 'last' };
    case 'i':
    case 'I':
      return { kind: 'toggle-info' };
    case '+':
    case '=':
      return { kind: 'zoom', how: 'in' };
    case '-':
    case '_':
      return { kind: 'zoom', how: 'out' };
    case 'f':
    case 'F':
    case 'F11':
      return { kind: 'fullscreen' };
    case 'r':
      return { kind: 'rotate', quarterTurns: 1 };
    case 'R':
      return { kind: 'rotate', quarterTurns: -1 };
    case 's':
    case 'S':
      return { kind: 'slideshow' };
    case '.':
      return { kind: 'favourite' };
    default:
      return /^[0-5]$/.test(e.key) ? { kind: 'rate', rating: Number(e.key) } : null;
  }
}

/** Whether a command moves away from the photo shown (and so stops a running slideshow). */
export function isNavigation(command: ViewerCommand): boolean {
  return command.kind === 'go' || command.kind === 'close';
}
