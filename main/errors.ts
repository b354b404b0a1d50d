/**
 * @file Turning a caught value into text: `errMessage` for any error, `errText` for filesystem errors
 * a user will read (scan warnings, file errors). Pure; runs wherever main's code runs (app, CLI,
 * headless host, tests).
 */

/** The message of a caught value, whatever was thrown. */
export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A short human message for a filesystem error: plain words for the common codes, else its message. */
export function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'the file or folder no longer exists';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EIO':
      return 'input/output error (failing disk or unmounted drive?)';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOTREGULAR': // library/hash.ts openRegular: swapped for a FIFO or device after it was listed
      return 'not a regular file';
    default:
      return errMessage(err);
  }
}
