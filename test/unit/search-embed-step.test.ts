/**
 * @file The embedding step (main/search/embed-step.ts, [Note: Embedding ingestion]) against a real
 * in-memory database and a test double of the TextEmbedder port that returns vectors derived from the
 * text it is given (and records its calls): descriptions are embedded in one call per batch and stored
 * with their text and hash, unchanged ones cost no call, emptied ones lose their vector, a model switch
 * or an edit while the worker works stores nothing stale, and worker codes become the queue's outcomes.
 */
import { describe, expect, it } from 'vitest';
import { createEmbeddingsRepo } from '../../main/db/embeddings.repo';
import { openDatabase } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { createUnderstandingRepo } from '../../main/db/understanding.repo';
import { WorkerClientError } from '../../main/inference/worker-client';
import { PermanentError, RequeueJob, type StepContext } from '../../main/library/jobs';
import { silentLog } from '../../main/log';
import { describePhoto, descriptionHash } from '../../main/search/description';
import { BATCH, createEmbedStep, embedVersionFor } from '../../main/search/embed-step';
import type { EmbedKind, EmbedOutput, TextEmbedder } from '../../main/search/text-embedder';

/** A TextEmbedder test double: a vector from the text's characters; records calls; can be made to fail or stall. */
class GivenVectorsEmbedder implements TextEmbedder {
  model: string | null = 'emb-a';
  calls: { texts: string[]; kind: EmbedKind }[] = [];
  fail: Error | null = null;
  /** Runs while the "worker" works (before the answer). */
  during: (() => void) | null = null;
  active = () => (this.model ? { modelId: this.model } : null);
  unavailableReason = () => (this.model ? null : 'no text embedder installed');
  embed(texts: string[], kind: EmbedKind): Promise<EmbedOutput> {
    this.calls.push({ texts, kind });
    const model = this.model!;
    this.during?.();
    if (this.fail) return Promise.reject(this.fail);
    const vectors = texts.map((t) => {
      const v = Float32Array.from({ length: 8 }, (_, i) => (t.charCodeAt(i % t.length) % 7) + 1);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
    return Promise.resolve({ modelId: model, dim: 8, vectors });
  }
}

function setup() {
  const db = openDatabase(':memory:');
  const photos = createPhotosRepo(db);
  const understanding = createUnderstandingRepo(db);
  const repo = createEmbeddingsRepo(db);
  const ids = [1, 2, 3, 4].map((n) =>
    photos.insert({ hash: `h${n}`, kind: 'image', mime: null, fileTime: '2020-01-01T00:00:00', error: null, now: 0 }),
  );
  const label = (l: string) => understanding.labelByName(l)!.id;
  understanding.setUserCaption(ids[0]!, 'A yellow tram on a cobbled street', 1);
  understanding.setUserTag(ids[0]!, label('street'), false, 1);
  understanding.setUserText(ids[1]!, 'PRÓXIMA PARADA', 1);
  understanding.setUserTag(ids[2]!, label('dog'), false, 1);
  // ids[3]: nothing known of it
  const embedder = new GivenVectorsEmbedder();
  const step = createEmbedStep({ embedder, repo, log: silentLog });
  const ctx = (id: number): StepContext => ({ photo: photos.get(id)!, absPath: null, attempt: 1, signal: new AbortController().signal });
  const stored = () =>
    db
      .prepare<[], { photo_id: number; model_id: string; text: string; text_hash: string; dim: number }>(
        'SELECT photo_id, model_id, text, text_hash, dim FROM photo_embeddings ORDER BY photo_id, model_id',
      )
      .all();
  return { db, ids, understanding, repo, embedder, step, ctx, stored, label };
}

describe('embedding step', () => {
  it('embeds the described photos of a batch in one passage call and stores text, hash and vector', async () => {
    const t = setup();
    expect(t.step).toMatchObject({ name: 'embed', needsFile: false, kinds: ['image', 'raw', 'video'], version: embedVersionFor('emb-a') });
    expect(t.step.maxBatch!()).toBe(BATCH);
    expect(await t.step.runBatch!(t.ids.map(t.ctx))).toEqual([null, null, null, null]);
    expect(t.embedder.calls).toEqual([
      {
        kind: 'passage',
        texts: ['A yellow tram on a cobbled street\nTags: street.', 'Text in the image: PRÓXIMA PARADA', 'Tags: dog.'],
      },
    ]);
    const rows = t.stored();
    expect(rows.map((r) => r.photo_id)).toEqual(t.ids.slice(0, 3));
    for (const r of rows) {
      expect(r).toMatchObject({ model_id: 'emb-a', dim: 8, text_hash: descriptionHash(r.text) });
    }
  });

  it('skips a description that hashes the same, and drops the vector of one that became empty', async () => {
    const t = setup();
    await t.step.runBatch!(t.ids.map(t.ctx));
    t.embedder.calls = [];
    expect(await t.step.runBatch!(t.ids.map(t.ctx))).toEqual([null, null, null, null]);
    expect(t.embedder.calls).toEqual([]);
    t.understanding.setUserText(t.ids[1]!, null, 2);
    t.understanding.setUserCaption(t.ids[0]!, 'A red bus', 2);
    expect(await t.step.runBatch!(t.ids.map(t.ctx))).toEqual([null, null, null, null]);
    expect(t.embedder.calls.map((c) => c.texts)).toEqual([['A red bus\nTags: street.']]);
    expect(t.stored().map((r) => r.photo_id)).toEqual([t.ids[0], t.ids[2]]);
    expect(t.db.prepare('SELECT photo_id FROM photo_embedding_removals').pluck().all()).toEqual([t.ids[1]]);
  });

  it('stores nothing from a model that stopped being active while it worked', async () => {
    const t = setup();
    t.embedder.during = () => (t.embedder.model = 'emb-b');
    const out = await t.step.runBatch!([t.ctx(t.ids[0]!)]);
    expect(out[0]).toBeInstanceOf(RequeueJob);
    expect(t.stored()).toEqual([]);
  });

  it('stores nothing for a description edited while it was embedded, and queues it again', async () => {
    const t = setup();
    t.embedder.during = () => t.understanding.setUserCaption(t.ids[0]!, 'Edited meanwhile', 3);
    const out = await t.step.runBatch!([t.ctx(t.ids[0]!), t.ctx(t.ids[2]!)]);
    expect(out[0]).toBeInstanceOf(RequeueJob);
    expect(out[1]).toBeNull();
    expect(t.stored().map((r) => r.photo_id)).toEqual([t.ids[2]]);
  });

  it("turns the worker's codes into the queue's outcomes", async () => {
    const t = setup();
    const one = [t.ctx(t.ids[0]!)];
    const two = [t.ctx(t.ids[0]!), t.ctx(t.ids[1]!)];
    const outcome = async (err: Error, ctxs: StepContext[]) => {
      t.embedder.fail = err;
      return (await t.step.runBatch!(ctxs))[0];
    };
    expect(await outcome(new WorkerClientError('bad_input', 'too long'), one)).toBeInstanceOf(PermanentError);
    // A batch refused as bad input may hold one bad text: retried, not failed for all.
    const batch = await outcome(new WorkerClientError('bad_input', 'too long'), two);
    expect(batch).toBeInstanceOf(Error);
    expect(batch).not.toBeInstanceOf(PermanentError);
    expect(await outcome(new WorkerClientError('model_invalid', 'broken'), two)).toBeInstanceOf(PermanentError);
    expect(await outcome(new WorkerClientError('cancelled', 'closing'), one)).toBeInstanceOf(RequeueJob);
    const crash = await outcome(new WorkerClientError('worker_crashed', 'gone'), one);
    expect(crash).not.toBeInstanceOf(PermanentError);
    expect(crash).not.toBeInstanceOf(RequeueJob);
    expect(crash?.message).toMatch(/worker_crashed/);
    expect(t.stored()).toEqual([]);
  });

  it('is blocked without an embedder, keeping its last version; pausing shows the reason', () => {
    const t = setup();
    expect(t.step.version).toBe('embed:1:emb-a');
    t.embedder.model = null;
    t.step.modelChanged();
    expect(t.step.blocked!()).toBe('no text embedder installed');
    expect(t.step.version).toBe('embed:1:emb-a');
    t.embedder.model = 'emb-b';
    t.step.modelChanged();
    expect(t.step.blocked!()).toBeNull();
    expect(t.step.version).toBe('embed:1:emb-b');
    t.step.setPaused('paused on battery');
    expect(t.step.blocked!()).toBe('paused on battery');
  });

  it('describes a photo in a fixed order (tags as the repository sorts them), bounded', () => {
    expect(describePhoto({ caption: '  A   dog ', tags: ['sofa', 'dog'], text: null })).toBe('A dog\nTags: sofa, dog.');
    expect(describePhoto({ caption: null, tags: [], text: '   ' })).toBe('');
    expect(describePhoto({ caption: 'x'.repeat(5000), tags: [], text: null })).toHaveLength(2000);
    expect(describePhoto({ caption: null, tags: [], text: 'y'.repeat(900) })).toBe(`Text in the image: ${'y'.repeat(500)}`);
  });
});
