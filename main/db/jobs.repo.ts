/**
 * @file SQL for the `jobs` table: the persistent work queue of the pipeline steps after discovery.
 *
 * Runs in main (and the CLI, headless host and tests). The runner's policy (concurrency, retries,
 * pause) lives in main/library/jobs.ts.
 *
 * [Note: Crash-safe jobs] Every state change is one autocommitted statement (or transaction), so a
 * kill -9 leaves each job in exactly one state. A job found 'running' at startup was interrupted and goes
 * back to 'pending'. (photo_id, step) is UNIQUE, so re-queueing is an upsert and never duplicates work.
 *
 * [Note: Activity leaves the Trash out] The Activity page, its sidebar badge and `shoebox status` report
 * the work on the library's photos. A photo the user moved to the Trash (`REMOVED_IDS`, [Note: Views as
 * id sets] in collections-views.repo.ts: marked removed and no ok file) is not the library's any more:
 * its jobs are in no count (`counts`, `failureCount`, `failedFileCount`) and its failures are not listed
 * (`failures`), since nothing the user can do there would clear them short of restoring it; "Retry"
 * (`retryFailed`) leaves its jobs as they are, since a retry could only park them again (no file:
 * failed-retryable, "resumes when the file is back") and turn a finished failure into a "will retry"
 * that never does. The rows themselves are kept: a photo restored (undo, or by hand) has an ok file,
 * leaves `REMOVED_IDS` by that alone, and its failures, counts and automatic retries come back with it.
 * A version change does not queue a trashed photo's jobs either: with no file they could only be claimed
 * to be parked, one by one. They are parked at the new version at once (`requeueVersion`), so a restore,
 * which re-queues a photo's parked jobs (ingest's `retryPhoto`), runs them for the model of the day; a
 * backfill leaves trashed photos out, and a restore's `ensure` adds their jobs.
 * Hidden photos stay in all of it: hiding decides what the grid shows, while Shoebox still reads and
 * understands a hidden photo's file in its folder; its failure is as real and as fixable (a permission,
 * a damaged file), and leaving it out would make the step counts disagree with the work done. A hidden
 * photo's failures say so (`hidden`): the user will not find the file in the grid.
 * Each count is the whole table's less the few trashed photos' rows (one probe of the (photo_id, step)
 * index per trashed photo), as the grid counts a view, so it stays cheap at 100k jobs per step.
 */
import type { JobState } from '../../preload/contract';
import { AWAY_IDS, REMOVED_IDS } from './collections-views.repo';
import type { Db } from './open';

/** Priority of jobs for photos on screen: above any date priority (unix seconds). */
export const VISIBLE_PRIORITY = 2 ** 40;

export interface JobRow {
  id: number;
  photo_id: number;
  step: string;
  rank: number;
  state: JobState;
  priority: number;
  attempts: number;
  last_error: string | null;
  /** The step's version when the job was queued or re-queued: '1', or 'understand:1:<model id>:<variant>'. */
  pipeline_version: string;
  updated_at: number;
}

/** What the queue needs to know about a step to enqueue it. */
export interface StepKey {
  name: string;
  rank: number;
  /** Compared for equality only: any change re-queues the step's jobs ([Note: Pluggable steps]). */
  version: string;
  /** Media kinds the step applies to. */
  kinds: readonly string[];
  /**
   * A version change leaves a done job alone (it only takes the new version) when a remote backend made
   * its photo's current understanding ([Note: Remote results outlive a local model change] in
   * main/understanding/understand-step.ts).
   */
  keepRemoteMade?: boolean;
  /**
   * Earlier versions after which only some photos need the step again ([Note: Narrow step versions] in
   * main/library/steps.ts): a job at version `v` is re-queued only when its photo's mime is in
   * `rerunOnly[v]`; the step's other jobs at `v` take the new version as they are.
   */
  rerunOnly?: Readonly<Record<string, readonly string[]>>;
}

export interface FailureRow extends JobRow {
  root: string | null;
  rel_path: string | null;
  /** 1 when the photo is hidden (it is not in the grid). */
  hidden: 0 | 1;
}

