/**
 * @file The Activity page's failed files: one entry per file whatever number of its steps failed, a
 * plain reason first, the raw errors kept; the title counts files; a hidden photo's file says so.
 */
import { describe, expect, it } from 'vitest';
import type { JobFailure } from '../../preload/contract';
import { failedFilesTitle, groupFailedFiles, HIDDEN_LABEL, plainReason } from '../../renderer/src/features/activity/failed-files';

const failure = (over: Partial<JobFailure>): JobFailure => ({
  jobId: 1,
  photoId: 1,
  step: 'thumbnail',
  state: 'failed-permanent',
  attempts: 3,
  error: 'VipsJpeg: premature end of JPEG image',
  path: '/photos/broken.jpg',
  hidden: false,
  updatedAt: '2026-11-30T10:00:00.000Z',
  ...over,
});

describe('failed files', () => {
  it('counts a file that failed in several steps once, keeping every raw error', () => {
    const files = groupFailedFiles([
      failure({ jobId: 3, step: 'understand', error: 'cannot decode image: Input file contains unsupported image format' }),
      failure({ jobId: 2, photoId: 2, path: '/photos/other.jpg', error: 'EACCES: permission denied, open', state: 'failed-retryable' }),
      failure({ jobId: 1, step: 'thumbnail' }),
    ]);
    expect(files).toHaveLength(2);
    expect(files[0]).toMatchObject({ photoId: 1, path: '/photos/broken.jpg', gaveUp: true });
    expect(files[0]!.failures.map((f) => f.step)).toEqual(['understand', 'thumbnail']);
    expect(files[0]!.reason).toBe('This file is not a picture Shoebox can open.');
    expect(files[1]).toMatchObject({ photoId: 2, gaveUp: false, reason: 'Shoebox is not allowed to read this file.' });
  });

  it('says which files are hidden photos: the grid does not show them', () => {
    const files = groupFailedFiles([
      failure({ jobId: 3, photoId: 7, path: '/photos/hidden.jpg', hidden: true, step: 'understand' }),
      failure({ jobId: 2, photoId: 8, path: '/photos/shown.jpg' }),
      failure({ jobId: 1, photoId: 7, path: '/photos/hidden.jpg', hidden: true }),
    ]);
    expect(files.map((f) => [f.path, f.hidden])).toEqual([
      ['/photos/hidden.jpg', true],
      ['/photos/shown.jpg', false],
    ]);
    expect(HIDDEN_LABEL.text).toBe('hidden photo');
    expect(HIDDEN_LABEL.title).toMatch(/Hidden/);
  });

  it('words raw errors plainly, with a neutral fallback', () => {
    expect(plainReason('VipsJpeg: premature end of JPEG image')).toBe('The file is damaged or incomplete.');
    expect(plainReason("ENOENT: no such file or directory, open '/x.jpg'")).toBe('The file is no longer where it was.');
    expect(plainReason('Input image exceeds pixel limit')).toBe('The picture is too large to open safely.');
    expect(plainReason('worker exited with code 134')).toBe('Shoebox could not process this file.');
  });

  it('titles the list by files', () => {
    expect(failedFilesTitle(1)).toBe('1 file could not be read');
    expect(failedFilesTitle(3)).toBe('3 files could not be read');
  });
});
