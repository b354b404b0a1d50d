/**
 * @file What a worker request failed with, for tests that expect a failure: the client error's stable
 * code and message (it fails the test when the request succeeds or throws anything else).
 */
import { expect } from 'vitest';
import { WorkerClientError } from '../../../main/inference/worker-client';

export async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WorkerClientError);
    return { code: (e as WorkerClientError).code, message: (e as Error).message };
  }
  throw new Error('expected the request to fail');
}
