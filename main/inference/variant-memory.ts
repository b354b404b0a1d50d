/**
 * @file The memory each variant of a bundle was measured to need on this machine: the inference
 * worker's reports ([Note: Worker memory reports] in native/protocol.ts), recorded beside the bundle and
 * read back for the Models page (main/models/variant-costs.ts).
 *
 * Runs in main (and the CLI / headless host): the inference service records, the model manager reads.
 *
 * [Note: Measured memory is kept beside the bundle] The latest figures of each variant live in the
 * bundle's own folder, as `.shoebox-variant-memory.json` (a reserved name no manifest may list, like
 * the accuracy check's `.shoebox-variant-check.json`), not in the settings table: a figure belongs to
 * the bundle it measured, so deleting the model removes it and a re-install starts unmeasured; an
 * import copies only the files its manifest lists, so a figure measured on another machine never
 * arrives with a bundle; and the settings table stays the user's settings. It is written atomically
 * (a temporary file, then a rename), one write at a time per folder; a failed write is logged and
 * loses nothing but the figure. Which figure is kept: the latest, except that a reading taken just
 * after a load does not replace one taken after a photo with the same provider (the first says less
 * of what the variant costs: activations are not allocated yet).
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RESERVED_NAMES } from '../../native/bundle/manifest';
import type { Log } from '../log';

/** One variant's measured memory. */
export interface MeasuredMemory {
  /** The worker's resident set size: just after the load ('loaded'), or after a photo ran ('running'). */
  rssBytes: number;
  basis: 'loaded' | 'running';
  /** The worker's peak resident set size, when it can belong to this variant alone; else null. */
  peakRssBytes: number | null;
  /** The execution provider(s) it ran on ('cpu', 'cuda'…): on a GPU, the device's memory is not in these figures. */
  provider: string;
  measuredAt: string;
}

const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The measured memory of each variant of the bundle in `dir` (none for a missing or malformed file). */
export function readVariantMemory(dir: string): Record<string, MeasuredMemory> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.join(dir, RESERVED_NAMES.variantMemory), 'utf8'));
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const out: Record<string, MeasuredMemory> = {};
  for (const [variant, v] of Object.entries(raw as Record<string, Partial<MeasuredMemory>>)) {
    if (typeof v !== 'object' || v === null || !isSize(v.rssBytes) || (v.basis !== 'loaded' && v.basis !== 'running')) continue;
    out[variant] = {
      rssBytes: v.rssBytes,
      basis: v.basis,
      peakRssBytes: isSize(v.peakRssBytes) ? v.peakRssBytes : null,
      provider: typeof v.provider === 'string' ? v.provider : 'cpu',
      measuredAt: String(v.measuredAt ?? ''),
    };
  }
  return out;
}

/** Whether `next` replaces `prev` ([Note: Measured memory is kept beside the bundle]). */
export function newReadingWins(prev: MeasuredMemory | undefined, next: MeasuredMemory): boolean {
  return prev === undefined || next.basis === 'running' || prev.basis === 'loaded' || prev.provider !== next.provider;
}

/** Records measured memory beside bundles, one atomic write at a time per folder. */
export interface VariantMemoryRecorder {
  record(dir: string, variant: string, m: MeasuredMemory): void;
  /** Resolves when every write asked for so far is done (tests, and close). */
  flushed(): Promise<void>;
}

export function createVariantMemoryRecorder(log: Log): VariantMemoryRecorder {
  const writes = new Map<string, Promise<void>>();
  const write = async (dir: string, variant: string, m: MeasuredMemory): Promise<void> => {
    const all = readVariantMemory(dir);
    if (!newReadingWins(all[variant], m)) return;
    all[variant] = m;
    const file = path.join(dir, RESERVED_NAMES.variantMemory);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(all, null, 2) + '\n');
    await rename(tmp, file);
  };
  return {
    record(dir, variant, m) {
      const next = (writes.get(dir) ?? Promise.resolve())
        .then(() => write(dir, variant, m))
        .catch((err: unknown) => log.warn(`could not record the memory of variant ${variant} in ${dir}: ${(err as Error).message}`));
      writes.set(dir, next);
      void next.finally(() => {
        if (writes.get(dir) === next) writes.delete(dir);
      });
    },
    flushed: async () => {
      await Promise.all([...writes.values()]);
    },
  };
}
