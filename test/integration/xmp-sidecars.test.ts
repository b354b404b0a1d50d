/**
 * @file Writing XMP sidecars in real folders (issue 8, item 6): new and merged sidecars under both
 * naming settings, an existing sidecar found whatever its case, the raw+JPEG collision rule, broken
 * sidecars and read-only folders left alone, originals untouched, and a second run that rewrites nothing.
 * Root writes everywhere, so the read-only folder case runs as `nobody` (runuser) when tests run as root.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSidecars, type SidecarItem } from '../../main/xmp/write-sidecars';
import { readXmpFields } from '../../main/xmp/xmp-read';
import { parseXmp } from '../../main/xmp/xmp-source';
import { canDropPrivileges, isRoot } from './helpers/unprivileged';

/** A darktable sidecar with a tag already set and an edit history that must survive. */
const DARKTABLE_NEF = `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
   xmp:Rating="2"
   xmpMM:DerivedFrom="DSC_0007.NEF"
   darktable:xmp_version="5"
   darktable:history_end="1">
   <darktable:colorlabels>
    <rdf:Seq>
     <rdf:li>2</rdf:li>
    </rdf:Seq>
   </darktable:colorlabels>
   <darktable:history>
    <rdf:Seq>
     <rdf:li
      darktable:num="0"
      darktable:operation="filmicrgb"
      darktable:enabled="1"
      darktable:params="0000803f0000003f"/>
    </rdf:Seq>
   </darktable:history>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>harbour</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>places|harbour</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;
const HISTORY = DARKTABLE_NEF.slice(DARKTABLE_NEF.indexOf('   <darktable:colorlabels>'), DARKTABLE_NEF.indexOf('   <dc:subject>'));

const PAST = new Date('2020-01-02T03:04:05Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-xmp-'));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file with an old mtime, so an accidental rewrite would show. */
function put(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  utimesSync(path, PAST, PAST);
  return path;
}
const photo = (name: string) => put(name, Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from(name)]));
const snapshot = (path: string) => ({ bytes: readFileSync(path).toString('base64'), mtimeMs: statSync(path).mtimeMs });
const read = (name: string) => readXmpFields(parseXmp(readFileSync(join(dir, name), 'utf8')));
const item = (absPath: string, caption: string | null, tags: string[] = []): SidecarItem => ({ absPath, caption, tags });

describe('writeSidecars', () => {
  it('creates a sidecar beside the original without touching the original, and leaves no temp file', async () => {
    const jpg = photo('IMG_0001.JPG');
    const before = snapshot(jpg);
    const out = await writeSidecars([item(jpg, 'A red kite over a field', ['kite', 'field'])]);
    expect(out).toEqual([{ absPath: jpg, status: 'written', sidecarPath: join(dir, 'IMG_0001.xmp'), created: true }]);
    expect(readdirSync(dir).sort()).toEqual(['IMG_0001.JPG', 'IMG_0001.xmp']);
    expect(read('IMG_0001.xmp')).toEqual({ caption: 'A red kite over a field', tags: ['kite', 'field'] });
    expect(readFileSync(join(dir, 'IMG_0001.xmp'), 'utf8')).toMatch(/^<\?xpacket begin="\uFEFF"/);
    expect(snapshot(jpg)).toEqual(before);
  });

  it("merges into darktable's NAME.EXT.xmp in 'fullname' mode, keeping its history byte for byte", async () => {
    const nef = photo('DSC_0007.NEF');
    put('DSC_0007.NEF.xmp', DARKTABLE_NEF);
    const out = await writeSidecars([item(nef, 'Fishing boats at dawn', ['boat', 'Harbour'])], { naming: 'fullname' });
    expect(out).toEqual([{ absPath: nef, status: 'written', sidecarPath: join(dir, 'DSC_0007.NEF.xmp'), created: false }]);
    const text = readFileSync(join(dir, 'DSC_0007.NEF.xmp'), 'utf8');
    expect(text).toContain(HISTORY);
    expect(text).toContain('   xmp:Rating="2"\n');
    expect(read('DSC_0007.NEF.xmp')).toEqual({ caption: 'Fishing boats at dawn', tags: ['harbour', 'boat'] });
    expect(readdirSync(dir).sort()).toEqual(['DSC_0007.NEF', 'DSC_0007.NEF.xmp']);
  });

  it('merges into an existing sidecar whatever its case instead of adding a second one', async () => {
    const jpg = photo('IMG_0002.jpg');
    put('IMG_0002.XMP', DARKTABLE_NEF);
    const out = await writeSidecars([item(jpg, 'caption', ['tag'])]);
    expect(out[0]).toMatchObject({ status: 'written', sidecarPath: join(dir, 'IMG_0002.XMP'), created: false });
    expect(readdirSync(dir).sort()).toEqual(['IMG_0002.XMP', 'IMG_0002.jpg']);
    expect(read('IMG_0002.XMP').tags).toEqual(['harbour', 'tag']);
  });

  it('gives a raw+JPEG pair’s basename sidecar to the raw and skips the JPEG; fullname mode writes both', async () => {
    const jpg = photo('IMG_0003.jpg');
    const raw = photo('IMG_0003.CR2');
    const out = await writeSidecars([item(jpg, 'the JPEG', ['jpeg']), item(raw, 'the raw', ['raw'])]);
    expect(out[0]).toEqual({
      absPath: jpg,
      status: 'skipped',
      sidecarPath: null,
      reason: "IMG_0003.xmp belongs to the raw file IMG_0003.CR2 beside it; use 'fullname' sidecar naming to give IMG_0003.jpg its own",
    });
    expect(out[1]).toMatchObject({ status: 'written', created: true });
    expect(read('IMG_0003.xmp')).toEqual({ caption: 'the raw', tags: ['raw'] });

    // Asking for the JPEG alone must not land in the raw's sidecar either.
    expect((await writeSidecars([item(jpg, 'the JPEG again')]))[0]).toMatchObject({ status: 'skipped' });
    expect(read('IMG_0003.xmp').caption).toBe('the raw');

    const full = await writeSidecars([item(jpg, 'the JPEG', ['jpeg']), item(raw, 'the raw')], { naming: 'fullname' });
    expect(full.map((o) => o.status)).toEqual(['written', 'written']);
    expect(readdirSync(dir).sort()).toEqual(['IMG_0003.CR2', 'IMG_0003.CR2.xmp', 'IMG_0003.jpg', 'IMG_0003.jpg.xmp', 'IMG_0003.xmp']);
    expect(read('IMG_0003.jpg.xmp')).toEqual({ caption: 'the JPEG', tags: ['jpeg'] });
  });

  it('leaves a sidecar that does not parse exactly as it was, with a clear reason, and writes the others', async () => {
    const broken = photo('broken.jpg');
    const fine = photo('fine.jpg');
    const sidecar = put('broken.xmp', DARKTABLE_NEF.slice(0, 400));
    const before = snapshot(sidecar);
    const out = await writeSidecars([item(broken, 'c', ['t']), item(fine, 'c', ['t'])]);
    expect(out[0]).toMatchObject({ status: 'skipped', sidecarPath: sidecar });
    expect(out[0]!.status === 'skipped' && out[0]!.reason).toMatch(/^the sidecar is not valid XMP \(.+\); left untouched$/);
    expect(snapshot(sidecar)).toEqual(before);
    expect(out[1]).toMatchObject({ status: 'written' });
    expect(readdirSync(dir).sort()).toEqual(['broken.jpg', 'broken.xmp', 'fine.jpg', 'fine.xmp']);
  });

  it('is idempotent: a second run reports unchanged and rewrites nothing', async () => {
    const a = photo('a.jpg');
    const b = photo('b.jpg');
    put('b.xmp', DARKTABLE_NEF);
    const items = [item(a, 'Caption A', ['x', 'y']), item(b, 'Caption B', ['harbour', 'z'])];
    expect((await writeSidecars(items)).map((o) => o.status)).toEqual(['written', 'written']);
    for (const name of ['a.xmp', 'b.xmp']) utimesSync(join(dir, name), PAST, PAST);
    const before = [snapshot(join(dir, 'a.xmp')), snapshot(join(dir, 'b.xmp'))];
    const again = await writeSidecars(items.map((i) => ({ ...i, tags: i.tags.map((t) => t.toUpperCase()) })));
    expect(again).toEqual([
      { absPath: a, status: 'unchanged', sidecarPath: join(dir, 'a.xmp') },
      { absPath: b, status: 'unchanged', sidecarPath: join(dir, 'b.xmp') },
    ]);
    expect([snapshot(join(dir, 'a.xmp')), snapshot(join(dir, 'b.xmp'))]).toEqual(before);
    expect([snapshot(a), snapshot(b)].map((s) => s.mtimeMs)).toEqual([PAST.getTime(), PAST.getTime()]);
  });

  it('round-trips Unicode captions and tags with & < > " \' through the file', async () => {
    const jpg = photo('ünïcödé 写真.jpg');
    const caption = `Ada & Grace's "first" <bug> — 東京の夜 🌃`;
    const tags = ['R&D', '<script>', `"quotes"`, "l'été", 'Straße', '夜景'];
    expect((await writeSidecars([item(jpg, caption, tags)]))[0]).toMatchObject({ status: 'written' });
    expect(read('ünïcödé 写真.xmp')).toEqual({ caption, tags });
  });

  it('reports missing originals, XMP files given as originals, and duplicates, one outcome each', async () => {
    const jpg = photo('c.jpg');
    const xmp = put('d.xmp', DARKTABLE_NEF);
    const out = await writeSidecars([
      item(join(dir, 'gone.jpg'), 'c'),
      item(xmp, 'c'),
      item(jpg, 'c'),
      item(jpg, 'c'),
      item('rel.jpg', 'c'),
    ]);
    expect(out.map((o) => (o.status === 'skipped' ? o.reason : o.status))).toEqual([
      'cannot find the original: it does not exist',
      'the file is itself an XMP sidecar',
      'written',
      'listed more than once',
      'not an absolute path',
    ]);
    expect(readFileSync(xmp, 'utf8')).toBe(DARKTABLE_NEF);
  });
});

