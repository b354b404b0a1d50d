/**
 * @file `shoebox settings` and `shoebox xmp write` as real processes: settings shown, changed and kept
 * in the library's database, bad keys and values refused as usage errors (exit 2); sidecars written for
 * a library folder (with the naming setting) and for one photo file (with the flags), originals left
 * byte for byte, and a path outside the library refused (exit 1).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/db/open';
import { createUnderstandingRepo } from '../../main/db/understanding.repo';
import { resolvePaths } from '../../main/paths';
import { readXmpFields } from '../../main/xmp/xmp-read';
import { parseXmp } from '../../main/xmp/xmp-source';
import type { SettingsDto, XmpWriteResult } from '../../preload/contract';
import { runShoebox } from './helpers/cli-process';

const sample = join(import.meta.dirname, '../../assets/sample-library');
let work: string;
let data: string;
const shoebox = (...args: string[]) => runShoebox(args, data);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sidecar = (path: string) => readXmpFields(parseXmp(readFileSync(path, 'utf8')));

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'shoebox-cli-xmp-'));
  data = join(work, 'data');
  mkdirSync(join(work, 'photos/food'), { recursive: true });
  cpSync(join(sample, 'food/orange.jpg'), join(work, 'photos/food/orange.jpg'));
  cpSync(join(sample, 'food/fruits.jpg'), join(work, 'photos/food/fruits.jpg'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('shoebox settings', () => {
  it('shows the defaults, changes a setting for good, and refuses bad keys and values with exit 2', async () => {
    const shown = await shoebox('settings', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as SettingsDto).values).toEqual({
      understanding: { pauseOnBattery: true, backgroundThreads: 'auto', variant: 'auto' },
      xmp: { naming: 'basename', subjects: 'merge' },
      models: { hubEndpoint: 'https://huggingface.co', demoMode: false },
      remote: { enabled: false, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
    });
    const text = await shoebox('settings');
    expect(text.stdout).toMatch(/^understanding\.pauseOnBattery\s+true\s+the desktop app pauses/m);
    expect(text.stdout).toMatch(/^xmp\.naming\s+basename\s/m);

    const set = await shoebox('settings', 'set', 'xmp.naming', 'fullname');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout.trim()).toBe('xmp.naming = fullname');
    const got = await shoebox('settings', 'get', 'xmp.naming');
    expect(got.stdout.trim()).toBe('fullname');

    const badValue = await shoebox('settings', 'set', 'understanding.backgroundThreads', 'lots');
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain(`understanding.backgroundThreads: must be 'auto' or a whole number`);
    const badKey = await shoebox('settings', 'set', 'xmp.colour', 'red');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('Unknown setting xmp.colour');
    const after = await shoebox('settings', 'get', 'understanding.backgroundThreads');
    expect(after.stdout.trim()).toBe('auto');
  });
});

describe('shoebox xmp write', () => {
  it('writes sidecars for a folder and for one photo, never touching the originals', async () => {
    const added = await shoebox('add-folder', join(work, 'photos'));
    expect(added.code, added.stderr).toBe(0);
    const orange = join(work, 'photos/food/orange.jpg');
    const originals = { orange: sha(orange), fruits: sha(join(work, 'photos/food/fruits.jpg')) };

    // Understanding as the step would store it (no model here): a caption and two tags for the orange.
    const db = openDatabase(resolvePaths(data).database);
    const repo = createUnderstandingRepo(db);
    const id = db.prepare("SELECT photo_id FROM files WHERE rel_path = 'food/orange.jpg'").pluck().get() as number;
    const label = (l: string) =>
      repo.labelByName(l)?.id ?? repo.addLabel({ label: l, group: 't', isTextLabel: false, enabled: true, userAdded: false });
    repo.writeOutput(
      id,
      {
        state: 'ok',
        calibrated: true,
        numTiles: 1,
        ms: 1,
        caption: { text: 'An orange.', finish: 'stop' },
        text: null,
        tags: [
          { labelId: label('fruit'), score: 2, rawScore: -1 },
          { labelId: label('citrus'), score: 1, rawScore: -1 },
        ],
      },
      { modelId: 'm', variant: 'fp32', version: 'understand:1:m:fp32', demo: false },
      Date.now(),
    );
    db.close();

    // The folder, with the naming setting (fullname, set above).
    const folder = await shoebox('xmp', 'write', join(work, 'photos'), '--json');
    expect(folder.code, folder.stderr).toBe(0);
    const r = JSON.parse(folder.stdout) as XmpWriteResult;
    expect(r).toMatchObject({ photos: 2, written: 1, unchanged: 0, skipped: 1, naming: 'fullname', subjects: 'merge' });
    expect(r.items).toEqual([expect.objectContaining({ path: join(work, 'photos/food/fruits.jpg'), reason: 'not understood yet' })]);
    expect(sidecar(`${orange}.xmp`)).toEqual({ caption: 'An orange.', tags: ['fruit', 'citrus'] });

    // One photo file, with the flags overriding the settings; the human summary.
    const one = await shoebox('xmp', 'write', orange, '--naming', 'basename', '--replace-subjects');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('1 photo(s): 1 sidecar(s) written, 0 unchanged, 0 skipped (naming basename, subjects replace)');
    expect(sidecar(join(work, 'photos/food/orange.xmp')).tags).toEqual(['fruit', 'citrus']);
    expect(existsSync(join(work, 'photos/food/fruits.xmp'))).toBe(false);
    expect(existsSync(join(work, 'photos/food/fruits.jpg.xmp'))).toBe(false);
    expect({ orange: sha(orange), fruits: sha(join(work, 'photos/food/fruits.jpg')) }).toEqual(originals);

    const outside = await shoebox('xmp', 'write', tmpdir());
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('is not in the library');
    const badFlag = await shoebox('xmp', 'write', orange, '--naming', 'sideways');
    expect(badFlag.code).toBe(2);
  });
});
