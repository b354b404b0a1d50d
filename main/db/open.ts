/**
 * @file Opens the library database: WAL, foreign keys, busy timeout, then forward-only migrations under
 * `PRAGMA user_version`. The only place that constructs a better-sqlite3 connection.
 *
 * Runs in main (and the CLI, headless host and tests, which are all plain Node).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations, type Migration } from './migrations';

export type Db = Database.Database;

/** The database was written by a newer Shoebox; we refuse to touch it rather than corrupt it. */
export class DatabaseTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `This library database was created by a newer version of Shoebox (schema ${found}; this version understands up to ${supported}). Update Shoebox, or point SHOEBOX_DATA_DIR at another folder.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** Highest schema version this build knows. */
export const LATEST_SCHEMA = migrations.at(-1)?.version ?? 0;

/**
 * Applies pending migrations, each in its own transaction together with its `user_version` bump, so a
 * crash leaves the database at a whole version.
 */
export function migrate(db: Db, list: readonly Migration[] = migrations): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = list.at(-1)?.version ?? 0;
  if (current > latest) throw new DatabaseTooNewError(current, latest);
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/** Opens (creating if needed) and migrates the database at `file`. Pass ':memory:' in unit tests. */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL is durable across application crashes (kill -9); only an OS crash can lose the
      // last transactions, never corrupt the file.
      db.pragma('synchronous = NORMAL');
      migrate(db);
    } else {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v > LATEST_SCHEMA) throw new DatabaseTooNewError(v, LATEST_SCHEMA);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