/** Why a trashed photo's job waits ([Note: Activity leaves the Trash out]); no list shows it. */
export const IN_TRASH = 'the photo is in the Trash; this step runs again if it is restored';

/** Reads and writes job rows. */
export interface JobsRepo {
  /** Adds the steps' jobs for one photo (existing ones are kept). */
  ensure(photoId: number, kind: string, steps: readonly StepKey[], priority: number, now: number): void;
  /** Re-queues a photo's jobs that failed retryably (its file is back). */
  retryPhoto(photoId: number, now: number): void;
  /** Records a failure that happened outside the runner (a file that cannot be read): upserts a failed-permanent job. */
  recordFailure(photoId: number, step: StepKey, error: string, now: number): void;
  /** Claims the best pending job whose step is in `allowedSteps`; null when none. */
  claim(allowedSteps: readonly string[], now: number): JobRow | null;
  /**
   * Claims up to `limit` pending jobs of one step whose photos have no pending or running job of the
   * `after` steps. Looks at the step's best few candidates only, so a claim stays cheap while the
   * earlier steps are far behind (the candidates are then simply not ready yet).
   */
  claimStep(step: string, limit: number, after: readonly string[], now: number): JobRow[];
  /** One photo's job of a step, or null. */
  forPhoto(photoId: number, step: string): JobRow | null;
  /** Pending or running jobs of the given steps. */
  openCount(steps: readonly string[]): number;
  /**
   * Records a job's outcome. With `version`, only when the job still has that version: a job that a
   * version change re-queued while it ran stays pending for the new version.
   */
  finish(id: number, state: JobState, error: string | null, now: number, version?: string): void;
  /** Parks a job whose photo has no readable file right now: failed-retryable without using up an attempt. */
  park(id: number, error: string, now: number): void;
  /** Gives a running job back to the queue without using up its attempt (its step could not run it now). */
  release(id: number, now: number): void;
  /** Interrupted jobs (state 'running' at startup) go back to pending; returns how many. */
  resetRunning(now: number): number;
  /**
   * Re-queues jobs made by an older (or newer) pipeline version of the step; returns how many. Jobs of
   * photos in the Trash are parked at the new version instead ([Note: Activity leaves the Trash out]); with
   * `keepRemoteMade`, done jobs of remote-made photos only take the new version, and with `rerunOnly`, jobs
   * of an earlier version whose photos that version's change did not touch.
   */
  requeueVersion(step: StepKey, now: number): number;
  /**
   * Queues (or re-queues) a step's job for each photo of its kinds, at the step's version; running jobs
   * are left alone. Returns how many.
   */
  requeuePhotos(photoIds: readonly number[], step: StepKey, priority: number, now: number): number;
  /** Adds missing jobs of a step for every readable photo of its kinds not in the Trash (a newly plugged step). */
  backfill(step: StepKey, now: number): number;
  /**
   * `backfill` over `chunk` photos at a time, awaiting `pause()` between chunks ([Note: Runner start in chunks]
   * in main/library/jobs.ts). Returns how many jobs were added.
   */
  backfillInChunks(step: StepKey, now: number, pause: () => Promise<void>, chunk?: number): Promise<number>;
  /** Failed-retryable jobs with fewer than `maxAttempts` whose photo has a readable file go back to pending. */
  retryRetryable(maxAttempts: number, now: number): number;
  /** Failed jobs (of one step, or all) go back to pending, except those of photos in the Trash ([Note: Activity leaves the Trash out]). */
  retryFailed(step: string | undefined, now: number): number;
  /** Removes pending and failed jobs (of one step, or all); a rescan or restart queues them again. */
  clear(step: string | undefined): number;
  /** Moves these photos' pending jobs ahead of every date-ordered job. */
  prioritize(photoIds: readonly number[], priority?: number): void;
  /** Sets the date priority of a photo's pending jobs (keeps a visible-first boost). */
  setPriority(photoId: number, priority: number): void;
  /** Jobs per step and state, photos in the Trash left out ([Note: Activity leaves the Trash out]). */
  counts(): { step: string; state: JobState; n: number }[];
  /** Failed jobs, newest first, photos in the Trash left out. */
  failures(offset: number, limit: number): FailureRow[];
  failureCount(): number;
  /** Photos with at least one failed job, those in the Trash left out: a file that failed in three steps counts once. */
  failedFileCount(): number;
  pendingCount(): number;
}

