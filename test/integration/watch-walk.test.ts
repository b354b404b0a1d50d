/**
 * The walk that starts a watch keeps a bounded number of stat calls in flight ([Note: Bounded watch walk]
 * in main/library/bounded-watch.ts), and the watcher it builds still knows every file it walked.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedWatch, concurrencyGate } from '../../main/library/bounded-watch';
import { watchFolder } from '../../main/library/watcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('concurrencyGate', () => {
  it('runs at most max tasks at once, the others in the order they came', async () => {
    const gate = concurrencyGate(2);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const task = (i: number) =>
      gate.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await sleep(5);
        running--;
        if (i === 3) throw new Error('three');
        return i;
      });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => task(i)));
    expect(most).toBe(2);
    expect(gate.peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(results[3]).toMatchObject({ status: 'rejected' }); // a failure frees its slot too
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual([0, 1, 2, 4, 5, 6, 7]);
  });
});

describe('bounded watch walk', () => {
  it('walks through the gate, and the watcher knows what it walked', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shoebox-walk-'));
    for (let d = 0; d < 6; d++) {
      mkdirSync(join(root, `day ${d}`));
      for (let f = 0; f < 40; f++) writeFileSync(join(root, `day ${d}`, `img${f}.jpg`), 'x');
    }
    const gate = concurrencyGate(3);
    const removed: string[] = [];
    const w = watchFolder(
      root,
      {
        onUpserts: () => {},
        onRemoves: (paths) => removed.push(...paths),
        onDirRemoved: () => {},
        onFatal: () => {},
        onSkipped: () => {},
      },
      { settleMs: 50, batchMs: 20, maxDepth: 8, factory: boundedWatch(gate) },
    );
    try {
      await w.ready;
      // Bounded, and used: 0 here means chokidar or readdirp changed and the walk is no longer gated.
      expect(gate.peak).toBe(3);
      rmSync(join(root, 'day 5', 'img39.jpg'));
      for (let i = 0; i < 100 && !removed.includes('day 5/img39.jpg'); i++) await sleep(20);
      expect(removed).toContain('day 5/img39.jpg');
    } finally {
      await w.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
