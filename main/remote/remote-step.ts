/**
 * @file The understanding step with remote backends: the local step (main/understanding/understand-step.ts)
 * wrapped so that, when `remote.enabled` is on, photos go to the first backend that answers its health
 * check, several at once, and to the local worker when none does and `remote.fallbackLocal` allows it.
 * Registered by main/services.ts in place of the local step; with remote off it is the local step.
 *
 * Runs in main; the work runs on the server (network waits) or in the worker.
 *
 * [Note: Remote backends are a transport] A backend asks the same questions as the worker and its
 * answers are stored in the same record (main/db/understanding.repo.ts), made by
 * `remote:<model>@<host>` (variant `remote`). The job's version stays the step's version (it names the
 * active local model, or the first backend's model when no local model is installed), so turning a
 * backend on or off, or a backend going down and the worker taking over, re-queues nothing: a photo is
 * understood once, by whichever transport was there; `photos:redoUnderstanding` asks again. A local
 * model change does not re-do what a backend made either (`keepRemoteMade`: [Note: Remote results
 * outlive a local model change] in main/understanding/understand-step.ts).
 *
 * [Note: Remote health] A backend is used after `GET /v1/models` listed its model. A backend that
 * cannot be reached, refuses the key or lost the model is marked down (its jobs go back to the queue
 * without using an attempt, [Note: Remote failures] in ./remote-client.ts) and checked again after 15 s,
 * then 30 s, … up to 5 min; one that says 429/503 rests for its `Retry-After`. While no backend is
 * usable the step runs locally when allowed, else it is blocked with the reason (jobs stay pending).
 */
import { setMaxListeners } from 'node:events';
import { ApiError } from '../../preload/api-error';
import type { Settings } from '../../preload/contract';
import type { Maker } from '../db/understanding.repo';
import { PermanentError, RequeueJob, type StepContext } from '../library/jobs';
import { modelInputFor } from '../library/model-input';
import type { LibraryService } from '../library/types';
import type { Log } from '../log';
import type { SecretName, SecretStore } from '../models/hub/token-store';
import type { UnderstandStep } from '../understanding/understand-step';
import type { UnderstandingService } from '../understanding/understanding.service';
import { hostOf, remoteMakerId, type RemoteBackend } from './backends';
import { createLimiter } from './limiter';
import { createRemoteClient, RemoteError, type RemoteClient } from './remote-client';
import { understandRemote, type BackendState } from './remote-understand';
import { toModelOutput } from './remote-record';

const FIRST_RECHECK_MS = 15_000;
const MAX_RECHECK_MS = 5 * 60_000;
const DEFAULT_BUSY_MS = 5_000;

export interface RemoteStepDeps {
  local: UnderstandStep;
  settings: () => Settings['remote'];
  secrets: SecretStore;
  understanding: Pick<UnderstandingService, 'labelSet' | 'recordOutput' | 'recordError'>;
  library: Pick<LibraryService, 'getPhoto' | 'ensurePreview'>;
  /** The version results are recorded at now (the understanding service's), or null when nothing is active. */
  version: () => string | null;
  /** Whether the local worker has a model to fall back on (read at most every 2 s). */
  localAvailable: () => boolean;
  /** Wakes the queue (a backend came back, a rest ended). */
  wake: () => void;
  log: Log;
  now?: () => number;
  /** For tests: the fetch the OpenAI client uses. */
  fetch?: typeof fetch;
}

/** The step, plus what the CLI and the shell ask of the backends. */
export interface RemoteUnderstandStep extends UnderstandStep {
  /**
   * Where photos go now: a backend, the local worker, nowhere (with the reason), or not known until the
   * health checks under way end (`wait`).
   */
  route(): Route;
  /** The backend photos would go to now, with its client, once the checks under way end; null when none answers. */
  usable(): Promise<{ backend: RemoteBackend; client: RemoteClient } | null>;
  /** Tells the step a backend failed outside the queue (a chat answer): 'down' marks it down. */
  failed(backend: RemoteBackend, err: RemoteError): void;
}

type Route =
  { to: 'remote'; backend: RemoteBackend } | { to: 'local' } | { to: 'blocked'; reason: string } | { to: 'checking'; wait: Promise<void> };

interface Live {
  backend: RemoteBackend;
  client: RemoteClient | null;
  state: BackendState;
  healthy: boolean;
  /** The health check under way, if any. */
  checking: Promise<void> | null;
  /** Not used before this time (down, or resting after 429/503). */
  until: number;
  recheckMs: number;
  problem: string | null;
}

