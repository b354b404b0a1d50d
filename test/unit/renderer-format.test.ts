/**
 * @file Unit tests of the renderer's formatting (dates stay wall-clock, sizes, exposure, rates,
 * durations) and media URLs (segment-wise encoding, viewer source order).
 */
import { describe, expect, it } from 'vitest';
import type { PhotoDetail } from '../../preload/contract';
import {
  bytesLabel,
  dateTimeLabel,
  dayLabel,
  durationLabel,
  exposureLabel,
  gpsLabel,
  monthLabel,
  rateLabel,
  shutterLabel,
} from '../../renderer/src/format';
import { browserCanShow, originalUrl, pickSource, previewFailedNote, thumbUrl, viewerSources } from '../../renderer/src/media';

describe('format', () => {
  it('shows capture times as wall-clock, whatever the zone', () => {
    expect(dateTimeLabel('2024-07-14T23:30:05')).toBe('Sun 14 July 2024, 23:30:05');
    expect(dateTimeLabel('2024-01-01')).toBe('Mon 1 January 2024, 00:00:00');
    expect(dateTimeLabel('garbage')).toBe('garbage');
    expect(dayLabel('2024-07-14')).toBe('Sun 14');
    expect(monthLabel('2023-12')).toBe('December 2023');
    expect(monthLabel('')).toBe('Unknown date');
  });

  it('formats sizes, exposure, rates and durations', () => {
    expect(bytesLabel(999)).toBe('999 B');
    expect(bytesLabel(1536)).toBe('1.5 KB');
    expect(bytesLabel(2_500_000_000)).toBe('2.5 GB');
    expect(shutterLabel(1 / 250)).toBe('1/250 s');
    expect(shutterLabel(2.5)).toBe('2.5 s');
    expect(exposureLabel({ iso: 200, fNumber: 2.8, exposureTime: 0.004, focalLength: 35 })).toBe('ƒ/2.8 · 1/250 s · ISO 200 · 35 mm');
    expect(exposureLabel({ iso: null, fNumber: null, exposureTime: null, focalLength: null })).toBe('');
    expect(rateLabel(12.34)).toBe('12/s');
    expect(rateLabel(0.5)).toBe('0.5/s');
    expect(rateLabel(0.05)).toBe('3.0/min');
    expect(rateLabel(0)).toBe('—');
    expect(durationLabel(42)).toBe('42 s');
    expect(durationLabel(120)).toBe('2 min');
    expect(durationLabel(3725)).toBe('1 h 2 min');
    expect(durationLabel(null)).toBe('—');
    expect(gpsLabel(48.85837, -2.294481)).toBe('48.85837° N, 2.29448° W');
  });
});

describe('media urls', () => {
  it('encodes each path segment of an original and keeps the slashes', () => {
    expect(originalUrl('/media', { folderId: 3, relPath: 'Trips/2024 #1/é?.jpg' })).toBe(
      '/media/original/3/Trips/2024%20%231/%C3%A9%3F.jpg',
    );
    expect(originalUrl('shoebox://media', { folderId: 1, relPath: 'a\\b.png' })).toBe('shoebox://media/original/1/a/b.png');
    expect(thumbUrl('/media', 'ab12.webp')).toBe('/media/thumb/ab12.webp');
  });

  it('prefers the preview, then a browser-decodable original, then the thumbnail', () => {
    const base: Pick<PhotoDetail, 'preview' | 'thumb' | 'mime' | 'files'> = {
      preview: 'p1',
      thumb: 't1',
      mime: 'image/jpeg',
      files: [{ folderId: 1, relPath: 'x.jpg', absPath: '/x.jpg', size: 1, mtime: '', status: 'ok' }],
    };
    expect(viewerSources('/media', base)).toEqual([
      { kind: 'preview', url: '/media/thumb/p1' },
      { kind: 'original', url: '/media/original/1/x.jpg' },
      { kind: 'thumb', url: '/media/thumb/t1' },
    ]);
    expect(
      viewerSources('/media', { ...base, preview: null, mime: 'image/heic', files: [{ ...base.files[0]!, relPath: 'x.heic' }] }),
    ).toEqual([{ kind: 'thumb', url: '/media/thumb/t1' }]);
    expect(viewerSources('/media', { ...base, preview: null, thumb: null, files: [{ ...base.files[0]!, status: 'missing' }] })).toEqual([]);
    expect(browserCanShow(null, 'a.PNG')).toBe(true);
    expect(browserCanShow(null, 'a.cr2')).toBe(false);
  });

  it('falls back from a failed preview to the original, then to the thumbnail', () => {
    const sources = viewerSources('/media', {
      preview: 'p1',
      thumb: 't1',
      mime: 'image/jpeg',
      files: [{ folderId: 1, relPath: 'x.jpg', absPath: '/x.jpg', size: 1, mtime: '', status: 'ok' }],
    });
    expect(pickSource(sources, new Set())?.kind).toBe('preview');
    expect(pickSource(sources, new Set(['/media/thumb/p1']))?.kind).toBe('original');
    expect(pickSource(sources, new Set(['/media/thumb/p1', '/media/original/1/x.jpg']))?.kind).toBe('thumb');
    expect(pickSource(sources, new Set(sources.map((s) => s.url)))).toBeUndefined();
  });

  it('says why the large preview failed and what the viewer shows instead', () => {
    expect(previewFailedNote('original', { status: 'missing', error: null })).toBe(
      'No large preview: the file is missing (moved or deleted?); showing the original.',
    );
    expect(previewFailedNote('thumb', { status: 'error', error: 'cannot decode this image/jpeg file: premature end' })).toBe(
      'No large preview: cannot decode this image/jpeg file: premature end; showing the thumbnail.',
    );
    expect(previewFailedNote(null, { status: 'ok', error: null })).toBe('No large preview: it could not be made.');
  });
});
