/**
 * @file Sidecar names under both conventions, the case-insensitive lookup of an existing sidecar, and
 * the owner of a basename sidecar shared by a raw and a JPEG ([Note: Basename sidecar collisions]).
 */
import { describe, expect, it } from 'vitest';
import { basenameOwnership as ownership, findSidecar as find, FolderListing, sidecarName } from '../../main/xmp/sidecar-path';

const findSidecar = (entries: string[], wanted: string) => find(new FolderListing(entries), wanted);
const basenameOwnership = (entries: readonly string[], name: string) => ownership(new FolderListing(entries), name);

describe('sidecarName', () => {
  it("drops the extension in 'basename' mode (Lightroom, digiKam, Capture One)", () => {
    expect(sidecarName('IMG_0001.CR2', 'basename')).toBe('IMG_0001.xmp');
    expect(sidecarName('holiday.2023.jpg', 'basename')).toBe('holiday.2023.xmp');
    expect(sidecarName('README', 'basename')).toBe('README.xmp');
  });

  it("keeps it in 'fullname' mode (darktable)", () => {
    expect(sidecarName('IMG_0001.JPG', 'fullname')).toBe('IMG_0001.JPG.xmp');
  });
});

describe('findSidecar', () => {
  it('finds an existing sidecar whatever its case, under its own name', () => {
    expect(findSidecar(['IMG_0001.CR2', 'IMG_0001.XMP'], 'IMG_0001.xmp')).toEqual({ kind: 'found', name: 'IMG_0001.XMP' });
    expect(findSidecar(['img_0001.jpg.Xmp'], 'IMG_0001.JPG.xmp')).toEqual({ kind: 'found', name: 'img_0001.jpg.Xmp' });
    expect(findSidecar(['Cafe\u0301.xmp'], 'Café.xmp')).toEqual({ kind: 'found', name: 'Cafe\u0301.xmp' });
    expect(findSidecar(['IMG_0001.CR2'], 'IMG_0001.xmp')).toEqual({ kind: 'none' });
  });

  it('prefers the exact name, and reports two other spellings as ambiguous', () => {
    expect(findSidecar(['a.XMP', 'a.xmp'], 'a.xmp')).toEqual({ kind: 'found', name: 'a.xmp' });
    expect(findSidecar(['a.xMp', 'a.XMP'], 'a.xmp')).toEqual({ kind: 'ambiguous', names: ['a.XMP', 'a.xMp'] });
  });
});

describe('basenameOwnership', () => {
  it('lets a file with no sibling of the same stem own its sidecar', () => {
    expect(basenameOwnership(['IMG_0001.jpg', 'IMG_0001.xmp', 'IMG_0002.cr2', 'notes.txt'], 'IMG_0001.jpg')).toEqual({ owner: true });
  });

  it('gives a raw+JPEG pair’s sidecar to the raw, whatever the case, and names the raw to the JPEG', () => {
    const entries = ['IMG_0001.JPG', 'img_0001.cr2'];
    expect(basenameOwnership(entries, 'img_0001.cr2')).toEqual({ owner: true });
    const jpeg = basenameOwnership(entries, 'IMG_0001.JPG');
    expect(jpeg.owner).toBe(false);
    expect(!jpeg.owner && jpeg.reason).toBe(
      "IMG_0001.xmp belongs to the raw file img_0001.cr2 beside it; use 'fullname' sidecar naming to give IMG_0001.JPG its own",
    );
  });

  it('gives it to nobody when no sibling or several are raw', () => {
    for (const [entries, name] of [
      [['a.jpg', 'a.png'], 'a.jpg'],
      [['a.jpg', 'a.png'], 'a.png'],
      [['a.cr2', 'a.dng', 'a.jpg'], 'a.cr2'],
      [['a.jpg', 'A.JPG'], 'a.jpg'],
    ] as const) {
      const verdict = basenameOwnership(entries, name);
      expect(verdict.owner, `${name} among ${entries.join(', ')}`).toBe(false);
      expect(!verdict.owner && verdict.reason).toMatch(/would be shared with .*'fullname'/);
    }
  });

  it('ignores files Shoebox does not index (other sidecars, notes)', () => {
    expect(basenameOwnership(['a.jpg', 'a.xmp', 'a.pp3', 'a.txt'], 'a.jpg')).toEqual({ owner: true });
  });
});
