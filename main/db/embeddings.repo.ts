/**
 * @file SQL for the vectors of dense search (migration 0007, [Note: Stored embeddings] in
 * migrations/0007-embeddings.ts): what a photo's description is made of, the stored embeddings per
 * text embedder, the feed a vector index catches up from, and the counts search reports as coverage.
 *
 * Runs in main (and the CLI, host, tests and the search benchmark). Which text is embedded and when is
 * policy (main/search/description.ts, main/search/embed-step.ts); this file only reads and writes rows.
 */
import { AWAY_IDS } from './collections-views.repo';
import type { Db } from './open';

/** What a photo's description is made of. */
export interface DescriptionSources {
  photoId: number;
  caption: string | null;
  /** Labels of the tags present on the photo (not taken off by the user), alphabetical. */
  tags: string[];
  /** Text read in the image. */
  text: string | null;
}

/** A stored embedding as the index reads it. */
export interface EmbeddingRow {
  /** Grows with every write ([Note: Stored embeddings]): the index's catch-up watermark. */
  id: number;
  photoId: number;
  dim: number;
  /** `dim` little-endian float32 values. */
  vector: Buffer;
}

export interface StoredEmbedding {
  photoId: number;
  textHash: string;
}

export interface NewEmbedding {
  photoId: number;
  modelId: string;
  text: string;
  textHash: string;
  vector: Float32Array;
}

export interface EmbeddingsRepo {
  /** The description sources of these photos (photos that do not exist are left out). */
  sources(photoIds: readonly number[]): DescriptionSources[];
  /** The stored embeddings of these photos by one model: their text hashes. */
  stored(modelId: string, photoIds: readonly number[]): StoredEmbedding[];
  /** Stores (or replaces) a photo's embedding; a new row id each time. */
  write(e: NewEmbedding, now: number): void;
  /** Deletes a photo's embedding by one model (its description became empty); true when there was one. */
  remove(photoId: number, modelId: string): boolean;
  /** Runs `fn` in one immediate transaction: a check and the writes it allows, together. */
  atomically<T>(fn: () => T): T;
  /** Up to `limit` rows of a model with id > `afterId`, in id order. */
  rowsAfter(modelId: string, afterId: number, limit: number): EmbeddingRow[];
  /** Photos whose embedding by this model was deleted since `afterSeq`, with the log's position. */
  removalsAfter(modelId: string, afterSeq: number): { seq: number; photoId: number }[];
  /** The newest position of the removal log (0 when empty). */
  lastRemoval(): number;
  /** Forgets removal log entries older than `before` (ms); an index loaded later does not need them. */
  pruneRemovals(before: number): number;
  /** The float vectors of these photos by one model (for exact rescoring). */
  vectors(modelId: string, photoIds: readonly number[]): { photoId: number; vector: Buffer }[];
  /** How many photos have an embedding by this model. */
  count(modelId: string): number;
  /**
   * Photos search can show (hidden ones and those in the Trash are left out, as search leaves them out),
   * and how many of them the understanding step described (a run that was not an error).
   */
  coverageCounts(): { photos: number; understood: number };
}

/**
 * Builds the repository over an open, migrated database. Lists of ids travel as JSON (`json_each`),
 * joined with CROSS JOIN: the list is the outer loop, each id one probe of the (photo_id, model_id)
 * index; left to itself the planner scanned the model's whole index for every id (190 ms for 264 ids
 * of 5,000 photos).
 */
