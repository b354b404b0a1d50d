/**
 * @file The Activity page leaves photos in the Trash out ([Note: Activity leaves the Trash out] in
 * main/db/jobs.repo.ts), over a real temp library through the router as the UI calls it (the real
 * `trash` package, XDG_DATA_HOME pointed at a temp folder): a damaged photo moved to the Trash is
 * neither listed among the failed files nor counted (per step, in the sidebar's failed files, in what
 * `shoebox status` prints), "Retry" leaves its jobs as they are, and undo brings its failure back. A
 * hidden photo's failure stays listed, with its path, counted and retried: Shoebox still works on it;
 * its entries say the photo is hidden (`hidden`), so the user knows why the grid does not show it.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import type { CollectionChange, JobFailure, JobsStatus, TrashMoveResult, TrashRestoreResult } from '../../preload/contract';
import { photoIdOfFile, routerCaller } from './helpers/router-call';

const work = mkdtempSync(join(tmpdir(), 'shoebox-activity-trash-'));
// Before anything loads the `trash` package (it reads XDG_DATA_HOME when it loads).
process.env['XDG_DATA_HOME'] = join(work, 'xdg');
const sample = join(import.meta.dirname, '../../assets/sample-library');
const photosDir = join(work, 'photos');
let services: Services;

const call = routerCaller(() => services);
const idOf = (rel: string) => photoIdOfFile(services, rel);
type JobSnapshot = { step: string; state: string; attempts: number; last_error: string | null; updated_at: number };
const jobsOf = (photoId: number) =>
  services.db
    .prepare('SELECT step, state, attempts, last_error, updated_at FROM jobs WHERE photo_id = ? ORDER BY step')
    .all(photoId) as JobSnapshot[];
const failedJobsOf = (photoId: number) => jobsOf(photoId).filter((j) => j.state.startsWith('failed'));
/** What the Activity page shows: the failed list (paths by photo), its total, the per-step and per-file counts. */
const activity = async () => {
  const failures = await call<{ items: JobFailure[]; total: number }>('jobs:failures', { offset: 0, limit: 100 });
  const status = await call<JobsStatus>('jobs:status', {});
  return {
    listed: [...new Set(failures.items.map((f) => f.path?.slice(photosDir.length + 1)))].sort(),
    total: failures.total,
    stepFailed: status.steps.reduce((n, s) => n + s.failed, 0),
    stepJobs: status.steps.reduce((n, s) => n + s.pending + s.running + s.done + s.failed, 0),
    failedFiles: status.failedFiles,
  };
};

/** Each listed file's `hidden` flag (all of a file's entries must agree). */
const hiddenFlags = (failures: { items: JobFailure[] }) => {
  const out: Record<string, boolean> = {};
  for (const f of failures.items) {
    const rel = f.path?.slice(photosDir.length + 1) ?? `#${f.photoId}`;
    if (rel in out && out[rel] !== f.hidden) throw new Error(`${rel}: entries disagree on hidden`);
    out[rel] = f.hidden;
  }
  return out;
};

beforeAll(async () => {
  mkdirSync(photosDir, { recursive: true });
  cpSync(join(sample, 'food/fruits.jpg'), join(photosDir, 'fruits.jpg'));
  // Two damaged files (different bytes: two photos) that hash fine, so each has an ok file and failed steps.
  writeFileSync(join(photosDir, 'damaged-trashed.jpg'), 'this is not a JPEG (1)');
  writeFileSync(join(photosDir, 'damaged-hidden.jpg'), 'this is not a JPEG (2)');
  services = await createServices({ dataDir: join(work, 'data'), shell: 'headless', log: silentLog });
  await services.library.addFolder(photosDir);
  await services.library.whenIdle();
}, 60_000);

afterAll(async () => {
  await services?.close();
  delete process.env['XDG_DATA_HOME'];
  rmSync(work, { recursive: true, force: true });
});

describe('failed files of photos in the Trash', () => {
  it('are neither listed, counted nor retried, and come back with the photo; a hidden photo’s stay', async () => {
    const [trashed, hidden] = [idOf('damaged-trashed.jpg'), idOf('damaged-hidden.jpg')];
    const trashedFailed = failedJobsOf(trashed).length;
    const hiddenFailed = failedJobsOf(hidden).length;
    expect(trashedFailed).toBeGreaterThan(0);
    expect(hiddenFailed).toBeGreaterThan(0);
    const failuresBefore = await call<{ items: JobFailure[]; total: number }>('jobs:failures', { offset: 0, limit: 100 });
    expect(hiddenFlags(failuresBefore)).toEqual({ 'damaged-hidden.jpg': false, 'damaged-trashed.jpg': false });
    const before = await activity();
    expect(before).toMatchObject({
      listed: ['damaged-hidden.jpg', 'damaged-trashed.jpg'],
      total: trashedFailed + hiddenFailed,
      stepFailed: trashedFailed + hiddenFailed,
      failedFiles: 2,
    });

    expect((await call<CollectionChange>('photos:setHidden', { selection: { ids: [hidden] }, hidden: true })).changed).toBe(1);
    const moved = await call<TrashMoveResult>('trash:move', { selection: { ids: [trashed] } });
    expect(moved.moved).toBe(1);
    await services.library.whenIdle();

    // The photo in the Trash has none of its jobs counted; the hidden one keeps its entry and path, and
    // says it is hidden (the grid does not show it). Before it was hidden, no entry said so.
    expect(hiddenFlags(await call<{ items: JobFailure[]; total: number }>('jobs:failures', { offset: 0, limit: 100 }))).toEqual({
      'damaged-hidden.jpg': true,
    });
    const after = await activity();
    expect(after).toEqual({
      listed: ['damaged-hidden.jpg'],
      total: hiddenFailed,
      stepFailed: hiddenFailed,
      stepJobs: before.stepJobs - jobsOf(trashed).length,
      failedFiles: 1,
    });
    // What `shoebox status` prints (main/cli/index.ts) reads the same.
    expect(services.library.failures(0, 20).total).toBe(hiddenFailed);
    expect(services.library.jobsStatus().failedFiles).toBe(1);

    // "Retry all" and a step's "Retry" queue the hidden photo's jobs, not the trashed one's: a retry would
    // only park them again (no file), as a "will retry" that never does.
    const trashedJobs = jobsOf(trashed);
    const step = failedJobsOf(trashed)[0]!.step;
    const hiddenInStep = failedJobsOf(hidden).filter((j) => j.step === step).length;
    const { requeued: oneStep } = await call<{ requeued: number }>('jobs:retryFailed', { step });
    expect(oneStep).toBe(hiddenInStep);
    const { requeued } = await call<{ requeued: number }>('jobs:retryFailed', {});
    expect(oneStep + requeued).toBe(hiddenFailed);
    await services.library.whenIdle();
    expect(jobsOf(trashed)).toEqual(trashedJobs);
    expect(failedJobsOf(hidden).length).toBe(hiddenFailed);
    expect(await activity()).toEqual(after);

    // Undo: the file is back, and so is its failure (it is as real as before).
    const undone = await call<TrashRestoreResult>('trash:undo', { undoToken: moved.undoToken });
    expect(undone.restored).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    await services.library.whenIdle();
    expect(await activity()).toMatchObject({
      listed: ['damaged-hidden.jpg', 'damaged-trashed.jpg'],
      total: trashedFailed + hiddenFailed,
      stepFailed: trashedFailed + hiddenFailed,
      stepJobs: before.stepJobs,
      failedFiles: 2,
    });
  }, 60_000);
});
