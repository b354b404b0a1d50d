/**
 * @file The worker's two lanes ([Note: Worker lanes]) with scripted requests (no worker, no
 * onnxruntime): interactive before queued background, FIFO within a lane, no pre-emption, and a
 * background request's checkpoint running the interactive requests waiting at that moment (but never
 * a model swap).
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../native/runtime/scheduler';
import type { Priority } from '../../native/protocol';

interface Req {
  id: number;
  name: string;
  priority?: Priority;
  /** Phases a background request runs, with a checkpoint between each. */
  phases?: number;
}

/** A scheduler whose requests log their start, phases and end, each phase ending when the test says. */
function setup(canInterleave: (r: Req) => boolean = () => true) {
  const log: string[] = [];
  const gates: (() => void)[] = [];
  const gate = () => new Promise<void>((r) => gates.push(r));
  const scheduler = new Scheduler<Req>(async (req, checkpoint) => {
    log.push(`start ${req.name}`);
    for (let p = 0; p < (req.phases ?? 1); p++) {
      if (p > 0) await checkpoint();
      await gate();
    }
    log.push(`end ${req.name}`);
  }, canInterleave);
  /** Lets the phase that is waiting now finish, then lets the scheduler move on. */
  const step = async () => {
    gates.shift()?.();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  };
  return { log, scheduler, step, pending: () => gates.length };
}

describe('worker scheduler', () => {
  it('starts queued interactive requests before queued background ones, FIFO within a lane', async () => {
    const { log, scheduler, step, pending } = setup();
    scheduler.push({ id: 1, name: 'bg1', priority: 'background' });
    scheduler.push({ id: 2, name: 'bg2', priority: 'background' });
    scheduler.push({ id: 3, name: 'bg3', priority: 'background' });
    scheduler.push({ id: 4, name: 'ia1', priority: 'interactive' });
    scheduler.push({ id: 5, name: 'ia2' });
    expect(scheduler.has(3)).toBe(true);
    expect(scheduler.has(1)).toBe(false); // already running
    while (pending() > 0) await step();
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start bg1', 'start ia1', 'start ia2', 'start bg2', 'start bg3']);
    // No pre-emption: each request ends before the next starts.
    for (let i = 0; i < log.length; i += 2) expect(log[i]!.slice(6)).toBe(log[i + 1]!.slice(4));
  });

  it('runs waiting interactive requests at a background checkpoint, but not a model swap', async () => {
    const { log, scheduler, step, pending } = setup((r) => r.name !== 'load');
    scheduler.push({ id: 1, name: 'bg', priority: 'background', phases: 3 });
    scheduler.push({ id: 2, name: 'ia' });
    scheduler.push({ id: 3, name: 'load' });
    scheduler.push({ id: 4, name: 'ia-after-load' });
    while (pending() > 0) await step();
    expect(log).toEqual([
      'start bg',
      'start ia', // at bg's first checkpoint
      'end ia',
      'end bg', // 'load' may not interleave, and the interactive request behind it waits too (order kept)
      'start load',
      'end load',
      'start ia-after-load',
      'end ia-after-load',
    ]);
  });

  it('gives interactive requests no checkpoint of their own', async () => {
    const { log, scheduler, step, pending } = setup();
    scheduler.push({ id: 1, name: 'ia', phases: 2 });
    scheduler.push({ id: 2, name: 'ia2' });
    while (pending() > 0) await step();
    expect(log).toEqual(['start ia', 'end ia', 'start ia2', 'end ia2']);
  });
});
