/**
 * @file SQL for library chat (migration 0010): library conversations (kind 'library' of 0008's
 * conversations), the search and the facts saved with each turn, the photos each turn showed the model,
 * and the facts themselves: a parsed search run as count(*), min and max of the capture time
 * ([Note: Library facts come from the database] in main/chat/library-question.ts).
 *
 * Runs in main (and the CLI and tests). Turns themselves are main/db/chat.repo.ts's.
 */
import { AWAY_IDS } from './collections-views.repo';
import type { Db } from './open';
import type { FilterSql } from './photo-filter';
import { buildLexicalQuery } from './search.repo';

export interface LibraryConversationRow {
  id: number;
  created_at: number;
  updated_at: number;
  turn_count: number;
  /** Its first turn's question: the conversation's name in the Ask page's list. */
  first_question: string | null;
}

export interface SourceRow {
  position: number;
  photo_hash: string;
  name: string;
  /**
   * The library's photo with this content now, or null when none has it or it is hidden or in the Trash
   * ([Note: Library chat sees what the library shows] in main/chat/library-chat.ts).
   */
  photo_id: number | null;
  thumb: string | null;
  /** The photo's display rotation (quarter turns clockwise, migration 0011); null without marks. */
  rotation: number | null;
}

export interface FactRow {
  count: number;
  first: string | null;
  last: string | null;
  /** A photo taken at `first` / `last` (to show beside the fact). */
  first_id: number | null;
  last_id: number | null;
}

export interface LibraryChatRepo {
  create(now: number): number;
  /** 'library', 'photos', or undefined when there is no such conversation. */
  kind(id: number): 'library' | 'photos' | undefined;
  /** The newest library conversation without a turn (its first question was refused), if any. */
  emptyConversation(): number | undefined;
  /** Library conversations with at least one turn, the most recently used first. */
  list(): LibraryConversationRow[];
  /** Saves a turn's search (JSON) and facts (JSON or null). */
  setQuery(turnId: number, query: string, facts: string | null): void;
  queryOf(turnId: number): { query: string | null; facts: string | null } | undefined;
  /** Replaces the photos a turn showed the model, numbered from 1 in this order. */
  setSources(turnId: number, photos: readonly { hash: string; name: string }[]): void;
  sources(turnId: number): SourceRow[];
  /**
   * The photos passing `filter` whose index rows hold every word of `words` (none: the filter alone):
   * how many, and the capture times of the oldest and newest. `filter` says which photos count: the
   * caller leaves hidden and trashed ones out ([Note: Library chat sees what the library shows]).
   */
  facts(filter: FilterSql, words: string): FactRow;
  /** Content hash and current file name of these photos. */
  identities(photoIds: readonly number[]): Map<number, { hash: string; name: string }>;
}

