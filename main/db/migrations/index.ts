/**
 * @file The ordered list of schema migrations. Forward-only: migration N moves `user_version` from N-1 to N.
 * Add a file `NNNN-name.ts` exporting `sql` (or `up(db)`) and list it here; each has a test in
 * test/unit/migrations.test.ts.
 */
import type { Database } from 'better-sqlite3';
import { sql as m0001 } from './0001-initial';
import { sql as m0002 } from './0002-scan-warnings';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database) => void;
}

const fromSql = (sql: string) => (db: Database) => {
  db.exec(sql);
};

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', up: fromSql(m0001) },
  { version: 2, name: 'scan-warnings', up: fromSql(m0002) },
];
