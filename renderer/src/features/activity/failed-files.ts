/**
 * @file The Activity page's failed files, as a person reads them: one entry per file however many of
 * its steps failed (a file whose thumbnail and caption both failed is one file that could not be read),
 * a plain-language reason first, and the raw errors kept for "Details". A hidden photo's file says it is
 * hidden: the grid leaves it out, so the user would look for it there in vain ([Note: Activity leaves
 * the Trash out] in main/db/jobs.repo.ts: hidden photos stay listed). Runs in the renderer.
 */
import type { JobFailure } from '../../../../preload/contract';

/** One file with every step of it that failed. */
export interface FailedFile {
  photoId: number;
  path: string | null;
  /** What went wrong, in words for anyone (from the first failure's raw error). */
  reason: string;
  /** Every failed step of this file with its raw error, newest first. */
  failures: JobFailure[];
  /** Shoebox gave up on every failed step (no automatic retry is coming). */
  gaveUp: boolean;
  /** The photo is hidden: not in the grid, only in the Hidden view. */
  hidden: boolean;
}

/** The label of a hidden photo's entry, and what it explains on hover. */
export const HIDDEN_LABEL = { text: 'hidden photo', title: 'This photo is hidden, so the grid does not show it: find it under Hidden.' };

/** Raw error patterns (sharp/libvips, Node's fs, the worker) and what they mean to a person. */
const REASONS: [RegExp, string][] = [
  [/ENOENT|no such file|not found on disk|file is gone/i, 'The file is no longer where it was.'],
  [/EACCES|EPERM|permission denied/i, 'Shoebox is not allowed to read this file.'],
  [/premature end|truncated|unexpected end|corrupt|damaged|bad huffman|invalid marker|crc error/i, 'The file is damaged or incomplete.'],
  [/unsupported image format|unsupported file|not a supported|unknown format|no decoder/i, 'This file is not a picture Shoebox can open.'],
  [/pixel limit|too large|exceeds|dimensions/i, 'The picture is too large to open safely.'],
  [/timed? ?out|timeout/i, 'Reading the file took too long.'],
  [/ENOSPC|no space left/i, 'The disk is full.'],
  [/out of memory|ENOMEM|bad_alloc/i, 'There was not enough memory to process it.'],
];

/** A plain-language reason for a raw error message. */
export function plainReason(error: string): string {
  for (const [re, text] of REASONS) if (re.test(error)) return text;
  return 'Shoebox could not process this file.';
}

/** Groups job failures by file, in the order the files first appear (newest failure first). */
export function groupFailedFiles(items: readonly JobFailure[]): FailedFile[] {
  const byPhoto = new Map<number, FailedFile>();
  for (const f of items) {
    const file = byPhoto.get(f.photoId);
    if (file) {
      file.failures.push(f);
      file.gaveUp &&= f.state === 'failed-permanent';
    } else {
      byPhoto.set(f.photoId, {
        photoId: f.photoId,
        path: f.path,
        reason: plainReason(f.error),
        failures: [f],
        gaveUp: f.state === 'failed-permanent',
        hidden: f.hidden,
      });
    }
  }
  return [...byPhoto.values()];
}

/** "1 file could not be read", "3 files could not be read". */
export function failedFilesTitle(count: number): string {
  return `${count.toLocaleString()} ${count === 1 ? 'file' : 'files'} could not be read`;
}
