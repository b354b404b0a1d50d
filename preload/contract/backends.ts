/**
 * @file The remote-backends domain of the one API: OpenAI-compatible servers (vLLM, LMDeploy) that
 * understand photos in place of the local worker. The list itself is the `remote.backends` setting
 * (preload/contract/settings.ts); these are the shapes of a backend and of its health check, shared by
 * main (main/remote/*), the CLI (`shoebox backends`) and the Settings page.
 */
import { z } from 'zod';
import type { remoteBackendSchema } from './settings';

const Url = z.string().trim().min(1).max(2048);

/** Argument schemas of the backends requests (the Settings page's "Remote understanding" section). */
export const backendsRequestSchemas = {
  /** The backends in the order they are tried, with where each is and the notice. */
  'backends:list': z.object({}).strict(),
  /** Adds (or updates) a backend; without `model` the server must list exactly one. The key goes to the secret store. */
  'backends:add': z
    .object({
      url: Url,
      model: z.string().trim().min(1).max(200).optional(),
      apiKey: z.string().trim().min(1).max(1024).optional(),
    })
    .strict(),
  /** Removes a backend (1-based position or URL) and its key. */
  'backends:remove': z.object({ which: z.string().trim().min(1).max(2048) }).strict(),
  /** `GET /v1/models` on every backend. */
  'backends:check': z.object({}).strict(),
} as const;

/** One backend as stored in the settings: URL, model name, and its API key's name in the secret store (or null). */
export type RemoteBackend = z.output<typeof remoteBackendSchema>;

/** A backend with what the user must know about it. */
export interface RemoteBackendDto extends RemoteBackend {
  /** 'loopback' (this computer), 'lan' (the local network) or 'public' (the internet). */
  where: 'loopback' | 'lan' | 'public';
  /** What leaves this machine and to where, in words. */
  notice: string;
  /** Provenance of its results: `remote:<model>@<host>`. */
  madeBy: string;
  hasKey: boolean;
}

/** The backends as listed: whether remote understanding is on, whether the worker takes over, the list. */
export interface BackendsDto {
  enabled: boolean;
  fallbackLocal: boolean;
  backends: RemoteBackendDto[];
}

/** The outcome of `GET /v1/models` on a backend. */
export interface BackendHealth {
  url: string;
  model: string;
  ok: boolean;
  /** Models the server lists (empty when it did not answer). */
  models: string[];
  /** Why it is not usable, in words; null when ok. */
  problem: string | null;
  ms: number;
}

/** Results of the backends requests. */
export interface BackendsResults {
  'backends:list': BackendsDto;
  'backends:add': { backend: RemoteBackendDto; health: BackendHealth };
  'backends:remove': RemoteBackend;
  'backends:check': BackendHealth[];
}
