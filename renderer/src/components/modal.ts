/**
 * @file The one way Shoebox shows a modal: a native <dialog> opened with showModal() while its
 * component is mounted (focus trap, backdrop and Esc from the browser), where Esc calls the owner's
 * onCancel instead of closing behind React's back. Runs in the renderer.
 */
import { useCallback, useEffect, useRef, type SyntheticEvent } from 'react';

/** Props to spread on a <dialog>: `<dialog {...useModal(onCancel)} …>`. */
export function useModal(onCancel: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const cancel = useCallback(
    (e: SyntheticEvent<HTMLDialogElement>) => {
      e.preventDefault();
      onCancel();
    },
    [onCancel],
  );
  return { ref, onCancel: cancel };
}