export function createLibraryChatRepo(db: Db): LibraryChatRepo {
  const insertConv = db.prepare<[number, number]>("INSERT INTO chat_conversations (created_at, updated_at, kind) VALUES (?, ?, 'library')");
  const kindStmt = db.prepare<[number], 'library' | 'photos'>('SELECT kind FROM chat_conversations WHERE id = ?').pluck();
  const listStmt = db.prepare<[], LibraryConversationRow>(
    `SELECT c.id, c.created_at, c.updated_at,
       (SELECT count(*) FROM chat_turns t WHERE t.conversation_id = c.id) AS turn_count,
       (SELECT t.question FROM chat_turns t WHERE t.conversation_id = c.id ORDER BY t.id LIMIT 1) AS first_question
     FROM chat_conversations c WHERE c.kind = 'library' AND EXISTS (SELECT 1 FROM chat_turns t WHERE t.conversation_id = c.id)
     ORDER BY c.updated_at DESC, c.id DESC`,
  );
  const emptyStmt = db
    .prepare<[], number>(
      `SELECT c.id FROM chat_conversations c
       WHERE c.kind = 'library' AND NOT EXISTS (SELECT 1 FROM chat_turns t WHERE t.conversation_id = c.id) ORDER BY c.id DESC LIMIT 1`,
    )
    .pluck();
  const setQueryStmt = db.prepare<[string, string | null, number]>('UPDATE chat_turns SET query = ?, facts = ? WHERE id = ?');
  const queryStmt = db.prepare<[number], { query: string | null; facts: string | null }>(
    'SELECT query, facts FROM chat_turns WHERE id = ?',
  );
  const clearSources = db.prepare<[number]>('DELETE FROM chat_turn_sources WHERE turn_id = ?');
  const insertSource = db.prepare<[number, number, string, string]>(
    'INSERT INTO chat_turn_sources (turn_id, position, photo_hash, name) VALUES (?, ?, ?, ?)',
  );
  // photos.hash is unique: at most one photo has a source's content. A hidden or trashed one is left
  // out as search leaves it out ([Note: Library chat sees what the library shows]).
  const sourcesStmt = db.prepare<[number], SourceRow>(
    `SELECT s.position, s.photo_hash, s.name, p.id AS photo_id, p.thumb,
       (SELECT m.rotation FROM photo_marks m WHERE m.photo_hash = s.photo_hash) AS rotation
     FROM chat_turn_sources s LEFT JOIN photos p ON p.hash = s.photo_hash AND p.id NOT IN (${AWAY_IDS})
     WHERE s.turn_id = ? ORDER BY s.position`,
  );
  const identitiesStmt = db.prepare<[string], { id: number; hash: string; name: string | null }>(
    `SELECT p.id, p.hash, (SELECT f.rel_path FROM files f WHERE f.photo_id = p.id ORDER BY f.status = 'ok' DESC, f.id LIMIT 1) AS name
     FROM json_each(?) j JOIN photos p ON p.id = j.value`,
  );

  return {
    create: (now) => Number(insertConv.run(now, now).lastInsertRowid),
    kind: (id) => kindStmt.get(id),
    emptyConversation: () => emptyStmt.get(),
    list: () => listStmt.all(),
    setQuery: (turnId, query, facts) => {
      setQueryStmt.run(query, facts, turnId);
    },
    queryOf: (turnId) => queryStmt.get(turnId),
    setSources: db.transaction((turnId: number, photos: readonly { hash: string; name: string }[]) => {
      clearSources.run(turnId);
      photos.forEach((p, i) => insertSource.run(turnId, i + 1, p.hash, p.name));
    }),
    sources: (turnId) => sourcesStmt.all(turnId),
    facts(filter, words) {
      // The same safe FTS5 expression as the word ranking ([Note: Safe FTS5 queries]): every word must match.
      const match = buildLexicalQuery(words)
        .map((w) => w.main)
        .join(' AND ');
      const where = match ? `(${filter.where}) AND p.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)` : filter.where;
      const params = match ? [...filter.params, match] : filter.params;
      const agg = db
        .prepare<unknown[], { count: number; first: string | null; last: string | null }>(
          `SELECT count(*) AS count, min(p.sort_key) AS first, max(p.sort_key) AS last FROM photos p WHERE ${where}`,
        )
        .get(...params) ?? { count: 0, first: null, last: null };
      const at = (key: string | null) =>
        key === null
          ? null
          : (db
              .prepare<unknown[], number>(`SELECT p.id FROM photos p WHERE p.sort_key = ? AND ${where} ORDER BY p.id LIMIT 1`)
              .pluck()
              .get(key, ...params) ?? null);
      return { ...agg, first_id: at(agg.first), last_id: at(agg.last) };
    },
    identities(photoIds) {
      const rows = identitiesStmt.all(JSON.stringify(photoIds));
      return new Map(rows.map((r) => [r.id, { hash: r.hash, name: (r.name ?? `photo ${r.id}`).split('/').pop() ?? `photo ${r.id}` }]));
    },
  };
}
