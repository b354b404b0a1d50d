/**
 * @file The worker's loaded models, at most one per role (`vlm`, `text-embedder`): load, replace,
 * unload, look up, describe.
 *
 * Runs in the inference worker. Generic over {@link RoleModel}, so a model class joins by naming the
 * role it serves and how it loads; the registry never imports one. A replaced or unloaded model is
 * released only after it has left the registry, so no new request can pick it up while it is freed.
 */
import { MODEL_ROLES, WorkerError, type LoadResult, type ModelRole } from '../protocol';

/** What every loaded model offers the registry. */
export interface RoleModel {
  /** Summary for the protocol's `load` / `info` results (the registry adds the role). */
  describe(): Omit<LoadResult, 'role'>;
  /** Frees its sessions. */
  release(): Promise<void>;
}

/** Options of a load, as `load` receives them. */
export interface RoleLoadOptions {
  variant?: string;
  verifySha256?: boolean;
  executionProviders?: string[];
}

/**
 * The variant a load uses and its files: the one asked for, else `fp32` when the bundle has it, else its
 * first. A missing variant is `model_invalid`, naming the ones the bundle has.
 */
export function pickVariant<T>(bundleId: string, variants: Record<string, T>, wanted?: string): { variant: string; files: T } {
  const names = Object.keys(variants);
  const variant = wanted ?? (names.includes('fp32') ? 'fp32' : names[0]!);
  const files = variants[variant];
  if (files === undefined)
    throw new WorkerError('model_invalid', `bundle ${bundleId} has no variant "${variant}" (has ${names.join(', ')})`);
  return { variant, files };
}

/** How each role's model is loaded from a bundle folder. */
export type RoleLoaders<Models extends Record<ModelRole, RoleModel>> = {
  [R in ModelRole]: (dir: string, options: RoleLoadOptions) => Promise<Models[R]>;
};

/** Loaded models by role. */
export class ModelRegistry<Models extends Record<ModelRole, RoleModel>> {
  private readonly loaded = new Map<ModelRole, RoleModel>();

  constructor(private readonly loaders: RoleLoaders<Models>) {}

  /** The model of a role, or null. */
  get<R extends ModelRole>(role: R): Models[R] | null {
    return (this.loaded.get(role) as Models[R] | undefined) ?? null;
  }

  /** The model of a role; throws `model_not_loaded` when there is none. */
  require<R extends ModelRole>(role: R): Models[R] {
    const m = this.get(role);
    if (m === null) throw new WorkerError('model_not_loaded', `no ${role} model loaded; call load first`);
    return m;
  }

  /**
   * Loads a bundle into a role, replacing (and then releasing) the model there. When the load fails
   * the previous model stays.
   */
  async load(role: ModelRole, dir: string, options: RoleLoadOptions = {}): Promise<LoadResult> {
    const next = await this.loaders[role](dir, options);
    const old = this.loaded.get(role);
    this.loaded.set(role, next);
    await old?.release();
    return { role, ...next.describe() };
  }

  /** Unloads the model of a role; false when there was none. */
  async unload(role: ModelRole): Promise<boolean> {
    const old = this.loaded.get(role);
    this.loaded.delete(role);
    await old?.release();
    return old !== undefined;
  }

  /** The loaded model of a role, described, or null. */
  describe(role: ModelRole): LoadResult | null {
    const m = this.loaded.get(role);
    return m === undefined ? null : { role, ...m.describe() };
  }

  /** Every loaded model, described, in {@link MODEL_ROLES} order. */
  describeAll(): LoadResult[] {
    return MODEL_ROLES.flatMap((r) => this.describe(r) ?? []);
  }
}
