/**
 * @file Migration 10: library chat. A library conversation reuses the photo chat tables of 0008 (its
 * turns are questions and answers like any other, saved, streamed, stopped and failed the same way)
 * and adds only what a question about the whole library needs:
 *
 * - `chat_conversations.kind`: 'photos' (0008's: about the photos in `chat_conversation_photos`) or
 *   'library' (no photos of its own: each turn finds its photos by searching).
 * - `chat_turns.query`: the search a library turn ran, as JSON (the intent, the semantic words and the
 *   parsed filters, dates as ranges): a follow-up ("and the year before?") starts from it.
 * - `chat_turns.facts`: what the database answered (counts, first and last dates) before the model ran,
 *   as JSON; shown beside the answer and never the model's guess.
 * - `chat_turn_sources`: the photos a turn put in front of the model, by content (`photos.hash`, as
 *   0008 names photos), numbered as the prompt numbered them ([1], [2]…): citations in the answer refer
 *   to `position`, and the photo is found again after a move or a re-add.
 */
export const sql = /* sql */ `
ALTER TABLE chat_conversations ADD COLUMN kind TEXT NOT NULL DEFAULT 'photos' CHECK (kind IN ('photos', 'library'));
CREATE INDEX chat_conversations_kind ON chat_conversations (kind, updated_at);

ALTER TABLE chat_turns ADD COLUMN query TEXT;
ALTER TABLE chat_turns ADD COLUMN facts TEXT;

CREATE TABLE chat_turn_sources (
  turn_id     INTEGER NOT NULL REFERENCES chat_turns (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  photo_hash  TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  PRIMARY KEY (turn_id, position)
) STRICT;
`;
