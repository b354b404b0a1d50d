/**
 * @file Unit tests of the one manifest check ([Note: One manifest check] in native/bundle/manifest.ts):
 * bundle ids, file paths, duplicates as macOS and Windows see them, reserved names, the manifest size
 * cap, and reads that refuse anything but a regular file (so a FIFO can neither hang an import nor a
 * symlink redirect it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyVerified, resolveBundlePath } from '../../main/models/bundle-files';
import { BundleError, BUNDLE_ID, MAX_MANIFEST_BYTES, openRegularFile, parseManifest, readManifestFile } from '../../native/bundle/manifest';
import { makeFakeBundle, sha256 } from '../integration/helpers/models-fixture';

const tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-manifest-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Files = { path: string; bytes: number; sha256?: string }[];
const base = makeFakeBundle('check-me');
/** The fake bundle's manifest text after `edit`. */
function manifestWith(edit: (m: { id: string; files: Files }) => void): string {
  const m = JSON.parse(base.manifestText) as { id: string; files: Files };
  edit(m);
  return JSON.stringify(m);
}
const problem = (edit: (m: { id: string; files: Files }) => void): string => {
  try {
    parseManifest(manifestWith(edit));
  } catch (e) {
    expect(e).toBeInstanceOf(BundleError);
    expect((e as BundleError).code).toBe('bad-manifest');
    return (e as Error).message;
  }
  return '';
};
const withFile = (p: string) => (m: { files: Files }) => m.files.push({ path: p, bytes: 1, sha256: 'a'.repeat(64) });

describe('manifest ids', () => {
  it('accepts slugs and refuses what is not a safe folder name', () => {
    for (const id of ['internvl3-1b', 'internvl2_5-1b', 'a', 'v1.2', 'x'.repeat(128)]) {
      expect(BUNDLE_ID.test(id), id).toBe(true);
      expect(parseManifest(manifestWith((m) => (m.id = id))).id).toBe(id);
    }
    for (const id of [
      '.downloads',
      '.imports',
      '.',
      '..',
      '',
      'x'.repeat(129),
      'x'.repeat(300),
      'a.',
      'a-',
      '_a',
      'A',
      'a/b',
      'a b',
      'é',
    ]) {
      expect(BUNDLE_ID.test(id), id).toBe(false);
      expect(
        problem((m) => (m.id = id)),
        id,
      ).toMatch(/id: id must match/);
    }
  });
});

describe('manifest file lists', () => {
  it('accepts the plain relative paths an export writes', () => {
    expect(parseManifest(base.manifestText).files).toHaveLength(base.files.size);
    expect(problem(withFile('configs/a.b/c-d_e.json'))).toBe('');
  });

  it('refuses paths that are not plain, relative and normalised', () => {
    for (const p of ['../x', 'a/../../x', 'onnx/..']) expect(problem(withFile(p)), p).toMatch(/points outside the bundle/);
    for (const p of ['/etc/passwd', 'a//b', './a', 'a/./b', 'a/', 'a\\b', 'C:x', 'a:stream', 'a\u0000b', 'a\nb', '']) {
      expect(problem(withFile(p)), JSON.stringify(p)).toMatch(/files\.\d+\.path: .*(not a plain relative path|Too small|>=1 characters)/);
    }
    expect(problem(withFile(`onnx/${'n'.repeat(201)}`))).toMatch(/longer than 200 characters/);
  });

  it('refuses a path listed twice, also when it differs only in case or Unicode form', () => {
    expect(problem((m) => m.files.push({ ...m.files[1]!, sha256: 'f'.repeat(64) }))).toMatch(
      /files\.7\.path: "onnx\/vision_encoder\.onnx" is listed twice \(also as files\.1/,
    );
    expect(problem(withFile('ONNX/Vision_Encoder.onnx'))).toMatch(/"ONNX\/Vision_Encoder\.onnx" is listed twice/);
    const composed = 'caf\u00e9.json';
    const decomposed = 'cafe\u0301.json';
    expect(problem((m) => [composed, decomposed].forEach((p) => withFile(p)(m)))).toMatch(/is listed twice/);
  });

  it('refuses a file where another path needs a folder', () => {
    expect(problem(withFile('onnx'))).toMatch(/"onnx\/.*" needs a folder where files\.7 is the file "onnx"/);
    expect(problem(withFile('tokenizer.json/x'))).toMatch(/needs a folder where files\.0 is the file "tokenizer\.json"/);
  });

  it('refuses the names Shoebox writes itself, in any case', () => {
    for (const p of ['manifest.json', '.shoebox-verified.json', '.remote-manifest.json', '.SHOEBOX-verified.json', 'Manifest.JSON']) {
      expect(problem(withFile(p)), p).toMatch(/is a name Shoebox reserves/);
    }
    for (const p of ['onnx/vision_encoder.onnx.part', 'x.PART']) expect(problem(withFile(p)), p).toMatch(/ends with \.part/);
    // Only at the top: a nested manifest.json is just a file.
    expect(problem(withFile('configs/manifest.json'))).toBe('');
  });

  it('applies the same path rules when main resolves a path', () => {
    expect(() => resolveBundlePath('/m/b', '.shoebox-verified.json')).toThrow(/reserves/);
    expect(() => resolveBundlePath('/m/b', 'C:x')).toThrow(/plain relative path/);
  });
});

describe('reading bundle files', () => {
  it('reads a manifest of at most 1 MiB and refuses a bigger one unread', async () => {
    const ok = path.join(tmp, 'ok.json');
    writeFileSync(ok, base.manifestText);
    expect(await readManifestFile(ok)).toBe(base.manifestText);
    const big = path.join(tmp, 'big.json');
    writeFileSync(big, Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20));
    const err = await readManifestFile(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect(err).toMatchObject({ code: 'too-large', message: expect.stringMatching(/big\.json is larger than 1 MiB/) as unknown });
  });

  it('refuses a symlink instead of following it', async () => {
    const target = path.join(tmp, 'target.bin');
    writeFileSync(target, 'x');
    const link = path.join(tmp, 'link.bin');
    symlinkSync(target, link);
    await expect(openRegularFile(link)).rejects.toMatchObject({
      code: 'not-regular-file',
      message: expect.stringMatching(/symbolic link/),
    });
  });

  it.runIf(process.platform !== 'win32')(
    'refuses a FIFO at once when copying, and removes what it began to write',
    async () => {
      const fifo = path.join(tmp, 'pipe');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      await expect(readManifestFile(fifo)).rejects.toMatchObject({ code: 'not-regular-file' });
      // The copy opens without blocking and checks what it opened, so a FIFO swapped in after the
      // folder was checked cannot hang an import either.
      const dest = path.join(tmp, 'out', 'copy.bin');
      mkdirSync(path.dirname(dest), { recursive: true });
      const empty = { path: 'pipe', bytes: 0, sha256: sha256(Buffer.alloc(0)) };
      await expect(copyVerified(fifo, dest, empty)).rejects.toThrow(/is a FIFO \(named pipe\), not a regular file/);
      expect(existsSync(dest)).toBe(false);
      // A regular file still copies.
      const src = path.join(tmp, 'src.bin');
      writeFileSync(src, 'hello');
      await copyVerified(src, dest, { path: 'src.bin', bytes: 5, sha256: sha256(Buffer.from('hello')) });
      expect(readFileSync(dest, 'utf8')).toBe('hello');
    },
    10_000,
  );
});
