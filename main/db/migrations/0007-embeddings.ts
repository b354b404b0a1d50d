/**
 * @file Migration 7: the vectors of dense search. `photo_embeddings` keeps, per photo and text embedder,
 * the vector of the photo's description (what the understanding step and the user said of it), the exact
 * text that was embedded and its hash; `photo_embedding_removals` logs deleted vectors so that a vector
 * index held in memory can catch up. Read and written by main/db/embeddings.repo.ts.
 *
 * [Note: Stored embeddings]
 * - One row per (photo, model): rows of a model other than the active text embedder are ignored by
 *   search, and kept, so switching back needs no re-embedding when the description is unchanged.
 * - `text` is exactly what was embedded (without the model's own passage prefix, which the worker adds)
 *   and `text_hash` its sha256: the embedding step skips a photo whose description hashes the same.
 * - `vector` is `dim` little-endian float32 values, L2-normalised by the worker; a CHECK ties its length
 *   to `dim`, so a truncated write cannot be stored.
 * - `id` is AUTOINCREMENT and every write is an `INSERT OR REPLACE`, which deletes the old row and
 *   inserts a new one with a larger id: "rows of this model with id > N" are exactly the vectors written
 *   since the index read up to N (main/search/vector-index.ts). A REPLACE fires no DELETE trigger
 *   (recursive triggers are off), so `photo_embedding_removals` only logs real deletions: a photo
 *   removed (the foreign key cascades), or a description that became empty.
 * - Deleting a photo deletes its vectors (ON DELETE CASCADE). Each write is one statement in the
 *   writer's transaction, so kill -9 leaves a photo with its old vector or its new one, never half.
 * - The description's sources re-queue the photo's 'embed' job in the same transaction as their own
 *   change (triggers below): a caption, text or tag written by the model or the user, a tag taken off,
 *   a label renamed. A crash between the change and the re-queue is therefore impossible, and the job
 *   itself checks the hash, so a change that leaves the description as it was costs no worker call.
 *   Running jobs are left alone: main/search/embed-step.ts re-checks the description before it writes.
 */

/** Re-queues the 'embed' job of the photos `ids` (an SQL list or subquery) unless it is running. */
const requeue = (ids: string) => /* sql */ `
  UPDATE jobs SET state = 'pending', attempts = 0, last_error = NULL,
    updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
  WHERE step = 'embed' AND photo_id IN (${ids}) AND state IN ('done', 'failed-retryable', 'failed-permanent');`;

/** AFTER INSERT / UPDATE / DELETE triggers on a per-photo source of the description. */
function sourceTriggers(table: string, changed: string): string {
  return /* sql */ `
CREATE TRIGGER embed_${table}_ai AFTER INSERT ON ${table} BEGIN ${requeue('new.photo_id')} END;
CREATE TRIGGER embed_${table}_au AFTER UPDATE ON ${table} WHEN ${changed} BEGIN ${requeue('old.photo_id, new.photo_id')} END;
CREATE TRIGGER embed_${table}_ad AFTER DELETE ON ${table} BEGIN ${requeue('old.photo_id')} END;`;
}

export const sql = /* sql */ `
CREATE TABLE photo_embeddings (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  photo_id  INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  model_id  TEXT    NOT NULL,
  dim       INTEGER NOT NULL CHECK (dim BETWEEN 1 AND 4096),
  text      TEXT    NOT NULL,
  text_hash TEXT    NOT NULL,
  vector    BLOB    NOT NULL CHECK (length(vector) = 4 * dim),
  made_at   INTEGER NOT NULL,
  UNIQUE (photo_id, model_id)
) STRICT;
CREATE INDEX photo_embeddings_model ON photo_embeddings (model_id, id);

CREATE TABLE photo_embedding_removals (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  photo_id   INTEGER NOT NULL,
  model_id   TEXT    NOT NULL,
  removed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX photo_embedding_removals_model ON photo_embedding_removals (model_id, seq);

CREATE TRIGGER photo_embeddings_ad AFTER DELETE ON photo_embeddings BEGIN
  INSERT INTO photo_embedding_removals (photo_id, model_id, removed_at)
  VALUES (old.photo_id, old.model_id, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

${sourceTriggers('photo_captions', 'old.photo_id IS NOT new.photo_id OR old.text IS NOT new.text')}
${sourceTriggers('photo_texts', 'old.photo_id IS NOT new.photo_id OR old.text IS NOT new.text')}
${sourceTriggers('photo_tags', 'old.photo_id IS NOT new.photo_id OR old.label_id IS NOT new.label_id OR old.removed IS NOT new.removed')}
CREATE TRIGGER embed_tag_labels_au AFTER UPDATE OF label ON tag_labels WHEN old.label IS NOT new.label BEGIN
  ${requeue('SELECT photo_id FROM photo_tags WHERE label_id = new.id AND removed = 0')}
END;
`;
