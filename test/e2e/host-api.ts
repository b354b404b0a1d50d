/**
 * @file Asks a test's headless host over its API socket, beside the page under test (the page's own
 * socket and frames are left alone): one request at a time, and a wait until pipeline steps have
 * finished. Runs in the Playwright test process.
 *
 * [Note: E2E waits on background work] The host indexes in the background (scan, metadata, thumbnails,
 * geocode, understanding, search index) at whatever pace the machine allows, and CI runs two workers
 * on two loaded cores: a step may finish long before an assertion or long after it. An assertion that
 * holds only once a step has finished (the grid re-lays its rows as the metadata step reads photos'
 * shapes; capture dates re-sort it) waits for that step, or names its photo instead of a position, so
 * that it passes whether the work is fast or slow.
 */
import { WebSocket } from 'ws';
import type { JobsStatus } from '../../preload/contract';
import { expect, type RunningHost } from './fixtures';

/** One request to the host's API ([Note: Socket frames] in renderer/src/api-socket.ts), with the page's cookie. */
export async function hostCall<T>(host: RunningHost, method: string, args: unknown = {}): Promise<T> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { headers: { cookie: `shoebox_token=${host.token}` } });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`${method}: the socket was refused (HTTP ${res.statusCode})`)));
      ws.once('error', reject);
    });
    return await new Promise<T>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { id?: number; ok?: boolean; result?: T; error?: { message?: string } };
        if (frame.id !== 1) return; // a pushed event
        if (frame.ok) resolve(frame.result as T);
        else reject(new Error(`${method} failed: ${frame.error?.message ?? 'no message'}`));
      });
      ws.once('close', () => reject(new Error(`${method}: the socket closed before the answer`)));
      ws.send(JSON.stringify({ id: 1, method, args }));
    });
  } finally {
    ws.close();
  }
}

/**
 * Waits until each of `steps` has finished (done or failed) its job for every one of the library's
 * `photos` photos. Call it once the photos are all found (the library's count shows them).
 */
export async function waitForSteps(host: RunningHost, steps: readonly string[], photos: number, timeout = 60_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const status = await hostCall<JobsStatus>(host, 'jobs:status');
        return steps.map((name) => {
          const s = status.steps.find((x) => x.step === name);
          const finished = s ? s.done + s.failed : 0;
          return `${name}: ${finished} of ${s ? finished + s.pending + s.running : 0} finished`;
        });
      },
      { timeout, message: `background steps ${steps.join(', ')} finished for ${photos} photos` },
    )
    .toEqual(steps.map((name) => `${name}: ${photos} of ${photos} finished`));
}
