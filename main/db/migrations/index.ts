/**
 * @file The ordered list of schema migrations. Forward-only: migration N moves `user_version` from N-1 to N.
 * Add a file `NNNN-name.ts` exporting `sql` (or `up(db)`) and list it here; each has a test: 0001 in
 * test/unit/migrations.test.ts, later ones in their own test/unit/migration-NNNN-name.test.ts.
 */
import type { Database } from 'better-sqlite3';
import { sql as m0001 } from './0001-initial';
import { sql as m0002 } from './0002-scan-warnings';
import { sql as m0003 } from './0003-understanding';
import { sql as m0004 } from './0004-previews-on-demand';
import { sql as m0005 } from './0005-search-fts';
import { sql as m0006 } from './0006-places';
import { sql as m0007 } from './0007-embeddings';
import { sql as m0008 } from './0008-chat';
import { sql as m0009 } from './0009-placeholders';
import { sql as m0010 } from './0010-library-chat';
import { sql as m0011 } from './0011-collections';

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
  { version: 3, name: 'understanding', up: fromSql(m0003) },
  { version: 4, name: 'previews-on-demand', up: fromSql(m0004) },
  { version: 5, name: 'search-fts', up: fromSql(m0005) },
  { version: 6, name: 'places', up: fromSql(m0006) },
  { version: 7, name: 'embeddings', up: fromSql(m0007) },
  { version: 8, name: 'chat', up: fromSql(m0008) },
  { version: 9, name: 'placeholders', up: fromSql(m0009) },
  { version: 10, name: 'library-chat', up: fromSql(m0010) },
  { version: 11, name: 'collections', up: fromSql(m0011) },
];