export function createEmbeddingsRepo(db: Db): EmbeddingsRepo {
  const sourcesStmt = db.prepare<[string], { photoId: number; caption: string | null; tags: string | null; text: string | null }>(
    `SELECT p.id AS photoId,
       (SELECT c.text FROM photo_captions c WHERE c.photo_id = p.id) AS caption,
       (SELECT json_group_array(label) FROM (SELECT l.label FROM photo_tags t JOIN tag_labels l ON l.id = t.label_id
          WHERE t.photo_id = p.id AND t.removed = 0 ORDER BY l.label COLLATE NOCASE, l.id)) AS tags,
       (SELECT x.text FROM photo_texts x WHERE x.photo_id = p.id) AS text
     FROM json_each(?) j JOIN photos p ON p.id = j.value`,
  );
  const storedStmt = db.prepare<[string, string], StoredEmbedding>(
    `SELECT e.photo_id AS photoId, e.text_hash AS textHash FROM json_each(?) j
     CROSS JOIN photo_embeddings e ON e.photo_id = j.value AND e.model_id = ?`,
  );
  const writeStmt = db.prepare(
    `INSERT OR REPLACE INTO photo_embeddings (photo_id, model_id, dim, text, text_hash, vector, made_at)
     VALUES (@photoId, @modelId, @dim, @text, @textHash, @vector, @now)`,
  );
  const removeStmt = db.prepare<[number, string]>('DELETE FROM photo_embeddings WHERE photo_id = ? AND model_id = ?');
  const rowsAfterStmt = db.prepare<[string, number, number], EmbeddingRow>(
    `SELECT id, photo_id AS photoId, dim, vector FROM photo_embeddings WHERE model_id = ? AND id > ? ORDER BY id LIMIT ?`,
  );
  const removalsStmt = db.prepare<[string, number], { seq: number; photoId: number }>(
    'SELECT seq, photo_id AS photoId FROM photo_embedding_removals WHERE model_id = ? AND seq > ? ORDER BY seq',
  );
  const lastRemovalStmt = db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM photo_embedding_removals').pluck();
  const pruneStmt = db.prepare<[number]>('DELETE FROM photo_embedding_removals WHERE removed_at < ?');
  const vectorsStmt = db.prepare<[string, string], { photoId: number; vector: Buffer }>(
    `SELECT e.photo_id AS photoId, e.vector FROM json_each(?) j CROSS JOIN photo_embeddings e ON e.photo_id = j.value AND e.model_id = ?`,
  );
  const countStmt = db.prepare<[string], number>('SELECT count(*) FROM photo_embeddings WHERE model_id = ?').pluck();
  // All photos less the few away ones: SQLite counts a whole table without reading it (as the grid's count).
  const photosStmt = db
    .prepare<[], number>(`SELECT (SELECT count(*) FROM photos) - (SELECT count(*) FROM photos p WHERE p.id IN (${AWAY_IDS}))`)
    .pluck();
  const understoodStmt = db
    .prepare<[], number>(`SELECT count(*) FROM photo_understanding WHERE state <> 'error' AND photo_id NOT IN (${AWAY_IDS})`)
    .pluck();

  const blob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

  return {
    sources: (ids) =>
      sourcesStmt.all(JSON.stringify(ids)).map((r) => ({
        photoId: r.photoId,
        caption: r.caption,
        tags: r.tags === null ? [] : (JSON.parse(r.tags) as string[]),
        text: r.text,
      })),
    stored: (modelId, ids) => storedStmt.all(JSON.stringify(ids), modelId),
    write: (e, now) =>
      void writeStmt.run({
        photoId: e.photoId,
        modelId: e.modelId,
        dim: e.vector.length,
        text: e.text,
        textHash: e.textHash,
        vector: blob(e.vector),
        now,
      }),
    remove: (photoId, modelId) => removeStmt.run(photoId, modelId).changes > 0,
    atomically: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    rowsAfter: (modelId, afterId, limit) => rowsAfterStmt.all(modelId, afterId, limit),
    removalsAfter: (modelId, afterSeq) => removalsStmt.all(modelId, afterSeq),
    lastRemoval: () => lastRemovalStmt.get() ?? 0,
    pruneRemovals: (before) => pruneStmt.run(before).changes,
    vectors: (modelId, ids) => (ids.length ? vectorsStmt.all(JSON.stringify(ids), modelId) : []),
    count: (modelId) => countStmt.get(modelId) ?? 0,
    coverageCounts: () => ({ photos: photosStmt.get() ?? 0, understood: understoodStmt.get() ?? 0 }),
  };
}
