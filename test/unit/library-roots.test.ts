/**
 * @file Adding a folder: it must exist, be a folder, and not overlap a folder already in the library.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNewRoot } from '../../main/library/roots';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-roots-'));
  mkdirSync(join(dir, 'photos', 'inner'), { recursive: true });
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'file.txt'), 'x');
  symlinkSync(join(dir, 'photos'), join(dir, 'link'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkNewRoot', () => {
  it('accepts a readable folder and returns its real path', async () => {
    expect(await checkNewRoot(join(dir, 'link'), [])).toBe(join(dir, 'photos'));
  });
  it('refuses what does not exist or is not a folder', async () => {
    await expect(checkNewRoot(join(dir, 'nope'), [])).rejects.toMatchObject({ code: 'not-found' });
    await expect(checkNewRoot(join(dir, 'file.txt'), [])).rejects.toMatchObject({ code: 'bad-argument', message: /is not a folder/ });
  });
  it('refuses the same folder (also through a link), a folder inside one, and one containing one', async () => {
    const existing = [{ path: join(dir, 'photos') }];
    await expect(checkNewRoot(join(dir, 'link'), existing)).rejects.toMatchObject({ code: 'conflict', message: /already in the library/ });
    await expect(checkNewRoot(join(dir, 'photos', 'inner'), existing)).rejects.toMatchObject({ code: 'conflict', message: /is inside/ });
    await expect(checkNewRoot(dir, existing)).rejects.toMatchObject({ code: 'conflict', message: /contains/ });
    expect(await checkNewRoot(join(dir, 'other'), existing)).toBe(join(dir, 'other'));
  });
});
