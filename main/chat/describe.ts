/**
 * @file `photos:describe` and `inference:cancel`: picks the readable file of a photo, runs InternVL on
 * it through the inference service, streams its text as `inference:text` events and lets the caller
 * cancel by request id. Runs in main. A feature, not worker plumbing: it lives with chat (the house review's
 * step 1), and main/inference/ stays the worker client and the inference service.
 */
import { ApiError } from '../../preload/api-error';
import type { DescribeResult } from '../../preload/contract';
import type { Emit } from '../events';
import { modelInputFor } from '../library/model-input';
import type { LibraryService } from '../library/types';
import type { InferenceService } from '../inference/inference.service';

/** `photos:describe` and `inference:cancel`. */
export interface Describer {
  describe(args: { id: number; prompt?: string | undefined; requestId?: string | undefined }): Promise<DescribeResult>;
  /** Stops a running describe by its request id; false when none runs under that id. */
  cancel(requestId: string): boolean;
}

export function createDescriber({
  library,
  inference,
  emit,
}: {
  library: LibraryService;
  inference: InferenceService;
  emit: Emit;
}): Describer {
  const running = new Map<string, AbortController>();

  return {
    async describe(args: { id: number; prompt?: string | undefined; requestId?: string | undefined }): Promise<DescribeResult> {
      const path = await modelInputFor(library, args.id);
      const requestId = args.requestId ?? null;
      if (requestId !== null && running.has(requestId)) throw new ApiError('conflict', `Request ${requestId} is already running`);
      const ac = new AbortController();
      if (requestId !== null) running.set(requestId, ac);
      try {
        const r = await inference.describe(path, {
          prompt: args.prompt,
          signal: ac.signal,
          onText: requestId === null ? undefined : (text) => emit('inference:text', { requestId, text }),
        });
        return { requestId, ...r };
      } finally {
        if (requestId !== null) running.delete(requestId);
      }
    },

    cancel(requestId: string): boolean {
      const ac = running.get(requestId);
      ac?.abort();
      return ac !== undefined;
    },
  };
}
