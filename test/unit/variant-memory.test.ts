/**
 * @file Unit test of measured variant memory ([Note: Worker memory reports] in native/protocol.ts,
 * [Note: Measured memory is kept beside the bundle] in main/inference/variant-memory.ts): the Models
 * page's wording (measured reads as measured, the estimate as an estimate), which reading is kept, a
 * malformed record read as none, and the inference service recording a scripted worker's reports
 * against the variant it loaded, including the report that comes before its load's result.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelVariantCost } from '../../preload/contract';
import { createInference } from '../../main/inference/inference.service';
import { newReadingWins, readVariantMemory, type MeasuredMemory } from '../../main/inference/variant-memory';
import { silentLog } from '../../main/log';
import type { ActiveBundle } from '../../main/models/manager';
import { memoryCost } from '../../main/models/variant-costs';
import type { MemoryMessage, RequestMessage } from '../../native/protocol';
import { memoryLabel } from '../../renderer/src/features/models/variant-costs';
import { FakeWorker, tick } from './helpers/fake-worker';

const GB = 1_000_000_000;
const reading = (o: Partial<MeasuredMemory> = {}): MeasuredMemory => ({
  rssBytes: 1.9 * GB,
  basis: 'running',
  peakRssBytes: null,
  provider: 'cpu',
  measuredAt: '2026-11-30T10:00:00.000Z',
  ...o,
});

describe('memory label (Models page)', () => {
  const label = (m: MeasuredMemory | undefined) => memoryLabel(memoryCost(1.3 * GB, m));

  it('says measured only of a measured figure, and labels the estimate', () => {
    expect(label(undefined)).toBe('at least 1.3 GB (its weights; an estimate, not measured)');
    expect(label(reading())).toBe('1.9 GB measured on this machine');
  });

  it('says when the figure was taken before a photo, names a clearly higher peak, and what a GPU leaves out', () => {
    expect(label(reading({ basis: 'loaded', rssBytes: 1.4 * GB }))).toBe(
      '1.4 GB measured on this machine (loaded, before its first photo; describing needs more)',
    );
    expect(label(reading({ peakRssBytes: 2.3 * GB }))).toBe('1.9 GB measured on this machine (2.3 GB at its peak)');
    // A peak within 5% says nothing the figure does not.
    expect(label(reading({ peakRssBytes: 1.95 * GB }))).toBe('1.9 GB measured on this machine');
    expect(label(reading({ provider: 'cuda' }))).toBe(
      '1.9 GB measured on this machine (main memory only: what it holds on the cuda device is not counted)',
    );
  });

  it('carries every measured figure into the DTO', () => {
    const m: ModelVariantCost['memory'] = memoryCost(1.3 * GB, reading({ peakRssBytes: 2 * GB }));
    expect(m).toEqual({
      bytes: 1.9 * GB,
      measured: true,
      basis: 'running',
      peakBytes: 2 * GB,
      provider: 'cpu',
      measuredAt: '2026-11-30T10:00:00.000Z',
    });
  });
});

describe('variant memory record', () => {
  it('keeps a reading after a photo over a later one after a load, unless the provider changed', () => {
    expect(newReadingWins(undefined, reading({ basis: 'loaded' }))).toBe(true);
    expect(newReadingWins(reading({ basis: 'loaded' }), reading())).toBe(true);
    expect(newReadingWins(reading(), reading({ rssBytes: GB }))).toBe(true);
    expect(newReadingWins(reading(), reading({ basis: 'loaded' }))).toBe(false);
    expect(newReadingWins(reading(), reading({ basis: 'loaded', provider: 'cuda' }))).toBe(true);
  });

  it('reads a missing or malformed record as none, and skips malformed entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoebox-vmem-'));
    expect(readVariantMemory(dir)).toEqual({});
    writeFileSync(join(dir, '.shoebox-variant-memory.json'), '{not json');
    expect(readVariantMemory(dir)).toEqual({});
    writeFileSync(
      join(dir, '.shoebox-variant-memory.json'),
      JSON.stringify({ int8: reading(), fp32: { rssBytes: -1, basis: 'running' }, q4: { rssBytes: 5, basis: 'guess' } }),
    );
    expect(readVariantMemory(dir)).toEqual({ int8: reading() });
  });
});

describe('inference service records the worker memory reports', () => {
  const loaded = { id: 'm', variant: 'int8', providers: { decoder: { chosen: 'cpu', tried: [] } } };
  const caption = { text: 'a cat', tokenIds: [1], finishReason: 'stop', promptTokens: 3, numTiles: 1, timings: {} };
  const report = (after: MemoryMessage['after'], rssBytes: number, model = { id: 'm', variant: 'int8' }): MemoryMessage => ({
    type: 'memory',
    role: 'vlm',
    model,
    after,
    rssBytes,
    peakRssBytes: rssBytes + 1,
  });

  /** Describes one photo against a fake worker that sends `before(method)` just before each result. */
  async function describeWith(before: (method: string) => MemoryMessage[]): Promise<Record<string, MeasuredMemory>> {
    const dir = mkdtempSync(join(tmpdir(), 'shoebox-vmem-'));
    const active = {
      dir,
      manifest: { id: 'm', name: 'M', random_weights: false, files: [], variants: { int8: {}, fp32: {} } },
    } as unknown as ActiveBundle;
    FakeWorker.all = [];
    const inference = createInference({
      models: { activeBundle: () => active, noModelReason: () => null },
      log: silentLog,
      spawn: () => new FakeWorker(),
      provider: 'cpu',
    });
    const done = inference.describe('/photos/a.jpg');
    const seen = new Set<number>();
    for (let i = 0; i < 10; i++) {
      await tick();
      const w = FakeWorker.all.at(-1)!;
      for (const m of w.received as RequestMessage[]) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        before(m.method).forEach((r) => w.emit(r));
        w.answer(m.id, m.method === 'load' ? loaded : caption);
      }
    }
    await done;
    await inference.close();
    return JSON.parse(readFileSync(join(dir, '.shoebox-variant-memory.json'), 'utf8')) as Record<string, MeasuredMemory>;
  }

  it("records the load's report, sent before the load's result, against the variant it loaded", async () => {
    const file = await describeWith((m) => (m === 'load' ? [report('load', 1000)] : []));
    expect(file).toEqual({ int8: { ...reading({ rssBytes: 1000, peakRssBytes: 1001, basis: 'loaded' }), measuredAt: expect.any(String) } });
  });

  it('records the reading after a photo over the one after the load, and ignores reports of other models and roles', async () => {
    const file = await describeWith((m) =>
      m === 'load'
        ? [report('load', 1000)]
        : [report('run', 3000), { ...report('run', 9000), role: 'text-embedder' }, report('run', 7000, { id: 'other', variant: 'int8' })],
    );
    expect(file).toEqual({ int8: { ...reading({ rssBytes: 3000, peakRssBytes: 3001 }), measuredAt: expect.any(String) } });
  });
});
