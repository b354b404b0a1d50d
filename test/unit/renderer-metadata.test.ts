/**
 * @file Unit test of the viewer's metadata panel, rendered to static markup (no DOM needed): every
 * known field is shown, formatted; fields without data are left out; a file that is gone is marked.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { PhotoDetail } from '../../preload/contract';
import { MetadataPanel } from '../../renderer/src/features/library/metadata-panel';

const photo: PhotoDetail = {
  id: 7,
  kind: 'image',
  thumb: 't',
  width: 6000,
  height: 4000,
  takenAt: '2023-08-05T12:03:10',
  day: '2023-08-05',
  name: 'DSCF0001.JPG',
  status: 'ok',
  hash: '0123456789abcdef0123',
  mime: 'image/jpeg',
  files: [
    { folderId: 1, relPath: 'a/DSCF0001.JPG', absPath: '/photos/a/DSCF0001.JPG', size: 12_345_678, mtime: '', status: 'ok' },
    { folderId: 2, relPath: 'DSCF0001.JPG', absPath: '/backup/DSCF0001.JPG', size: 12_345_678, mtime: '', status: 'missing' },
  ],
  preview: 'p',
  takenOffset: '+02:00',
  takenAtSource: 'exif',
  camera: { make: 'FUJIFILM', model: 'X-T4', lens: 'XF23mmF2 R WR' },
  exposure: { iso: 400, fNumber: 2, exposureTime: 1 / 500, focalLength: 23 },
  gps: { lat: -33.856784, lon: 151.215297, alt: 12.4 },
  xmp: { title: 'Harbour', description: 'Ferries at noon', keywords: ['sydney', 'boats'], rating: 4 },
  orientation: 1,
  error: null,
  favourite: false,
  rating: 4,
  ratingSource: 'file',
  hidden: false,
  rotation: 0,
  removed: false,
  albums: [],
};

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('metadata panel', () => {
  it('shows every field that has data, formatted', () => {
    const out = text(renderToStaticMarkup(createElement(MetadataPanel, { photo })));
    for (const want of [
      'Harbour',
      'Sat 5 August 2023, 12:03:10 (UTC+02:00)',
      'FUJIFILM X-T4',
      'XF23mmF2 R WR',
      'ƒ/2 · 1/500 s · ISO 400 · 23 mm',
      '6000 × 4000 px · 24.0 MP · 12.3 MB',
      '33.85678° S, 151.21530° E · 12 m',
      'Ferries at noon',
      'sydney',
      'boats',
      '★★★★',
      'Files (2)',
      '/photos/a/DSCF0001.JPG',
      '/backup/DSCF0001.JPG missing',
      '0123456789abcdef',
    ])
      expect(out).toContain(want);
  });

  it('leaves out what is unknown and says when the date is the file time', () => {
    const bare: PhotoDetail = {
      ...photo,
      camera: { make: null, model: null, lens: null },
      exposure: { iso: null, fNumber: null, exposureTime: null, focalLength: null },
      gps: null,
      xmp: { title: null, description: null, keywords: [], rating: null },
      takenAtSource: 'file',
      takenOffset: null,
      files: [photo.files[0]!],
      error: 'Truncated JPEG',
    };
    const out = text(renderToStaticMarkup(createElement(MetadataPanel, { photo: bare })));
    for (const absent of ['Camera', 'Lens', 'Exposure', 'Location', 'Keywords', 'Rating', 'Description', 'UTC'])
      expect(out).not.toContain(absent);
    expect(out).toContain('DSCF0001.JPG');
    expect(out).toContain('from file time, no EXIF date');
    expect(out).toContain('Truncated JPEG');
    expect(out).toContain('File ');
  });
});