/** Wraps the local understanding step with the remote backends of the settings. */
export function createRemoteUnderstandStep(deps: RemoteStepDeps): RemoteUnderstandStep {
  const { local, log } = deps;
  const now = deps.now ?? Date.now;
  const limiter = createLimiter(() => deps.settings().inFlight);
  let signature = '';
  let live: Live[] = [];
  let paused: string | null = null;
  let secondsPerPhoto: number | null = null;
  let lastDone: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  // Both read the models folder: trusted for 2 s, as the local step trusts its active model.
  let cached: { at: number; local: boolean; version: string | null } | null = null;
  const facts = () => {
    if (!cached || now() - cached.at > 2000) cached = { at: now(), local: deps.localAvailable(), version: deps.version() };
    return cached;
  };

  /** The backends of the settings, kept across calls while the settings are unchanged. */
  function backends(): Live[] {
    const s = deps.settings();
    const sig = JSON.stringify([s.enabled, s.backends, s.timeoutSeconds]);
    if (sig !== signature) {
      signature = sig;
      live = (s.enabled ? s.backends : []).map((backend) => ({
        backend,
        client: null,
        state: { schema: null },
        healthy: false,
        checking: null,
        until: 0,
        recheckMs: FIRST_RECHECK_MS,
        problem: null,
      }));
    }
    return live;
  }

  function wakeAt(at: number): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => deps.wake(), Math.max(0, at - now()) + 10);
    timer.unref();
  }

  function markDown(l: Live, problem: string): void {
    l.healthy = false;
    l.problem = problem;
    l.until = now() + l.recheckMs;
    l.recheckMs = Math.min(MAX_RECHECK_MS, l.recheckMs * 2);
    log.warn('remote backend down', {
      host: hostOf(l.backend.url),
      model: l.backend.model,
      problem,
      retryInS: Math.round((l.until - now()) / 1000),
    });
    wakeAt(l.until);
  }

  async function check(l: Live): Promise<void> {
    try {
      const key = l.backend.keyRef ? await deps.secrets.get(l.backend.keyRef as SecretName) : null;
      if (l.backend.keyRef && key === null)
        throw new Error(`no API key is stored for ${hostOf(l.backend.url)}; add the backend again with --key-env`);
      l.client = createRemoteClient({
        url: l.backend.url,
        model: l.backend.model,
        apiKey: key,
        timeoutMs: deps.settings().timeoutSeconds * 1000,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      const h = await l.client.health();
      if (h.ok) {
        l.healthy = true;
        l.problem = null;
        l.recheckMs = FIRST_RECHECK_MS;
        log.info('remote backend ready', { host: hostOf(l.backend.url), model: l.backend.model, ms: h.ms });
      } else markDown(l, h.problem ?? 'not usable');
    } catch (err) {
      markDown(l, err instanceof Error ? err.message : String(err));
    } finally {
      l.checking = null;
      deps.wake();
    }
  }

  function route(): Route {
    const all = backends();
    if (all.length === 0) return { to: 'local' };
    const t = now();
    const checks: Promise<void>[] = [];
    for (const l of all) {
      if (l.until > t) continue;
      if (l.healthy && l.client) return { to: 'remote', backend: l.backend };
      l.checking ??= check(l);
      checks.push(l.checking);
    }
    // A backend before the others is waited for: the order of the list is the user's preference.
    if (checks.length > 0) return { to: 'checking', wait: Promise.all(checks).then(() => {}) };
    const problems = all.map((l) => l.problem).filter((p): p is string => p !== null);
    if (deps.settings().fallbackLocal && facts().local) return { to: 'local' };
    const next = Math.min(...all.map((l) => l.until));
    return {
      to: 'blocked',
      reason: `no remote backend answers${problems.length ? ` (${problems.join('; ')})` : ''}; trying again in ${Math.max(1, Math.round((next - t) / 1000))} s${
        deps.settings().fallbackLocal ? '' : ' (the local worker is not allowed to take over: remote.fallbackLocal is false)'
      }`,
    };
  }

  const liveOf = (b: RemoteBackend) => backends().find((l) => l.backend === b);

  async function one(
    ctx: StepContext,
    l: Live,
    maker: Maker,
    labels: ReturnType<typeof deps.understanding.labelSet>,
  ): Promise<Error | null> {
    const photoId = ctx.photo.id;
    let path: string;
    try {
      path = await modelInputFor(deps.library, photoId);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'bad-argument') {
        deps.understanding.recordError(photoId, `bad_input: ${err.message}`, maker);
        return new PermanentError(err.message);
      }
      return err as Error;
    }
    const t0 = performance.now();
    try {
      const answers = await understandRemote(path, {
        client: l.client!,
        state: l.state,
        limiter,
        labels: labels.labels,
        textLabels: labels.textLabels,
        maxTiles: deps.settings().maxTiles,
        signal: ctx.signal,
      });
      const out = toModelOutput(answers, labels, performance.now() - t0);
      if (!deps.understanding.recordOutput(photoId, out, maker))
        return new RequeueJob('the active model changed while the backend worked; queued again');
      countDone();
      return null;
    } catch (err) {
      const e = err instanceof RemoteError ? err : new RemoteError('server', err instanceof Error ? err.message : String(err));
      switch (e.kind) {
        case 'down':
          if (l.healthy) markDown(l, e.message);
          return new RequeueJob(e.message);
        case 'busy':
          l.problem = e.message;
          l.until = Math.max(l.until, now() + (e.retryAfterMs ?? DEFAULT_BUSY_MS));
          wakeAt(l.until);
          return new RequeueJob(e.message);
        case 'cancelled':
          return new RequeueJob('cancelled');
        case 'bad_request':
          deps.understanding.recordError(photoId, `bad_request: ${e.message}`, maker);
          return new PermanentError(e.message);
        case 'timeout':
        case 'server':
          return new Error(`${e.kind}: ${e.message}`);
      }
    }
  }

  async function runBatch(ctxs: StepContext[]): Promise<(Error | null)[]> {
    if (paused) return ctxs.map(() => new RequeueJob(paused!));
    let r = route();
    for (let i = 0; i < 3 && r.to === 'checking'; i++) {
      await r.wait;
      r = route();
    }
    if (r.to === 'checking') return ctxs.map(() => new RequeueJob('the remote backends are being checked'));
    if (r.to === 'local') return local.runBatch!(ctxs);
    if (r.to === 'blocked') return ctxs.map(() => new RequeueJob(r.reason));
    const l = liveOf(r.backend)!;
    const version = deps.version();
    if (version === null) return ctxs.map(() => new RequeueJob('no model is active'));
    const maker: Maker = { modelId: remoteMakerId(r.backend), variant: 'remote', version, demo: false };
    const labels = deps.understanding.labelSet();
    // The runner's one signal is shared by every job; each request in flight listens to it.
    setMaxListeners(Math.max(64, 4 * deps.settings().inFlight), ctxs[0]!.signal);
    return Promise.all(ctxs.map((ctx) => one(ctx, l, maker, labels)));
  }

  /**
   * The time per photo the progress row shows (and its ETA): the gap between two photos done, whatever
   * the batch, since many are in flight at once; a pause of a minute or more starts afresh.
   */
  function countDone(): void {
    const t = performance.now();
    const gap = lastDone === null ? null : (t - lastDone) / 1000;
    lastDone = t;
    if (gap === null || gap > 60) return;
    secondsPerPhoto = secondsPerPhoto === null ? gap : 0.9 * secondsPerPhoto + 0.1 * gap;
  }

  const step: RemoteUnderstandStep = {
    name: local.name,
    rank: local.rank,
    kinds: local.kinds,
    after: local.after ?? [],
    ownSlots: true,
    keepRemoteMade: true,
    // Two batches overlap so the server never waits for the slowest photo of one.
    get concurrency() {
      const to = route().to;
      return to === 'remote' || to === 'checking' ? 2 : (local.concurrency ?? 1);
    },
    get version() {
      return facts().version ?? local.version;
    },
    blocked() {
      if (paused) return paused;
      const r = route();
      if (r.to === 'blocked') return r.reason;
      // While a health check runs the step takes jobs: its batch waits for the outcome.
      if (r.to === 'remote' || r.to === 'checking') return null;
      return local.blocked?.() ?? null;
    },
    maxBatch() {
      const to = route().to;
      return to === 'remote' || to === 'checking' ? deps.settings().inFlight : (local.maxBatch?.() ?? 1);
    },
    runBatch,
    async run(ctx) {
      const [outcome] = await runBatch([ctx]);
      if (outcome) throw outcome;
    },
    report() {
      const r = route();
      if (r.to !== 'remote') return local.report?.() ?? { detail: null, secondsPerItem: null };
      return {
        detail: `remote · ${r.backend.model}@${hostOf(r.backend.url)}`,
        secondsPerItem: secondsPerPhoto === null ? null : Math.round(secondsPerPhoto * 1000) / 1000,
      };
    },
    setPaused(reason) {
      paused = reason;
      local.setPaused(reason);
    },
    modelChanged() {
      cached = null;
      local.modelChanged();
    },
    route,
    async usable() {
      let r = route();
      for (let i = 0; i < 3 && r.to === 'checking'; i++) {
        await r.wait;
        r = route();
      }
      if (r.to !== 'remote') return null;
      const l = liveOf(r.backend);
      return l?.client ? { backend: l.backend, client: l.client } : null;
    },
    failed(backend, err) {
      const l = liveOf(backend);
      if (l && err.kind === 'down' && l.healthy) markDown(l, err.message);
    },
  };
  return step;
}
