/**
 * @file Unit tests of the grid's thumbnail prefetcher: a few requests at a time, nearest first; a new
 * call replaces what was still queued; nothing is fetched twice.
 */
import { describe, expect, it } from 'vitest';
import { createThumbPrefetcher } from '../../renderer/src/features/library/thumb-prefetch';

function fakeLoader() {
  const started: string[] = [];
  const pending = new Map<string, () => void>();
  const load = (url: string) =>
    new Promise<void>((resolve) => {
      started.push(url);
      pending.set(url, resolve);
    });
  const finish = async (url: string) => {
    pending.get(url)?.();
    pending.delete(url);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { load, started, pending, finish };
}

const urls = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `u${from + i}`);

describe('thumbnail prefetch', () => {
  it('keeps four in flight, nearest first, and the next starts when one ends', async () => {
    const f = fakeLoader();
    const p = createThumbPrefetcher(f.load);
    p.prefetch(urls(0, 10));
    expect(f.started).toEqual(['u0', 'u1', 'u2', 'u3']);
    await f.finish('u1');
    expect(f.started).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
  });

  it('drops the queue of an earlier call, and never fetches a URL twice', async () => {
    const f = fakeLoader();
    const p = createThumbPrefetcher(f.load);
    p.prefetch(urls(0, 10));
    p.prefetch(['u2', 'u20', 'u21']); // the scroll went on: u4–u9 are no longer wanted
    for (const u of [...f.pending.keys()]) await f.finish(u);
    for (const u of [...f.pending.keys()]) await f.finish(u);
    expect(f.started).toEqual(['u0', 'u1', 'u2', 'u3', 'u20', 'u21']);
    p.prefetch(['u0', 'u21']);
    expect(f.started).toHaveLength(6);
  });
});
