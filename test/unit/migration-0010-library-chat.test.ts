/**
 * @file Migration 0010-library-chat: applies on a version-9 library keeping its photo conversations
 * (kind 'photos'), takes library conversations, saves a turn's search, facts and numbered sources, and
 * deletes the sources with their turn.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../main/db/open';
import { migrations } from '../../main/db/migrations';

const at = migrations.findIndex((m) => m.name === 'library-chat');

function migrated() {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  expect(at).toBeGreaterThan(0);
  migrate(db, migrations.slice(0, at));
  db.prepare('INSERT INTO chat_conversations (id, created_at, updated_at) VALUES (1, 0, 0)').run();
  db.prepare("INSERT INTO chat_turns (id, conversation_id, question, asked_at) VALUES (1, 1, 'What is this?', 0)").run();
  expect(migrate(db, migrations.slice(0, at + 1))).toBe(migrations[at]!.version);
  return db;
}

describe('migration 0010-library-chat', () => {
  it('keeps photo conversations as kind photos and refuses unknown kinds', () => {
    const db = migrated();
    expect(db.prepare('SELECT kind FROM chat_conversations WHERE id = 1').pluck().get()).toBe('photos');
    expect(db.prepare('SELECT query, facts FROM chat_turns WHERE id = 1').get()).toEqual({ query: null, facts: null });
    db.prepare("INSERT INTO chat_conversations (id, created_at, updated_at, kind) VALUES (2, 0, 0, 'library')").run();
    expect(() => db.prepare("INSERT INTO chat_conversations (created_at, updated_at, kind) VALUES (0, 0, 'other')").run()).toThrow(/CHECK/);
  });

  it('saves numbered sources per turn and drops them with the turn', () => {
    const db = migrated();
    const add = db.prepare('INSERT INTO chat_turn_sources (turn_id, position, photo_hash, name) VALUES (1, ?, ?, ?)');
    add.run(1, 'h1', 'a.jpg');
    add.run(2, 'h2', 'b.jpg');
    expect(() => add.run(2, 'h3', 'c.jpg')).toThrow(/UNIQUE|PRIMARY/);
    db.prepare('DELETE FROM chat_conversations WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM chat_turn_sources').pluck().get()).toBe(0);
  });
});
