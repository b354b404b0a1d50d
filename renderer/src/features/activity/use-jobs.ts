/**
 * @file Live job status for the whole window: `jobs:status` once, then every `jobs:progress` event;
 * pause and resume. Runs in the renderer; one instance lives in the app shell and feeds both the
 * sidebar summary and the Activity page.
 */
import { useCallback, useState } from 'react';
import type { JobsStatus, StepProgress } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useClient, useEvent, useRequest } from '../../hooks';

export interface JobsState {
  status: JobsStatus | undefined;
  error: string | null;
  busy: boolean;
  setPaused: (paused: boolean) => Promise<void>;
  reload: () => void;
}

export function useJobs(onError: (message: string) => void): JobsState {
  const client = useClient();
  const request = useRequest('jobs:status', {});
  const [busy, setBusy] = useState(false);
  useEvent('jobs:progress', request.set);
  const { set } = request;
  const setPaused = useCallback(
    async (paused: boolean) => {
      setBusy(true);
      try {
        set(await client.call(paused ? 'jobs:pause' : 'jobs:resume', {}));
      } catch (err) {
        onError(`Could not ${paused ? 'pause' : 'resume'}: ${errorMessage(err)}`);
      } finally {
        setBusy(false);
      }
    },
    [client, set, onError],
  );
  return { status: request.data, error: request.error, busy, setPaused, reload: request.reload };
}

/** All items of a step, whatever their state. */
export function stepTotal(s: StepProgress): number {
  return s.pending + s.running + s.done + s.failed;
}

/** Totals over every step: what is left, what is done, what failed. */
export function overall(status: JobsStatus): { left: number; done: number; failed: number; total: number } {
  let left = 0;
  let done = 0;
  let failed = 0;
  for (const s of status.steps) {
    left += s.pending + s.running;
    done += s.done;
    failed += s.failed;
  }
  return { left, done, failed, total: left + done + failed };
}