describe.skipIf(!canDropPrivileges)('a read-only folder', () => {
  it('gives a per-file error and writes nothing', async () => {
    const sub = join(dir, 'ro');
    mkdirSync(sub);
    writeFileSync(join(sub, 'e.jpg'), 'jpeg');
    writeFileSync(join(sub, 'f.jpg'), 'jpeg');
    chmodSync(dir, 0o755);
    chmodSync(sub, 0o555);
    const items = [item(join(sub, 'e.jpg'), 'c', ['t']), item(join(sub, 'f.jpg'), null, ['t'])];
    let out: unknown;
    if (isRoot) {
      // Root ignores permissions: run the same call as `nobody`, which can read but not write the folder.
      const module = resolve(__dirname, '../../main/xmp/write-sidecars.ts');
      const code = `const m = await import(${JSON.stringify(module)}); console.log(JSON.stringify(await m.writeSidecars(${JSON.stringify(items)})));`;
      const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', '--input-type=module', '-e', code], {
        encoding: 'utf8',
        cwd: resolve(__dirname, '../..'),
      });
      expect(r.status, r.stderr).toBe(0);
      out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    } else {
      out = await writeSidecars(items);
    }
    expect(out).toEqual(
      ['e', 'f'].map((n) => ({
        absPath: join(sub, `${n}.jpg`),
        status: 'skipped',
        sidecarPath: join(sub, `${n}.xmp`),
        reason: 'cannot write the sidecar: permission denied',
      })),
    );
    expect(readdirSync(sub).sort()).toEqual(['e.jpg', 'f.jpg']);
  }, 60_000);
});
