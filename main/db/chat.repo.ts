/**
 * @file SQL for photo chat (migration 0008): conversations, the photos each is about (by content
 * hash), and their turns. Policy — what the model remembers, when a turn may start, how failures read —
 * lives in main/chat/photo-chat.ts.
 *
 * Runs in main (and the CLI, host and tests).
 */
import type { Db } from './open';

export type TurnState = 'answering' | 'done' | 'stopped' | 'failed';

export interface ConversationRow {
  id: number;
  created_at: number;
  updated_at: number;
  /** 'library': a library chat's (migration 0010), asked through main/chat/library-chat.ts. */
  kind: 'photos' | 'library';
}

/** A photo of a conversation, with the library's photo that has its content now (if any). */
export interface ConversationPhotoRow {
  position: number;
  photo_hash: string;
  name: string;
  photo_id: number | null;
  thumb: string | null;
}

export interface TurnRow {
  id: number;
  conversation_id: number;
  question: string;
  answer: string;
  /** JSON array of token ids. */
  answer_ids: string | null;
  state: TurnState;
  error: string | null;
  finish_reason: 'stop' | 'length' | null;
  model_id: string | null;
  variant: string | null;
  demo: 0 | 1;
  num_tiles: number | null;
  first_seen_id: number | null;
  ttft_ms: number | null;
  total_ms: number | null;
  tokens: number;
  asked_at: number;
  answered_at: number | null;
}

export interface SummaryRow extends ConversationRow {
  turn_count: number;
  /** Its first turn's question: what the viewer's chat panel names it by. */
  first_question: string | null;
}

/** How a turn ended, as stored. */
export interface TurnOutcome {
  state: Exclude<TurnState, 'answering'>;
  answer: string;
  answerIds: readonly number[] | null;
  error: string | null;
  finishReason: 'stop' | 'length' | null;
  model: { id: string; variant: string; demo: boolean } | null;
  numTiles: number | null;
  firstSeenId: number | null;
  ttftMs: number | null;
  totalMs: number;
  tokens: number;
}

export interface ChatRepo {
  create(photos: readonly { hash: string; name: string }[], now: number): number;
  get(id: number): ConversationRow | undefined;
  photos(conversationId: number): ConversationPhotoRow[];
  /** Conversations about a photo's content, newest first. */
  withPhoto(hash: string): SummaryRow[];
  turns(conversationId: number): TurnRow[];
  turn(id: number): TurnRow | undefined;
  /** A new turn, 'answering'. */
  addTurn(conversationId: number, question: string, now: number): number;
  /** The turn starts over with this question (Regenerate, Edit): its answer and outcome are cleared. */
  restartTurn(id: number, question: string, now: number): void;
  /** The answer so far, while it streams (so a crash keeps it). */
  savePartial(id: number, answer: string, tokens: number): void;
  finish(id: number, o: TurnOutcome, now: number): void;
  delete(id: number): boolean;
  /** Turns left 'answering' by a crash become 'failed' with `error`; returns how many. */
  failInterrupted(error: string, now: number): number;
}

