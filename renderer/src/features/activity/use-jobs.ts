/**
 * @file Live job status for the whole window: `jobs:status` once, then every `jobs:progress` event;
 * pause and resume; which steps wait and why. Runs in the renderer; one instance lives in the app shell and feeds both the
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

/** Whether a reason for waiting is about the model (none selected, not installed), so the UI links to Models. */
export function isAboutModel(reason: string): boolean {
  return /\bmodels?\b/i.test(reason);
}

/** A step that is not moving, with the reason the step gives ('No model is selected…', 'paused on battery'). */
export interface StepBlock {
  step: string;
  reason: string;
  /** The reason is about the model, so the UI points to the Models page. */
  aboutModel: boolean;
}

/**
 * The steps that wait for something while they have work left, and whether the queue-wide reason is
 * one of theirs (the runner reports the first blocked step's reason as `step: reason`), so the page
 * shows each reason once, on its step.
 */
export function stepBlocks(status: JobsStatus): { blocks: StepBlock[]; queueReasonIsAStep: boolean } {
  const blocks: StepBlock[] = [];
  for (const s of status.steps) {
    const reason = s.blockedReason;
    if (!reason || s.pending + s.running === 0) continue;
    blocks.push({ step: s.step, reason, aboutModel: isAboutModel(reason) });
  }
  const q = status.blockedReason;
  const queueReasonIsAStep = q !== null && status.steps.some((s) => s.blockedReason && q === `${s.step}: ${s.blockedReason}`);
  return { blocks, queueReasonIsAStep };
}
