/**
 * @file The worker's request queue: two FIFO lanes (interactive before background), one request
 * running at a time, and the checkpoint a background request offers between its phases.
 *
 * Runs in the inference worker (`native/worker.ts`); knows nothing of methods or models beyond the
 * `canInterleave` rule it is given. See [Note: Worker lanes] in `native/protocol.ts`.
 */
import type { Priority } from '../protocol';

/** What the scheduler needs to know of a request. */
export interface Schedulable {
  id: number;
  priority?: Priority | undefined;
}

/** Runs one request; `checkpoint` lets the waiting interactive requests run (a no-op unless background). */
export type RunRequest<R> = (req: R, checkpoint: () => Promise<void>) => Promise<void>;

const noCheckpoint = async (): Promise<void> => {};

/** Queues requests in two lanes and runs them one at a time. */
export class Scheduler<R extends Schedulable> {
  private readonly interactive: R[] = [];
  private readonly background: R[] = [];
  private running = false;

  /**
   * @param run runs one request to its end (answers included); it must not throw.
   * @param canInterleave whether a request may run at a background request's checkpoint.
   */
  constructor(
    private readonly run: RunRequest<R>,
    private readonly canInterleave: (req: R) => boolean,
  ) {}

  /** Queues a request in its lane and starts the queue if it is idle. */
  push(req: R): void {
    (req.priority === 'background' ? this.background : this.interactive).push(req);
    void this.pump();
  }

  /** True when a request with this id waits in either lane. */
  has(id: number): boolean {
    return this.interactive.some((r) => r.id === id) || this.background.some((r) => r.id === id);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let req = this.next(); req !== undefined; req = this.next()) {
        await this.run(req, req.priority === 'background' ? () => this.checkpoint() : noCheckpoint);
      }
    } finally {
      this.running = false;
    }
  }

  /** The oldest interactive request, else the oldest background one. */
  private next(): R | undefined {
    return this.interactive.shift() ?? this.background.shift();
  }

  /**
   * Runs the interactive requests waiting now, in order, up to the first that may not interleave
   * (that one waits until the background request ends). Interactive requests get no checkpoint, so
   * this never nests.
   */
  private async checkpoint(): Promise<void> {
    for (let head = this.interactive[0]; head !== undefined && this.canInterleave(head); head = this.interactive[0]) {
      this.interactive.shift();
      await this.run(head, noCheckpoint);
    }
  }
}
