/**
 * @file The settings service: the user's preferences as one typed object with defaults, read from and
 * written to the `settings` table, validated by the contract's schemas and this machine's limits, and
 * announced with `settings:changed` when they change. Serves `settings:get` / `settings:set` and
 * `shoebox settings`; the services that obey a setting read it here (main/services.ts wires them).
 *
 * Runs in main (and the CLI, host and tests). Policy only: SQL is in main/db/settings.repo.ts.
 *
 * [Note: Settings storage] One row per setting in the `settings` table: the key is `section.field`
 * (`xmp.naming`), the value the setting's JSON (`"fullname"`, `true`, `4`). A setting never set has no
 * row and reads as its default. A stored value that is not JSON, does not pass its schema or exceeds
 * this machine's limit (8 threads saved on a 16-core machine, read on a 4-core one) reads as the
 * default, with one log warning per bad value; the row stays as it is until the user sets that setting,
 * so reading never loses anything. Rows of keys this version does not know (a newer version's) are
 * left alone. Every read goes to the database, so a value changed by `shoebox settings set` is seen by
 * a running app at its next read; `settings:changed` is emitted by the process that made the change.
 */
import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import { ApiError } from '../../preload/api-error';
import type { SettingKey, Settings, SettingsDto, SettingsPatch } from '../../preload/contract';
import { settingSchemas } from '../../preload/contract/settings';
import type { Db } from '../db/open';
import { createSettingsRepo } from '../db/settings.repo';
import type { Emit } from '../events';
import type { Log } from '../log';
import { DEFAULT_HUB_ENDPOINT } from '../models/hub/hub-endpoint';

/** Every setting's value before the user chooses one. */
export const DEFAULT_SETTINGS: Settings = {
  understanding: { pauseOnBattery: true, backgroundThreads: 'auto', variant: 'auto' },
  xmp: { naming: 'basename', subjects: 'merge' },
  models: { hubEndpoint: DEFAULT_HUB_ENDPOINT, demoMode: false },
  remote: { enabled: false, backends: [], fallbackLocal: true, inFlight: 8, maxTiles: 1, timeoutSeconds: 120, chat: false },
};

/** What each setting does and what it accepts, for `shoebox settings` and error messages. */
export const SETTING_HELP: Record<SettingKey, { about: string; accepts: string }> = {
  'understanding.pauseOnBattery': {
    about: 'the desktop app pauses understanding while the computer runs on battery',
    accepts: 'true or false',
  },
  'understanding.backgroundThreads': {
    about: "onnxruntime threads of the inference worker ('auto': every CPU, or SHOEBOX_THREADS)",
    accepts: "'auto' or a whole number from 1 to the number of CPUs",
  },
  'understanding.variant': {
    about:
      "the model variant the worker runs ('auto': int8 on the CPU, fp16 on CUDA or DirectML, fp32 for demo bundles; changing it describes photos again)",
    accepts: "'auto', 'fp32', 'fp16', 'int8' or 'q4'",
  },
  'xmp.naming': {
    about: "XMP sidecar names: 'basename' IMG_1.xmp (Lightroom, Capture One), 'fullname' IMG_1.CR2.xmp (darktable, digiKam)",
    accepts: "'basename' or 'fullname'",
  },
  'xmp.subjects': {
    about: "XMP subjects: 'merge' adds our tags to a sidecar's keywords, 'replace' makes them its only keywords",
    accepts: "'merge' or 'replace'",
  },
  'models.hubEndpoint': {
    about: 'the Hugging Face hub (or a mirror) catalog models download from; the HF_ENDPOINT variable wins when set',
    accepts: 'an http(s) URL without query string, fragment or credentials, e.g. https://huggingface.co',
  },
  'models.demoMode': {
    about: 'demo mode: models with random weights may be used; they write random text, labelled as such',
    accepts: 'true or false',
  },
  'remote.enabled': {
    about: 'send photos to the remote backends for understanding (they leave this machine); see `shoebox backends`',
    accepts: 'true or false',
  },
  'remote.backends': {
    about: 'OpenAI-compatible servers (vLLM, LMDeploy) tried in order; change them with `shoebox backends add|remove`',
    accepts: 'a JSON list of {"url", "model", "keyRef"}',
  },
  'remote.fallbackLocal': {
    about: 'the local worker understands photos while no backend answers',
    accepts: 'true or false',
  },
  'remote.inFlight': {
    about: 'requests sent to a backend at once, so that the server batches them',
    accepts: 'a whole number from 1 to 256',
  },
  'remote.maxTiles': {
    about: '448 px tiles a photo is sized for before it is sent (more tiles: more detail, more pixels sent)',
    accepts: 'a whole number from 1 to 12',
  },
  'remote.timeoutSeconds': {
    about: 'seconds one request to a backend may take before it counts as failed',
    accepts: 'a whole number from 1 to 3600',
  },
  'remote.chat': {
    about: 'photo and library chat are answered by the remote backend too (the photos of the conversation are sent)',
    accepts: 'true or false',
  },
};

/** Every setting's key, in display order. */
export const SETTING_KEYS = Object.keys(SETTING_HELP) as SettingKey[];

