/**
 * @file Migration 8: photo chat. Conversations, the photos each is about, and its turns (a question
 * and its answer), saved so they survive restarts and follow their photos.
 *
 * - `chat_conversation_photos` names a photo by its content (`photos.hash`, [Note: Photo identity] in
 *   0001), not by `photos.id`: a moved or renamed file keeps its photo row anyway, but a folder removed
 *   and added again, or a file deleted and restored, makes a new row with the same hash, and the
 *   conversation finds it again. `name` is the file name when the conversation started, shown while no
 *   file has that content. `position` is the image order (Image-1, Image-2…).
 * - `chat_turns`: one row per question with its answer. `state` 'answering' while it streams (a row
 *   left so by a crash is marked 'failed' at the next start), 'done', 'stopped', 'failed' (`error`
 *   says why). `answer_ids` are the generated token ids (JSON), replayed exactly when the worker
 *   rebuilds its cache ([Note: Chat history and the cache] in native/preprocess/chat-prompt.ts),
 *   valid only for `model_id`'s tokenizer. `first_seen_id`: the oldest turn the model saw when it
 *   answered this one (null = all), for the "earlier messages are not seen" notice.
 */
export const sql = /* sql */ `
CREATE TABLE chat_conversations (
  id          INTEGER PRIMARY KEY,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE chat_conversation_photos (
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  photo_hash      TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  PRIMARY KEY (conversation_id, position)
) STRICT;
CREATE INDEX chat_conversation_photos_hash ON chat_conversation_photos (photo_hash);

CREATE TABLE chat_turns (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  question        TEXT    NOT NULL,
  answer          TEXT    NOT NULL DEFAULT '',
  answer_ids      TEXT,
  state           TEXT    NOT NULL DEFAULT 'answering' CHECK (state IN ('answering', 'done', 'stopped', 'failed')),
  error           TEXT,
  finish_reason   TEXT    CHECK (finish_reason IN ('stop', 'length')),
  model_id        TEXT,
  variant         TEXT,
  demo            INTEGER NOT NULL DEFAULT 0,
  num_tiles       INTEGER,
  first_seen_id   INTEGER,
  ttft_ms         INTEGER,
  total_ms        INTEGER,
  tokens          INTEGER NOT NULL DEFAULT 0,
  asked_at        INTEGER NOT NULL,
  answered_at     INTEGER
) STRICT;
CREATE INDEX chat_turns_conversation ON chat_turns (conversation_id, id);
`;
