/**
 * @file The `ModelDto` of one model, as the Models page, the CLI and `models:progress` show it: what
 * the catalog knows, what is installed (its manifest, any problem, the build's accuracy check, what
 * each variant costs), and
 * the install in flight or the paused download staged on disk.
 *
 * Runs in main (and the CLI / headless host), inside the model manager (manager.ts), its only user.
 */
import type { ModelDto } from '../../preload/contract';
import { readVariantCheck } from './build/variant-check';
import { approxBundleBytes, type CatalogEntry } from './catalog';
import type { InstallJob } from './install-jobs';
import { inspectStaged, type Installed } from './installed';
import type { createVariantCosts } from './variant-costs';

/** What {@link modelDto} reads besides the model's id. */
export interface ModelDtoSources {
  modelsDir: string;
  entry: CatalogEntry | undefined;
  job: InstallJob | undefined;
  inst: Installed | null;
  activeId: string | null;
  /** Each installed variant's size, memory and speed (variant-costs.ts). */
  costs: ReturnType<typeof createVariantCosts>;
}

/** The DTO of model `id` from what the catalog, the models folder and the running job say of it. */
export function modelDto(id: string, s: ModelDtoSources): ModelDto {
  const { entry, job, inst } = s;
  const ok = inst !== null && inst.problem === null && inst.manifest !== null;
  const m = inst?.manifest ?? null;
  const download: ModelDto['download'] = job
    ? { state: job.state, received: job.received, total: job.total, buildStep: job.buildStep, error: job.error, resumable: job.resumable }
    : inst?.problem
      ? { state: 'failed', received: 0, total: 0, buildStep: null, error: inst.problem, resumable: false }
      : idleDownload(inst ? null : inspectStaged(s.modelsDir, id));
  return {
    id,
    name: m?.name ?? entry?.name ?? id,
    family: m?.family ?? entry?.family ?? 'internvl',
    installed: ok,
    active: ok && s.activeId === id,
    randomWeights: m?.random_weights ?? false,
    variants: m ? Object.keys(m.variants) : (entry?.variants ?? []),
    bytes: m ? m.files.reduce((a, f) => a + f.bytes, 0) : download.total > 0 ? download.total : entry ? approxBundleBytes(entry) : 0,
    path: inst?.dir ?? null,
    accuracy: ok ? accuracyOf(inst.dir) : null,
    variantCosts: ok && m ? s.costs(id, m) : [],
    download,
  };
}

/** No download running: a paused one (parts staged) can be resumed. */
function idleDownload(staged: { received: number; total: number } | null): ModelDto['download'] {
  const received = staged?.received ?? 0;
  return { state: 'idle', received, total: staged?.total ?? 0, buildStep: null, error: null, resumable: received > 0 };
}

/** The build's accuracy check of the bundle in `dir` ([Note: Variant accuracy check]), or null. */
function accuracyOf(dir: string): ModelDto['accuracy'] {
  const c = readVariantCheck(dir);
  return c ? { bar: c.bar, cosine: c.cosine } : null;
}
