/**
 * @file SQL for the `settings` table (migration 1): small string values under string keys, such as
 * the active model (`activeModel`) and the model download base URL (`modelBaseUrl`).
 *
 * Runs in main (and the CLI, headless host and tests). Policy about what a value means lives in the
 * service that owns the key; this repository only reads and writes strings.
 */
import type { Db } from './open';

/** Known keys, so callers do not scatter string literals. Any other string key also works. */
export const SettingKeys = {
  /** Id of the selected model bundle (a folder name under the models directory). */
  activeModel: 'activeModel',
  /** Base URL that model bundles are downloaded from (see main/models/catalog.ts). */
  modelBaseUrl: 'modelBaseUrl',
} as const;

/** Reads and writes the `settings` table. */
export interface SettingsRepo {
  /** The value under `key`, or null when unset. */
  get(key: string): string | null;
  /** Stores `value` under `key`; null removes the key. */
  set(key: string, value: string | null): void;
  /** Every stored setting (for diagnostics). */
  all(): Record<string, string>;
}

/** Builds the repository over an open, migrated database. */
export function createSettingsRepo(db: Db): SettingsRepo {
  const getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const upsertStmt = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const deleteStmt = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  const allStmt = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key');
  return {
    get: (key) => getStmt.get(key)?.value ?? null,
    set: (key, value) => {
      if (value === null) deleteStmt.run(key);
      else upsertStmt.run(key, value);
    },
    all: () => Object.fromEntries(allStmt.all().map((r) => [r.key, r.value])),
  };
}
