/**
 * `shoebox models install ID` against the loopback hub of helpers/hub-fixture.ts serving the tiny
 * original-layout checkpoint (test/fixtures/checkpoints/tiny-internvl) as OpenGVLab/InternVL3-1B at
 * its catalog revision: download, verify, build (with its own state and steps, reported on stderr and
 * in `models:progress`), installed bundle with the variants asked for, `--select` making it active
 * (demo mode: the tiny checkpoint has random weights).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelDto } from '../../preload/contract';
import { openDatabase, type Db } from '../../main/db/open';
import { createEventBus } from '../../main/events';
import { silentLog } from '../../main/log';
import { catalogEntry } from '../../main/models/catalog';
import { createModelManager } from '../../main/models/manager';
import { runModelsCli } from './helpers/models-cli-run';
import { repoFromDir, startFakeHub, type FakeHub } from './helpers/hub-fixture';
import { makeFakeBundle, writeBundle } from './helpers/models-fixture';

const CHECKPOINT = 'test/fixtures/checkpoints/tiny-internvl';
const GRAPHS = 'test/fixtures/graphs';
const ONE_B = catalogEntry('internvl3-1b')!.hub![0]!;

/** The fixture checkpoint as the authors' repository at the catalog's pinned revision. */
const tinyRepo = () => repoFromDir(ONE_B.repo, ONE_B.revision!, CHECKPOINT);

let tmp: string;
let hub: FakeHub;
let db: Db;
let out: string;
let err: string;
let events: ModelDto[];

beforeEach(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-install-cli-'));
  hub = await startFakeHub([tinyRepo()]);
  db = openDatabase(':memory:');
  out = '';
  err = '';
  events = [];
});
afterEach(async () => {
  await hub.close();
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

const modelsDir = () => path.join(tmp, 'models');

/** Runs the CLI like main/cli/index.ts's main() does; returns the exit code. */
async function run(...args: string[]): Promise<number> {
  const r = await runModelsCli(async () => {
    const bus = createEventBus();
    bus.on('models:progress', (dto) => events.push(dto));
    const models = createModelManager({
      db,
      paths: { modelsDir: modelsDir() },
      log: silentLog,
      emit: bus.emit.bind(bus),
      env: {},
      demo: true,
      hub: { endpoint: hub.endpoint },
      build: { graphsDir: GRAPHS },
      download: { retries: 1, retryDelayMs: 5, progressIntervalMs: 0 },
    });
    return { models, events: bus, close: () => models.close() };
  }, args);
  out += r.out;
  err += r.err;
  return r.code;
}

describe('shoebox models install', () => {
  it('downloads the checkpoint from the hub, builds the bundle with progress per phase on stderr, and selects it', async () => {
    expect(await run('models', 'install', 'internvl3-1b', '--variant', 'int8', '--select')).toBe(0);
    expect(err).not.toMatch(/shoebox:/);
    // One line per phase (and per 10% of it) on a pipe, in order.
    const lines = err.trim().split('\n');
    const first = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(first(/^internvl3-1b: downloading /)).toBeGreaterThanOrEqual(0);
    expect(first(/^internvl3-1b: building: writing weights \d+\.\d% of /)).toBeGreaterThan(first(/^internvl3-1b: downloading /));
    expect(first(/^internvl3-1b: building: verifying the bundle /)).toBeGreaterThan(first(/building: writing weights/));
    expect(out).toMatch(/^installed internvl3-1b \(.+\) in .+\nit is the active model\n$/);

    // The events carry the state and the build's step; bytes belong to the step.
    const building = events.filter((e) => e.download.state === 'building');
    expect(new Set(building.map((e) => e.download.buildStep))).toEqual(
      new Set(['checking', 'weights', 'hashing', 'installing', 'accuracy']),
    );
    for (const e of events) if (e.download.state !== 'building') expect(e.download.buildStep).toBeNull();
    const weights = building.filter((e) => e.download.buildStep === 'weights');
    expect(weights.at(-1)!.download.received).toBe(weights.at(-1)!.download.total);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ installed: true, active: true, variants: ['fp32', 'int8'], download: { state: 'idle', buildStep: null } });
    // Measured on the built bundle by a worker: int8 agrees with fp32 (0.995 here on the tiny checkpoint).
    expect(last.accuracy?.bar).toBe(0.95);
    expect(last.accuracy?.cosine['fp32']).toBe(1);
    expect(last.accuracy?.cosine['int8']).toBeGreaterThan(0.95);
    expect(last.accuracy?.cosine['int8']).toBeLessThan(1);

    const manifest = JSON.parse(readFileSync(path.join(modelsDir(), 'internvl3-1b', 'manifest.json'), 'utf8')) as { source: string };
    expect(manifest.source).toBe(`${ONE_B.repo}@${ONE_B.revision!}`);
    // The checkpoint is gone after a verified build, and nothing is left staged.
    expect(existsSync(path.join(modelsDir(), '.checkpoints', 'internvl3-1b'))).toBe(false);
    expect(existsSync(path.join(modelsDir(), '.builds', 'internvl3-1b'))).toBe(false);
  });

  it('measures q4 on random weights below the bar, and records it beside the bundle', async () => {
    expect(await run('models', 'install', 'internvl3-1b', '--variant', 'int8,q4')).toBe(0);
    const last = events.at(-1)!;
    expect(last.variants).toEqual(['fp32', 'int8', 'q4']);
    expect(last.accuracy!.cosine['q4']).toBeLessThan(last.accuracy!.bar);
    expect(last.accuracy!.cosine['int8']).toBeGreaterThanOrEqual(last.accuracy!.bar);
    const recorded = JSON.parse(readFileSync(path.join(modelsDir(), 'internvl3-1b', '.shoebox-variant-check.json'), 'utf8')) as {
      prompt: string;
    };
    expect(recorded.prompt).toBe('Hi');
    // The probe image lived in the models folder's build area and is gone.
    expect(existsSync(path.join(modelsDir(), '.builds', 'internvl3-1b.probe.png'))).toBe(false);
  });

  it('--select leaves another active model active', async () => {
    writeBundle(path.join(tmp, 'src', 'mine'), makeFakeBundle('mine'));
    expect(await run('models', 'import', path.join(tmp, 'src', 'mine'))).toBe(0);
    expect(await run('models', 'select', 'mine')).toBe(0);
    expect(await run('models', 'install', 'internvl3-1b', '--variant', 'int8', '--select')).toBe(0);
    expect(out).toMatch(/select it with: shoebox models select internvl3-1b/);
    expect(events.at(-1)).toMatchObject({ id: 'internvl3-1b', installed: true, active: false });
    expect(await run('models', 'list')).toBe(0);
    expect(out).toMatch(/^\* mine /m);
  });

  it('`download` still works as its other name, and installing an installed model fails with a clear message', async () => {
    expect(await run('models', 'download', 'internvl3-1b', '--variant', 'int8')).toBe(0);
    expect(out).toMatch(/select it with: shoebox models select internvl3-1b/);
    expect(await run('models', 'install', 'internvl3-1b')).toBe(1);
    expect(err).toMatch(/shoebox: model internvl3-1b is already installed; delete it first/);
  });
});
