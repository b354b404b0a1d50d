/**
 * @file The settings domain of the one API: the user's preferences as one typed object, read and
 * patched whole, and the event that tells every window a setting changed. preload/contract.ts merges
 * these maps into the request, result and event maps; the same rules apply (JSON only, validated by
 * these schemas in main).
 *
 * The schemas here say what a value may look like; what a setting means, its default and the limits
 * that depend on the machine (threads up to the CPU count) are main's: main/settings/settings.service.ts.
 * [Note: Settings storage] there says how a setting is stored and what happens to a bad stored value.
 */
import { z } from 'zod';

/** The most onnxruntime threads any setting may ask for; main also caps it at this machine's CPUs. */
export const MAX_THREADS_SETTING = 1024;

/**
 * An http(s) URL without query string, fragment or credentials (a token belongs in the secret store,
 * never in a setting), at most 2048 characters.
 */
const plainHttpUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s.trim());
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without query string, fragment or credentials');

/**
 * One remote understanding backend ([Note: Remote backends are a transport] in main/remote/remote-step.ts):
 * its URL (the server's root or its `/v1`), the model name it serves, and the name of its API key in
 * the secret store (never the key itself).
 */
export const remoteBackendSchema = z
  .object({
    url: plainHttpUrl,
    model: z.string().trim().min(1).max(200),
    keyRef: z
      .string()
      .regex(/^backend-key-[0-9a-f]{12}$/)
      .nullable(),
  })
  .strict();

/** One schema per setting, by section: the shape of {@link Settings}. */
export const settingSchemas = {
  understanding: {
    /** The desktop app pauses understanding while the computer runs on battery. */
    pauseOnBattery: z.boolean(),
    /** onnxruntime threads of the inference worker; 'auto' = every CPU the worker may use (or SHOEBOX_THREADS). */
    backgroundThreads: z.union([z.literal('auto'), z.number().int().min(1).max(MAX_THREADS_SETTING)]),
    /** The model variant the worker loads; 'auto' per [Note: Which variant runs] in main/inference/variant-choice.ts. */
    variant: z.enum(['auto', 'fp32', 'fp16', 'int8', 'q4']),
  },
  xmp: {
    /** [Note: XMP sidecar naming] in main/xmp/sidecar-path.ts. */
    naming: z.enum(['basename', 'fullname']),
    /** [Note: What an XMP merge keeps] in main/xmp/xmp-merge.ts: 'replace' makes our tags the sidecar's only subjects. */
    subjects: z.enum(['merge', 'replace']),
  },
  models: {
    /** [Note: Hub endpoint] in main/models/hub/hub-endpoint.ts: the Hugging Face hub (or mirror); `HF_ENDPOINT` wins when set. */
    hubEndpoint: plainHttpUrl,
    /**
     * [Note: Demo mode switch] Allow random-weight bundles (the tiny test model): they write random
     * text, labelled as such wherever it shows. Switched on the Models page; `SHOEBOX_DEMO_MODEL=1` also
     * turns it on (main/models/manager.ts).
     */
    demoMode: z.boolean(),
  },
  remote: {
    /** Understanding is sent to the backends below (off by default: photos leave this machine). */
    enabled: z.boolean(),
    /** OpenAI-compatible servers (vLLM, LMDeploy), tried in order. */
    backends: z.array(remoteBackendSchema).max(16),
    /** The local worker understands photos while no backend answers. */
    fallbackLocal: z.boolean(),
    /** Requests in flight at once, so that the server batches them. */
    inFlight: z.number().int().min(1).max(256),
    /** Tiles of 448 px the image is sized for. */
    maxTiles: z.number().int().min(1).max(12),
    /** Seconds one request may take before it counts as failed. */
    timeoutSeconds: z.number().int().min(1).max(3600),
    /** Photo and library chat are answered by the backend too (streamed). */
    chat: z.boolean(),
  },
} as const;

type Section = keyof typeof settingSchemas;
type SectionValues<S extends Section> = { [F in keyof (typeof settingSchemas)[S]]: z.output<(typeof settingSchemas)[S][F]> };

/** Every setting, with its value (the default where the user never chose one). */
export type Settings = { [S in Section]: SectionValues<S> };

/** A setting's name as stored and as the CLI spells it: `section.field`. */
export type SettingKey = { [S in Section]: `${S}.${keyof (typeof settingSchemas)[S] & string}` }[Section];

const patchSchema = z
  .object({
    understanding: z.object(settingSchemas.understanding).partial().strict().optional(),
    xmp: z.object(settingSchemas.xmp).partial().strict().optional(),
    models: z.object(settingSchemas.models).partial().strict().optional(),
    remote: z.object(settingSchemas.remote).partial().strict().optional(),
  })
  .strict();

/** A change to some settings: any subset of the fields of {@link Settings}. */
export type SettingsPatch = z.output<typeof patchSchema>;

/** Argument schemas of the settings requests. */
export const settingsRequestSchemas = {
  'settings:get': z.object({}).strict(),
  /** Changes the given settings and keeps the rest; answers every setting. */
  'settings:set': z.object({ patch: patchSchema }).strict(),
} as const;

/** The settings with what the UI needs to offer choices on this machine. */
export interface SettingsDto {
  values: Settings;
  /** CPUs the inference worker may use: `understanding.backgroundThreads` goes from 1 to this. */
  cores: number;
}

/** Results of the settings requests. */
export interface SettingsResults {
  'settings:get': SettingsDto;
  'settings:set': SettingsDto;
}

/** Events of the settings domain. */
export interface SettingsEvents {
  /** A setting changed (through `settings:set` in this process); carries every setting. */
  'settings:changed': SettingsDto;
}