export function createChatRepo(db: Db): ChatRepo {
  const insertConv = db.prepare<[number, number]>('INSERT INTO chat_conversations (created_at, updated_at) VALUES (?, ?)');
  const insertPhoto = db.prepare<[number, number, string, string]>(
    'INSERT INTO chat_conversation_photos (conversation_id, position, photo_hash, name) VALUES (?, ?, ?, ?)',
  );
  const touch = db.prepare<[number, number]>('UPDATE chat_conversations SET updated_at = ? WHERE id = ?');
  const getStmt = db.prepare<[number], ConversationRow>('SELECT * FROM chat_conversations WHERE id = ?');
  // photos.hash is unique: at most one photo has a conversation photo's content.
  const photosStmt = db.prepare<[number], ConversationPhotoRow>(
    `SELECT cp.position, cp.photo_hash, cp.name, p.id AS photo_id, p.thumb
     FROM chat_conversation_photos cp LEFT JOIN photos p ON p.hash = cp.photo_hash
     WHERE cp.conversation_id = ? ORDER BY cp.position`,
  );
  const withPhotoStmt = db.prepare<[string], SummaryRow>(
    `SELECT c.*, (SELECT count(*) FROM chat_turns t WHERE t.conversation_id = c.id) AS turn_count,
       (SELECT t.question FROM chat_turns t WHERE t.conversation_id = c.id ORDER BY t.id LIMIT 1) AS first_question
     FROM chat_conversations c
     WHERE c.id IN (SELECT conversation_id FROM chat_conversation_photos WHERE photo_hash = ?)
     ORDER BY c.updated_at DESC, c.id DESC`,
  );
  const turnsStmt = db.prepare<[number], TurnRow>('SELECT * FROM chat_turns WHERE conversation_id = ? ORDER BY id');
  const turnStmt = db.prepare<[number], TurnRow>('SELECT * FROM chat_turns WHERE id = ?');
  const addTurnStmt = db.prepare<[number, string, number]>('INSERT INTO chat_turns (conversation_id, question, asked_at) VALUES (?, ?, ?)');
  const restartStmt = db.prepare<[string, number, number]>(
    `UPDATE chat_turns SET question = ?, answer = '', answer_ids = NULL, state = 'answering', error = NULL, finish_reason = NULL,
       model_id = NULL, variant = NULL, demo = 0, num_tiles = NULL, first_seen_id = NULL, ttft_ms = NULL, total_ms = NULL,
       tokens = 0, asked_at = ?, answered_at = NULL
     WHERE id = ?`,
  );
  const partialStmt = db.prepare<[string, number, number]>(
    "UPDATE chat_turns SET answer = ?, tokens = ? WHERE id = ? AND state = 'answering'",
  );
  const finishStmt = db.prepare(
    `UPDATE chat_turns SET state = @state, answer = @answer, answer_ids = @answerIds, error = @error, finish_reason = @finishReason,
       model_id = @modelId, variant = @variant, demo = @demo, num_tiles = @numTiles, first_seen_id = @firstSeenId,
       ttft_ms = @ttftMs, total_ms = @totalMs, tokens = @tokens, answered_at = @now
     WHERE id = @id`,
  );
  const deleteStmt = db.prepare<[number]>('DELETE FROM chat_conversations WHERE id = ?');
  const interruptedStmt = db.prepare<[string, number]>(
    "UPDATE chat_turns SET state = 'failed', error = ?, answered_at = ? WHERE state = 'answering'",
  );
  const conversationOf = (turnId: number) => turnStmt.get(turnId)?.conversation_id;

  return {
    create: db.transaction((photos: readonly { hash: string; name: string }[], now: number) => {
      const id = Number(insertConv.run(now, now).lastInsertRowid);
      photos.forEach((p, i) => insertPhoto.run(id, i, p.hash, p.name));
      return id;
    }),
    get: (id) => getStmt.get(id),
    photos: (conversationId) => photosStmt.all(conversationId),
    withPhoto: (hash) => withPhotoStmt.all(hash),
    turns: (conversationId) => turnsStmt.all(conversationId),
    turn: (id) => turnStmt.get(id),
    addTurn: db.transaction((conversationId: number, question: string, now: number) => {
      const id = Number(addTurnStmt.run(conversationId, question, now).lastInsertRowid);
      touch.run(now, conversationId);
      return id;
    }),
    restartTurn: db.transaction((id: number, question: string, now: number) => {
      restartStmt.run(question, now, id);
      const conv = conversationOf(id);
      if (conv !== undefined) touch.run(now, conv);
    }),
    savePartial: (id, answer, tokens) => {
      partialStmt.run(answer, tokens, id);
    },
    finish: (id, o, now) => {
      finishStmt.run({
        id,
        now,
        state: o.state,
        answer: o.answer,
        answerIds: o.answerIds === null ? null : JSON.stringify(o.answerIds),
        error: o.error,
        finishReason: o.finishReason,
        modelId: o.model?.id ?? null,
        variant: o.model?.variant ?? null,
        demo: o.model?.demo === true ? 1 : 0,
        numTiles: o.numTiles,
        firstSeenId: o.firstSeenId,
        ttftMs: o.ttftMs,
        totalMs: o.totalMs,
        tokens: o.tokens,
      });
    },
    delete: (id) => deleteStmt.run(id).changes > 0,
    failInterrupted: (error, now) => interruptedStmt.run(error, now).changes,
  };
}
