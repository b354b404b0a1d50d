/**
 * @file Migration 0002-scan-warnings: folders get a `scan_warnings` column (the warnings of the last full scan
 * as a JSON list), null for the folders that already exist.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

describe('migration 0002-scan-warnings', () => {
  it('gives folders a scan_warnings column, null for existing rows', () => {
    const db = new Database(':memory:');
    expect(migrate(db, migrations.slice(0, 1))).toBe(1);
    db.prepare('INSERT INTO folders (path, added_at) VALUES (?, 0)').run('/p');
    expect(migrate(db, migrations.slice(0, 2))).toBe(2);
    expect(db.prepare('SELECT scan_warnings FROM folders').pluck().get()).toBeNull();
    db.prepare('UPDATE folders SET scan_warnings = ?').run(JSON.stringify(['cannot read folder x: permission denied']));
    expect(JSON.parse(db.prepare('SELECT scan_warnings FROM folders').pluck().get() as string)).toEqual([
      'cannot read folder x: permission denied',
    ]);
    // STRICT still holds for the new column.
    expect(() => db.prepare('UPDATE folders SET scan_warnings = ?').run(Buffer.from('x'))).toThrow(/cannot store BLOB/);
  });
});
