/**
 * @file A scripted fake inference worker process for unit tests of main's side (no onnxruntime): it
 * records what it receives, and the test decides what it answers and when it dies.
 */
import type { WorkerProcess } from '../../../main/inference/worker-client';
import type { WorkerRequest, WorkerResponse } from '../../../native/protocol';

/** A fake worker: records what it receives; the test decides what it answers and when it dies. */
export class FakeWorker implements WorkerProcess {
  static all: FakeWorker[] = [];
  readonly pid: number;
  received: WorkerRequest[] = [];
  private onMsg: ((m: unknown) => void) | null = null;
  private onEx: ((code: number | null, signal: string | null) => void)[] = [];
  constructor() {
    this.pid = 1000 + FakeWorker.all.length;
    FakeWorker.all.push(this);
    queueMicrotask(() => this.emit({ type: 'ready', pid: this.pid }));
  }
  send(msg: WorkerRequest): void {
    this.received.push(msg);
  }
  onMessage(l: (m: unknown) => void): void {
    this.onMsg = l;
  }
  onExit(l: (code: number | null, signal: string | null) => void): void {
    this.onEx.push(l);
  }
  kill(): void {
    this.die(null, 'SIGKILL');
  }
  emit(m: WorkerResponse): void {
    this.onMsg?.(m);
  }
  die(code: number | null, signal: string | null): void {
    const l = this.onEx;
    this.onEx = [];
    l.forEach((f) => f(code, signal));
  }
  answer(id: number, result: unknown): void {
    this.emit({ type: 'result', id, result } as WorkerResponse);
  }
}

/** Lets queued callbacks and microtasks run. */
export const tick = (): Promise<unknown> => new Promise((r) => setTimeout(r, 0));
