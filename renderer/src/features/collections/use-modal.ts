/**
 * @file Opens a native <dialog> as a modal while its component is mounted, and puts the focus back on
 * what had it before: the browser does that when a dialog closes, not when it is removed from the page,
 * which is how a React dialog goes. Runs in the renderer; used by ./name-dialog.tsx and ./trash-dialog.tsx.
 */
import { useEffect, type RefObject } from 'react';

/** `onOpen` runs once the dialog is open (e.g. to select the text of its field). */
export function useModal(ref: RefObject<HTMLDialogElement | null>, onOpen?: () => void): void {
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    onOpen?.();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
    // Once per mount: the dialog opens with the component and closes with it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