export interface SettingsDeps {
  db: Db;
  log: Log;
  emit: Emit;
  /** CPUs the inference worker may use (default: this process's available parallelism). */
  cores?: number;
}

export interface SettingsService {
  /** Every setting (defaults where unset or unreadable) and this machine's limits. */
  get(): SettingsDto;
  /** Every setting's value. */
  values(): Settings;
  /** Validates and stores the patch (all or nothing), emits `settings:changed` when a value changed. */
  set(patch: SettingsPatch): SettingsDto;
  /** Sets one setting from text as typed in a terminal (`4`, `auto`, `true`, `fullname`). */
  setText(key: string, text: string): SettingsDto;
}

// The schemas, looked up by key. The contract types them section by section; the loops below walk
// them by name, so they see one loose type and the result is cast back once every field passed its schema.
type Loose = Record<string, Record<string, z.ZodType>>;
const schemaOf = (key: SettingKey): z.ZodType => {
  const [section, field] = key.split('.') as [string, string];
  return (settingSchemas as unknown as Loose)[section]![field]!;
};
const isKey = (key: string): key is SettingKey => Object.hasOwn(SETTING_HELP, key);
const defaultOf = (key: SettingKey): unknown => {
  const [section, field] = key.split('.') as [string, string];
  return (DEFAULT_SETTINGS as unknown as Record<string, Record<string, unknown>>)[section]![field];
};

/** Builds the service over the library database. */
export function createSettings({ db, log, emit, cores = availableParallelism() }: SettingsDeps): SettingsService {
  const repo = createSettingsRepo(db);
  const warned = new Set<string>();

  /** Why a value the schema accepts is still not allowed on this machine, or null. */
  const limitProblem = (key: SettingKey, value: unknown): string | null =>
    key === 'understanding.backgroundThreads' && typeof value === 'number' && value > cores
      ? `${value} threads is more than the ${cores} CPUs of this machine`
      : null;

  /** The value of a valid setting, or a reason it is not. */
  function check(key: SettingKey, value: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
    const parsed = schemaOf(key).safeParse(value);
    if (!parsed.success) return { ok: false, reason: `must be ${SETTING_HELP[key].accepts}, not ${JSON.stringify(value)}` };
    const problem = limitProblem(key, parsed.data);
    return problem ? { ok: false, reason: problem } : { ok: true, value: parsed.data };
  }

  function read(key: SettingKey): unknown {
    const raw = repo.get(key);
    if (raw === null) return defaultOf(key);
    let why: string;
    try {
      const r = check(key, JSON.parse(raw));
      if (r.ok) return r.value;
      why = r.reason;
    } catch {
      why = 'not JSON';
    }
    if (!warned.has(`${key}\0${raw}`)) {
      warned.add(`${key}\0${raw}`);
      log.warn(`setting ${key}: the stored value ${raw.slice(0, 100)} is not usable (${why}); using the default`, {
        default: defaultOf(key),
      });
    }
    return defaultOf(key);
  }

  function values(): Settings {
    const out: Record<string, Record<string, unknown>> = {};
    for (const key of SETTING_KEYS) {
      const [section, field] = key.split('.') as [string, string];
      (out[section] ??= {})[field] = read(key);
    }
    return out as Settings; // every field is its default or passed its schema
  }

  const dto = (): SettingsDto => ({ values: values(), cores });

  /** Stores checked values in one transaction; emits when one of them changed. */
  function store(changes: [SettingKey, unknown][]): SettingsDto {
    const before = JSON.stringify(values());
    db.transaction(() => {
      for (const [key, value] of changes) repo.set(key, JSON.stringify(value));
    }).immediate();
    const after = dto();
    if (JSON.stringify(after.values) !== before) emit('settings:changed', after);
    return after;
  }

  function checked(key: SettingKey, value: unknown): [SettingKey, unknown] {
    const r = check(key, value);
    if (!r.ok) {
      throw new ApiError('bad-argument', `${key}: ${r.reason}`, [{ path: `patch.${key}`, message: r.reason }]);
    }
    return [key, r.value];
  }

  return {
    get: dto,
    values,
    set(patch) {
      const changes: [SettingKey, unknown][] = [];
      for (const [section, fields] of Object.entries(patch)) {
        for (const [field, value] of Object.entries(fields ?? {})) {
          const key = `${section}.${field}`;
          if (value === undefined) continue;
          if (!isKey(key)) throw new ApiError('bad-argument', `Unknown setting ${key}`);
          changes.push(checked(key, value));
        }
      }
      return store(changes);
    },
    setText(key, text) {
      if (!isKey(key)) throw new ApiError('bad-argument', `Unknown setting ${key} (known: ${SETTING_KEYS.join(', ')})`);
      // `4` and `true` are JSON; `auto` and `fullname` are not, and mean themselves.
      let value: unknown = text.trim();
      try {
        value = JSON.parse(text);
      } catch {
        // a bare word
      }
      const r = check(key, value);
      if (!r.ok) throw new ApiError('bad-argument', `${key}: ${r.reason}`);
      return store([[key, r.value]]);
    },
  };
}
