/**
 * @file Copies text to the clipboard from the renderer: the Clipboard API where the page may use it (a
 * secure context: localhost or https), else the older copy command on a hidden text field. Runs in the
 * renderer. The caller shows the text when both fail, so nothing is lost.
 */

/**
 * Copies `text`; resolves to whether it worked. `host` is where the hidden field goes: inside the open
 * modal dialog, since the rest of the page is inert and its fields cannot be selected.
 */
export async function copyText(text: string, host: HTMLElement): Promise<boolean> {
  if (window.isSecureContext && typeof navigator.clipboard?.writeText === 'function') {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // refused (no permission, the page not focused): try the older way below
    }
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.readOnly = true;
  field.setAttribute('aria-hidden', 'true');
  Object.assign(field.style, { position: 'fixed', top: '0', left: '0', opacity: '0', pointerEvents: 'none' });
  const focused = document.activeElement;
  host.append(field);
  field.select();
  let copied = false;
  try {
    // Deprecated, but the only way to copy outside a secure context (a host reached over plain http).
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  field.remove();
  if (focused instanceof HTMLElement) focused.focus();
  return copied;
}