/** Builds the repository over an open, migrated database. */
export function createJobsRepo(db: Db): JobsRepo {
  const FAILED = "('failed-retryable', 'failed-permanent')";
  const ensureStmt = db.prepare(
    `INSERT INTO jobs (photo_id, step, rank, priority, pipeline_version, updated_at)
     VALUES (@photoId, @step, @rank, @priority, @version, @now) ON CONFLICT (photo_id, step) DO NOTHING`,
  );
  const retryPhotoStmt = db.prepare<[number, number]>(
    "UPDATE jobs SET state = 'pending', attempts = 0, updated_at = ? WHERE photo_id = ? AND state = 'failed-retryable'",
  );
  const recordFailureStmt = db.prepare(
    `INSERT INTO jobs (photo_id, step, rank, state, attempts, last_error, pipeline_version, updated_at)
     VALUES (@photoId, @step, @rank, 'failed-permanent', 1, @error, @version, @now)
     ON CONFLICT (photo_id, step) DO UPDATE SET state = 'failed-permanent', last_error = excluded.last_error,
       updated_at = excluded.updated_at, attempts = CASE WHEN jobs.state = 'running' THEN jobs.attempts ELSE jobs.attempts + 1 END`,
  );
  const pickStmt = db.prepare<[string], JobRow>(
    `SELECT * FROM jobs WHERE state = 'pending' AND step IN (SELECT value FROM json_each(?))
     ORDER BY rank, priority DESC, id LIMIT 1`,
  );
  const startStmt = db.prepare<[number, number]>(
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'",
  );
  const finishStmt = db.prepare<{ state: string; error: string | null; now: number; id: number; version: string | null }>(
    'UPDATE jobs SET state = @state, last_error = @error, updated_at = @now WHERE id = @id AND (@version IS NULL OR pipeline_version = @version)',
  );
  // The step's best 64 candidates (the queue index's order), then those whose earlier steps are done.
  const pickStepStmt = db.prepare<{ step: string; after: string; limit: number }, JobRow>(
    `SELECT c.* FROM (SELECT * FROM jobs WHERE state = 'pending' AND step = @step ORDER BY rank, priority DESC, id LIMIT 64) c
     WHERE NOT EXISTS (SELECT 1 FROM jobs d WHERE d.photo_id = c.photo_id AND d.state IN ('pending', 'running')
                       AND d.step IN (SELECT value FROM json_each(@after)))
     ORDER BY c.rank, c.priority DESC, c.id LIMIT @limit`,
  );
  const requeuePhotoStmt = db.prepare(
    `INSERT INTO jobs (photo_id, step, rank, priority, pipeline_version, updated_at)
     SELECT id, @step, @rank, @priority, @version, @now FROM photos
     WHERE id = @photoId AND hash NOT LIKE 'unreadable:%' AND kind IN (SELECT value FROM json_each(@kinds))
     ON CONFLICT (photo_id, step) DO UPDATE SET state = 'pending', attempts = 0, last_error = NULL,
       pipeline_version = excluded.pipeline_version, priority = max(jobs.priority, excluded.priority), updated_at = excluded.updated_at
     WHERE jobs.state <> 'running'`,
  );
  const parkStmt = db.prepare<[string, number, number]>(
    "UPDATE jobs SET state = 'failed-retryable', attempts = max(0, attempts - 1), last_error = ?, updated_at = ? WHERE id = ?",
  );
  const releaseStmt = db.prepare<[number, number]>(
    "UPDATE jobs SET state = 'pending', attempts = max(0, attempts - 1), updated_at = ? WHERE id = ? AND state = 'running'",
  );
  const resetStmt = db.prepare<[number]>("UPDATE jobs SET state = 'pending', updated_at = ? WHERE state = 'running'");
  const versionStmt = db.prepare<[string, number, string, string]>(
    `UPDATE jobs SET state = 'pending', attempts = 0, last_error = NULL, pipeline_version = ?, updated_at = ?
     WHERE step = ? AND pipeline_version <> ?`,
  );
  // [Note: Remote results outlive a local model change]: done stays done, at the new version. A record
  // that is an error is no result: the new model gets its chance.
  const keepRemoteStmt = db.prepare<{ step: string; version: string }>(
    `UPDATE jobs SET pipeline_version = @version WHERE step = @step AND pipeline_version <> @version AND state = 'done'
       AND EXISTS (SELECT 1 FROM photo_understanding u
                   WHERE u.photo_id = jobs.photo_id AND u.model_id LIKE 'remote:%' AND u.state <> 'error')`,
  );
  // [Note: Narrow step versions] in main/library/steps.ts: the jobs of a version whose photos the change
  // did not touch only take the new version; a running one is left to the re-queue (its outcome is stale).
  // The versions a step's jobs have other than its own: one scan of the step's jobs, after which a start
  // with nothing to re-queue (nearly every start) runs none of the version statements (each another scan).
  const staleVersionsStmt = db.prepare<{ step: string; version: string }, { v: string }>(
    'SELECT DISTINCT pipeline_version AS v FROM jobs WHERE step = @step AND pipeline_version <> @version',
  );
  const narrowStmt = db.prepare<{ step: string; version: string; from: string; mimes: string }>(
    `UPDATE jobs SET pipeline_version = @version WHERE step = @step AND pipeline_version = @from AND state <> 'running'
       AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = jobs.photo_id AND p.mime IN (SELECT value FROM json_each(@mimes)))`,
  );
  // [Note: Activity leaves the Trash out]: parked at once, as a claim would park them (attempts unused);
  // a running job is left to the re-queue, so that its outcome (at the old version) is not recorded.
  const parkTrashedStmt = db.prepare<{ step: string; version: string; error: string; now: number }>(
    `UPDATE jobs SET state = 'failed-retryable', attempts = 0, last_error = @error, pipeline_version = @version, updated_at = @now
     WHERE step = @step AND pipeline_version <> @version AND state <> 'running' AND photo_id IN (${REMOVED_IDS})`,
  );
  // Optionally over a range of photo ids (`range`), for the chunked pass at start ([Note: Runner start in chunks]
  // in main/library/jobs.ts): the photos' rowid and the jobs' (photo_id, step) index.
  const backfillSql = (range?: string) =>
    `INSERT INTO jobs (photo_id, step, rank, priority, pipeline_version, updated_at)
     SELECT p.id, @step, @rank, CAST(coalesce(strftime('%s', p.sort_key), 0) AS INTEGER), @version, @now
     FROM photos p
     WHERE p.hash NOT LIKE 'unreadable:%' AND p.kind IN (SELECT value FROM json_each(@kinds))${range ? ` AND ${range}` : ''}
       AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.photo_id = p.id AND j.step = @step) AND p.id NOT IN (${REMOVED_IDS})`;
  const backfillStmt = db.prepare(backfillSql());
  // Photo ids from @lo (included) to @hi (excluded).
  const backfillRangeStmt = db.prepare(backfillSql('p.id >= @lo AND p.id < @hi'));
  // The first photo id of the chunk after the one starting at `lo` (undefined: that chunk is the last).
  const photoChunkEndStmt = db
    .prepare<[number, number], number>('SELECT id FROM photos WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?')
    .pluck();
  const retryableStmt = db.prepare<[number, number]>(
    `UPDATE jobs SET state = 'pending', updated_at = ? WHERE state = 'failed-retryable' AND attempts < ?
       AND EXISTS (SELECT 1 FROM files f WHERE f.photo_id = jobs.photo_id AND f.status = 'ok')`,
  );
  // [Note: Activity leaves the Trash out]: the id set is built once, each failed row checked against it.
  const retryAllStmt = db.prepare<[number]>(
    `UPDATE jobs SET state = 'pending', attempts = 0, updated_at = ?
     WHERE state IN ${FAILED} AND photo_id NOT IN (${REMOVED_IDS})`,
  );
  const retryStepStmt = db.prepare<[number, string]>(
    `UPDATE jobs SET state = 'pending', attempts = 0, updated_at = ?
     WHERE state IN ${FAILED} AND step = ? AND photo_id NOT IN (${REMOVED_IDS})`,
  );
  const clearAllStmt = db.prepare("DELETE FROM jobs WHERE state IN ('pending', 'failed-retryable', 'failed-permanent')");
  const clearStepStmt = db.prepare<[string]>(
    "DELETE FROM jobs WHERE state IN ('pending', 'failed-retryable', 'failed-permanent') AND step = ?",
  );
  const prioStmt = db.prepare<[number, number]>("UPDATE jobs SET priority = ? WHERE photo_id = ? AND state = 'pending'");
  const datePrioStmt = db.prepare<[number, number, number]>(
    "UPDATE jobs SET priority = ? WHERE photo_id = ? AND state = 'pending' AND priority < ?",
  );
  // [Note: Activity leaves the Trash out]: the whole table's counts less the trashed photos' rows,
  // which the (photo_id, step) index finds per trashed photo; a step left with none drops out.
  const trashedJobs = `SELECT * FROM jobs WHERE photo_id IN (${REMOVED_IDS})`;
  const countsStmt = db.prepare<[], { step: string; state: JobState; n: number }>(
    `SELECT step, state, sum(n) AS n FROM (
       SELECT step, state, count(*) AS n FROM jobs GROUP BY step, state
       UNION ALL SELECT step, state, -count(*) FROM (${trashedJobs}) GROUP BY step, state)
     GROUP BY step, state HAVING sum(n) > 0`,
  );
  // Failed rows only (jobs_queue), each checked against the trashed ids: the list is sorted in full anyway.
  // Of photos not in the Trash, those away from the grid are the hidden ones.
  const failuresStmt = db.prepare<[number, number], FailureRow>(
    `SELECT j.*, (SELECT d.path FROM files f JOIN folders d ON d.id = f.folder_id WHERE f.photo_id = j.photo_id ORDER BY f.id LIMIT 1) AS root,
            (SELECT f.rel_path FROM files f WHERE f.photo_id = j.photo_id ORDER BY f.id LIMIT 1) AS rel_path,
            j.photo_id IN (${AWAY_IDS}) AS hidden
     FROM jobs j WHERE j.state IN ${FAILED} AND j.photo_id NOT IN (${REMOVED_IDS})
     ORDER BY j.updated_at DESC, j.id DESC LIMIT ? OFFSET ?`,
  );
  const failureCountStmt = db.prepare<[], { n: number }>(
    `SELECT (SELECT count(*) FROM jobs WHERE state IN ${FAILED}) - (SELECT count(*) FROM (${trashedJobs}) WHERE state IN ${FAILED}) AS n`,
  );
  // jobs_queue (state, …) narrows the first to the failed rows.
  const failedFileCountStmt = db.prepare<[], { n: number }>(
    `SELECT (SELECT count(DISTINCT photo_id) FROM jobs WHERE state IN ${FAILED})
          - (SELECT count(DISTINCT photo_id) FROM (${trashedJobs}) WHERE state IN ${FAILED}) AS n`,
  );
  const forPhotoStmt = db.prepare<[number, string], JobRow>('SELECT * FROM jobs WHERE photo_id = ? AND step = ?');
  const openStmt = db.prepare<[string], { n: number }>(
    "SELECT count(*) AS n FROM jobs WHERE state IN ('pending', 'running') AND step IN (SELECT value FROM json_each(?))",
  );
  const pendingStmt = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM jobs WHERE state IN ('pending', 'running')");
  const claimTx = db.transaction((allowed: readonly string[], now: number): JobRow | null => {
    const job = pickStmt.get(JSON.stringify(allowed));
    if (!job) return null;
    startStmt.run(now, job.id);
    return { ...job, state: 'running', attempts: job.attempts + 1 };
  });
  const claimStepTx = db.transaction((step: string, limit: number, after: readonly string[], now: number): JobRow[] => {
    const picked = pickStepStmt.all({ step, after: JSON.stringify(after), limit });
    for (const j of picked) startStmt.run(now, j.id);
    return picked.map((j) => ({ ...j, state: 'running' as const, attempts: j.attempts + 1 }));
  });
  const requeuePhotosTx = db.transaction((ids: readonly number[], s: StepKey, priority: number, now: number) => {
    let n = 0;
    for (const photoId of ids)
      n += requeuePhotoStmt.run({
        photoId,
        step: s.name,
        rank: s.rank,
        priority,
        version: s.version,
        now,
        kinds: JSON.stringify(s.kinds),
      }).changes;
    return n;
  });
  const requeueVersionTx = db.transaction((s: StepKey, now: number): number => {
    const at = { step: s.name, version: s.version };
    const stale = new Set(staleVersionsStmt.all(at).map((r) => r.v));
    if (stale.size === 0) return 0;
    if (s.keepRemoteMade) keepRemoteStmt.run(at);
    for (const [from, mimes] of Object.entries(s.rerunOnly ?? {}))
      if (stale.has(from)) narrowStmt.run({ ...at, from, mimes: JSON.stringify(mimes) });
    parkTrashedStmt.run({ ...at, error: IN_TRASH, now });
    return versionStmt.run(s.version, now, s.name, s.version).changes;
  });
  const prioritizeTx = db.transaction((ids: readonly number[], priority: number) => {
    for (const id of ids) prioStmt.run(priority, id);
  });
  return {
    ensure(photoId, kind, steps, priority, now) {
      for (const s of steps) {
        if (!s.kinds.includes(kind)) continue;
        ensureStmt.run({ photoId, step: s.name, rank: s.rank, priority, version: s.version, now });
      }
    },
    retryPhoto: (photoId, now) => void retryPhotoStmt.run(now, photoId),
    recordFailure: (photoId, s, error, now) =>
      void recordFailureStmt.run({ photoId, step: s.name, rank: s.rank, error, version: s.version, now }),
    claim: (allowed, now) => (allowed.length ? claimTx.immediate(allowed, now) : null),
    forPhoto: (photoId, step) => forPhotoStmt.get(photoId, step) ?? null,
    openCount: (steps) => openStmt.get(JSON.stringify(steps))?.n ?? 0,
    claimStep: (step, limit, after, now) => (limit > 0 ? claimStepTx.immediate(step, limit, after, now) : []),
    finish: (id, state, error, now, version) => void finishStmt.run({ state, error, now, id, version: version ?? null }),
    park: (id, error, now) => void parkStmt.run(error, now, id),
    release: (id, now) => void releaseStmt.run(now, id),
    resetRunning: (now) => resetStmt.run(now).changes,
    requeueVersion: (s, now) => requeueVersionTx.immediate(s, now),
    requeuePhotos: (ids, s, priority, now) => requeuePhotosTx(ids, s, priority, now),
    backfill: (s, now) => backfillStmt.run({ step: s.name, rank: s.rank, version: s.version, now, kinds: JSON.stringify(s.kinds) }).changes,
    async backfillInChunks(s, now, pause, chunk = 5000) {
      const params = { step: s.name, rank: s.rank, version: s.version, now, kinds: JSON.stringify(s.kinds) };
      let added = 0;
      for (let lo = 0; ;) {
        // The last chunk has no end: it takes photos added meanwhile too (an id past the last one).
        const hi = photoChunkEndStmt.get(lo, chunk) ?? Number.MAX_SAFE_INTEGER;
        added += backfillRangeStmt.run({ ...params, lo, hi }).changes;
        if (hi === Number.MAX_SAFE_INTEGER) return added;
        lo = hi;
        await pause();
      }
    },
    retryRetryable: (max, now) => retryableStmt.run(now, max).changes,
    retryFailed: (step, now) => (step === undefined ? retryAllStmt.run(now) : retryStepStmt.run(now, step)).changes,
    clear: (step) => (step === undefined ? clearAllStmt.run() : clearStepStmt.run(step)).changes,
    prioritize: (ids, priority = VISIBLE_PRIORITY) => prioritizeTx(ids, priority),
    setPriority: (photoId, priority) => void datePrioStmt.run(priority, photoId, VISIBLE_PRIORITY),
    counts: () => countsStmt.all(),
    failures: (offset, limit) => failuresStmt.all(limit, offset),
    failureCount: () => failureCountStmt.get()?.n ?? 0,
    failedFileCount: () => failedFileCountStmt.get()?.n ?? 0,
    pendingCount: () => pendingStmt.get()?.n ?? 0,
  };
}
