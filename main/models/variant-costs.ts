/**
 * @file What each installed variant of an InternVL bundle costs on this machine, as the Models page
 * shows it (`ModelDto.variantCosts`): its files' size, the memory it needs (measured by the inference
 * worker, or at least its weights, labelled as an estimate), and the seconds per photo it has taken on
 * this library (measured, or nothing).
 *
 * Runs in main (and the CLI / headless host), inside the model manager's DTOs (model-dto.ts).
 *
 * [Note: Variant costs are measured or say so] A figure is either measured on this machine or
 * labelled as an estimate, never a guess passed off as a measurement. Speed is measured: the median
 * of the per-photo times the understanding step recorded for that model and variant (the most recent
 * 200 photos; a median, so the first batch's model load and an odd huge photo do not move it).
 * Memory is measured once the variant has been loaded here: the worker's resident set after a
 * photo (or, before its first photo, after the load), as the worker reported it ([Note: Worker memory
 * reports] in native/protocol.ts) and the inference service recorded it beside the bundle
 * ([Note: Measured memory is kept beside the bundle] in main/inference/variant-memory.ts). Until then
 * the figure is a floor, labelled as one: the weights the runtime must hold, which is what the files
 * of the variant's three graphs weigh; onnxruntime's activations and the KV cache come on top
 * (environment.md: a 304M-parameter ViT in fp32, 1.2 GB of weights, ran at 2.3 GB RSS). Before a
 * variant has run, the Models page may show the first-run recommendation's speed estimate
 * ([Note: Speed estimates] in recommend.ts), labelled.
 * Speeds are cached for a minute: DTOs are made on every progress event, and the table can hold a
 * whole library.
 */
import type { ModelVariantCost } from '../../preload/contract';
import type { MeasuredMemory } from '../inference/variant-memory';
import type { AnyManifest } from './any-manifest';

/** Where measured speeds come from (main/db/variant-speed.repo.ts). */
export type RecentMs = (modelId: string, variant: string) => number[];

/** Where measured memory comes from: each variant's record beside the bundle (main/inference/variant-memory.ts). */
export type MeasuredMemoryOf = (modelId: string) => Record<string, MeasuredMemory>;

const CACHE_MS = 60_000;

/** Median of a non-empty list. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Files a graph brings: the graph and its external data (`<graph>_data`, native/export/BUNDLE-SPEC.md). */
const isGraphFile = (file: string, graph: string) => file === graph || file === `${graph}_data` || file === `${graph}.data`;

/** A variant's memory: measured when `m` is, else its weights, labelled as an estimate. */
export function memoryCost(weightBytes: number, m: MeasuredMemory | undefined): ModelVariantCost['memory'] {
  if (m === undefined) return { bytes: weightBytes, measured: false, basis: 'weights' };
  return { bytes: m.rssBytes, measured: true, basis: m.basis, peakBytes: m.peakRssBytes, provider: m.provider, measuredAt: m.measuredAt };
}

/**
 * Makes the `variantCosts` of installed bundles, with speeds read through `recentMs` and cached for
 * a minute per model and variant, and memory read through `memoryOf` (one small file per model, read
 * afresh so a new measurement shows at once) ([Note: Variant costs are measured or say so]).
 */
export function createVariantCosts(recentMs: RecentMs | null, now: () => number = Date.now, memoryOf: MeasuredMemoryOf | null = null) {
  const cache = new Map<string, { at: number; value: ModelVariantCost['secondsPerPhoto'] }>();
  const speed = (id: string, variant: string): ModelVariantCost['secondsPerPhoto'] => {
    if (recentMs === null) return null;
    const key = `${id}\0${variant}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < CACHE_MS) return hit.value;
    const ms = recentMs(id, variant);
    const value = ms.length === 0 ? null : { seconds: Math.round(median(ms) / 100) / 10, measured: true as const, photos: ms.length };
    cache.set(key, { at: now(), value });
    return value;
  };
  return (id: string, manifest: AnyManifest): ModelVariantCost[] => {
    if (manifest.family !== 'internvl') return [];
    const measured = memoryOf?.(id) ?? {};
    return Object.entries(manifest.variants).map(([variant, graphs]) => {
      const paths = Object.values(graphs);
      const bytes = manifest.files.filter((f) => paths.some((g) => isGraphFile(f.path, g))).reduce((a, f) => a + f.bytes, 0);
      return { variant, bytes, memory: memoryCost(bytes, measured[variant]), secondsPerPhoto: speed(id, variant) };
    });
  };
}
