/**
 * @file Migration 8 (chat): applies on the previous version leaving every photo alone; conversations
 * name their photos by content hash (so removing a photo row keeps the conversation), turns cascade
 * with their conversation, the tables are STRICT and refuse unknown states, and the hot lookups (a
 * photo's conversations, a conversation's turns) use their indexes.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

const plan = (db: Database.Database, sql: string) =>
  db
    .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all()
    .map((r) => r.detail)
    .join('\n');

function migrated() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  const at = migrations.findIndex((m) => m.name === 'chat');
  expect(at).toBeGreaterThan(0);
  expect(migrate(db, migrations.slice(0, at))).toBe(migrations[at - 1]!.version);
  db.prepare("INSERT INTO photos (id, hash, file_time, created_at) VALUES (7, 'h7', '2020-01-01T00:00:00', 0)").run();
  expect(migrate(db, migrations.slice(0, at + 1))).toBe(8);
  return db;
}

describe('migration 0008-chat', () => {
  it('keeps conversations by photo content and cascades turns with their conversation', () => {
    const db = migrated();
    expect(db.prepare('SELECT count(*) FROM photos').pluck().get()).toBe(1);
    db.prepare('INSERT INTO chat_conversations (id, created_at, updated_at) VALUES (1, 0, 0)').run();
    db.prepare("INSERT INTO chat_conversation_photos (conversation_id, position, photo_hash, name) VALUES (1, 0, 'h7', 'a.jpg')").run();
    db.prepare("INSERT INTO chat_turns (conversation_id, question, asked_at) VALUES (1, 'Q?', 0)").run();
    expect(db.prepare('SELECT state, answer, demo, tokens FROM chat_turns').get()).toEqual({
      state: 'answering',
      answer: '',
      demo: 0,
      tokens: 0,
    });
    // The photo row going (its folder removed) leaves the conversation; it finds the content again by hash.
    db.prepare('DELETE FROM photos WHERE id = 7').run();
    expect(db.prepare('SELECT count(*) FROM chat_conversation_photos').pluck().get()).toBe(1);
    expect(() => db.prepare("UPDATE chat_turns SET state = 'thinking'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE chat_turns SET finish_reason = 'eos'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO chat_turns (conversation_id, question, asked_at) VALUES (99, 'x', 0)").run()).toThrow(
      /FOREIGN KEY/,
    );
    expect(() => db.prepare("UPDATE chat_turns SET tokens = 'many'").run()).toThrow(/cannot store TEXT/);
    db.prepare('DELETE FROM chat_conversations WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM chat_turns').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM chat_conversation_photos').pluck().get()).toBe(0);
  });

  it('finds a photo’s conversations and a conversation’s turns through indexes', () => {
    const db = migrated();
    expect(plan(db, "SELECT conversation_id FROM chat_conversation_photos WHERE photo_hash = 'h7'")).toMatch(
      /USING (COVERING )?INDEX chat_conversation_photos_hash/,
    );
    expect(plan(db, 'SELECT * FROM chat_turns WHERE conversation_id = 1 ORDER BY id')).toMatch(/USING INDEX chat_turns_conversation/);
    expect(plan(db, 'SELECT * FROM chat_turns WHERE conversation_id = 1 ORDER BY id')).not.toMatch(/TEMP B-TREE/);
  });
});
