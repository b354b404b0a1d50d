/**
 * @file The models domain's additions to the one API: the install phases a model goes through, and the
 * first-run offer (`models:recommend`, the model that suits this machine) and the Hugging Face access
 * token (`models:token`, `models:setToken`, `models:clearToken`). preload/contract.ts merges
 * these maps into the request and result maps and keeps `ModelDto` and the older `models:*` requests;
 * the same rules apply (JSON only, validated by these schemas in main).
 */
import { z } from 'zod';

/**
 * The step of a bundle build ([Note: Bundle build staging] in main/models/build/build-bundle.ts), shown
 * while `ModelDto.download.state` is `building`: checking the checkpoint and free disk, writing the
 * weights (progress in checkpoint bytes), hashing the bundle, installing it (one rename), then measuring
 * each variant's accuracy against fp32 ([Note: Variant accuracy check] in main/models/build/variant-check.ts).
 */
export type ModelBuildStep = 'checking' | 'weights' | 'hashing' | 'installing' | 'accuracy';

/** The variants a bundle may carry (native/export/BUNDLE-SPEC.md). */
export type ModelVariant = 'fp32' | 'fp16' | 'int8' | 'q4';

/**
 * What one installed variant of an InternVL bundle costs and gives on this machine, for the Models page.
 * Every figure says whether it was measured; an estimate is never shown as a measurement.
 */
export interface ModelVariantCost {
  variant: string;
  /** Bytes of its graph and weight files on disk (the shared tokenizer not counted). */
  bytes: number;
  /**
   * Memory it needs while loaded. Measured when the inference worker has loaded it on this machine
   * (`measured: true`, [Note: Worker memory reports] in native/protocol.ts): the worker's resident set
   * just after the load (`loaded`) or after a photo (`running`), its peak when that is this variant's
   * alone, and the provider it ran on (on a GPU the device's memory is not counted). Else a floor
   * (`measured: false`): the weights the runtime holds (its graph and weight files); activations and
   * the KV cache come on top.
   */
  memory:
    | { bytes: number; measured: false; basis: 'weights' }
    | { bytes: number; measured: true; basis: 'loaded' | 'running'; peakBytes: number | null; provider: string; measuredAt: string };
  /**
   * Seconds per photo (caption, tags and text, one photo's share of its batch) measured on this
   * library's photos: the median of the most recent ones this variant understood; null before it has
   * run (the Models page may then show the recommendation's estimate, labelled as one).
   */
  secondsPerPhoto: { seconds: number; measured: true; photos: number } | null;
}

/** Argument schemas of the models requests added here. */
export const modelsRequestSchemas = {
  /** The model (and text embedder) that suits this machine, with what installing it costs. */
  'models:recommend': z.object({}).strict(),
  /** Whether a Hugging Face access token is stored ([Note: Hub token in the app]); never the token. */
  'models:token': z.object({}).strict(),
  /**
   * Stores the access token for gated or private hub repositories. Main trims it and checks it is 1 to
   * 512 visible characters with no whitespace inside (a `bad-argument` error that never quotes it); the
   * schema only bounds what crosses the bridge.
   */
  'models:setToken': z.object({ token: z.string().max(4096) }).strict(),
  /** Removes the stored access token (nothing stored is not an error). */
  'models:clearToken': z.object({}).strict(),
} as const;

/**
 * [Note: Hub token in the app] The Models page's "Hugging Face access token" section
 * (renderer/src/features/models/token-section.tsx) writes the token through `models:setToken` and
 * learns only `{ stored }` back: no request answers the token, and main neither logs nor echoes it
 * (its errors never quote it). Main keeps it in the manager's secret store: encrypted with the OS
 * keychain through Electron's safeStorage in the app (main/safe-storage.ts), a 0600 file in the
 * headless host (main/models/hub/token-store.ts). Messages that reach the app name this section; the
 * CLI adds `shoebox models token set` to them (main/cli/models.ts).
 */
export interface HubTokenState {
  stored: boolean;
}

/** One model the first run offers: what it is, what it costs, what it gives on this machine. */
export interface ModelOffer {
  id: string;
  name: string;
  /** The variants to install (passed to `models:download`). */
  variants: ModelVariant[];
  /** Bytes fetched from the hub (the checkpoint, or the ready-made files). */
  downloadBytes: number;
  /** Free disk the install needs at its peak (download and built bundle side by side). */
  diskBytes: number;
  /** Bytes the installed model keeps on disk. */
  installedBytes: number;
  /**
   * Estimated seconds to caption one photo on this machine, derived from measured figures (see
   * [Note: Speed estimates] in main/models/recommend.ts); null when nothing measured applies.
   */
  secondsPerPhoto: number | null;
  /** Why this one, in words for the user (memory, cores, GPU, CPU features found). */
  why: string;
}

/** Result of `models:recommend`. */
export interface ModelRecommendation {
  /** What was found: total memory, logical cores, the GPU provider (or null), the int8 kernels. */
  machine: { memBytes: number; cores: number; gpu: string | null; int8Kernels: 'vnni' | 'avx2' | 'other' };
  /** The model that describes photos. */
  model: ModelOffer;
  /** The text embedder search uses (small). */
  embedder: ModelOffer | null;
}

/** Results of the models requests added here. */
export interface ModelsResults {
  'models:recommend': ModelRecommendation;
  'models:token': HubTokenState;
  'models:setToken': HubTokenState;
  'models:clearToken': HubTokenState;
}
