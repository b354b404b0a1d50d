/**
 * @file Embedding ingestion through the real job queue on a real SQLite file ([Note: Embedding
 * ingestion]): with no embedder the step waits, blocked; installing one backfills every described photo
 * (one worker call per batch of 32); switching embedders embeds again and keeps the old vectors; a
 * library killed mid-run (a job left running, a vector written but its job not yet done) resumes at
 * start without losing or doubling work, and without asking the worker again for what it already has.
 * The ConceptEmbedder test double stands in for the worker (helpers/search-library.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddingsRepo } from '../../main/db/embeddings.repo';
import { openDatabase } from '../../main/db/open';
import { createLibrary } from '../../main/library/library';
import { silentLog } from '../../main/log';
import { resolvePaths } from '../../main/paths';
import { createEmbedStep, EMBED_STEP } from '../../main/search/embed-step';
import { ConceptEmbedder, makeSearchLibrary, PHOTOS, type SearchLibrary } from './helpers/search-library';

const DESCRIBED = 30;
const photos = PHOTOS.filter((p) => p.caption !== undefined).slice(0, DESCRIBED);

describe('embedding ingestion', () => {
  let lib: SearchLibrary | null = null;
  afterEach(async () => {
    await lib?.dispose();
    lib = null;
  });

  const vectors = (l: SearchLibrary, model: string) =>
    l.db.prepare('SELECT count(*) FROM photo_embeddings WHERE model_id = ?').pluck().get(model) as number;
  const jobs = (l: SearchLibrary) =>
    Object.fromEntries(
      l.db
        .prepare<[], { state: string; n: number }>("SELECT state, count(*) AS n FROM jobs WHERE step = 'embed' GROUP BY state")
        .all()
        .map((r) => [r.state, r.n]),
    );

  it('waits without an embedder, backfills when one is installed, and embeds again for another', async () => {
    lib = makeSearchLibrary([]);
    lib.embedder.model = null;
    for (const p of photos) lib.add(p);
    await expect(lib.library.runStep(EMBED_STEP, 100)).rejects.toThrow(/no text embedder installed/);
    expect(vectors(lib, 'concepts-v1')).toBe(0);

    lib.embedder.model = 'concepts-v1';
    lib.step.modelChanged();
    await lib.embedAll();
    expect(vectors(lib, 'concepts-v1')).toBe(DESCRIBED);
    expect(lib.embedder.calls.map((c) => c.texts.length)).toEqual([DESCRIBED]);
    expect(jobs(lib)).toEqual({ done: DESCRIBED });

    lib.embedder.model = 'concepts-v2';
    lib.step.modelChanged();
    lib.embedder.calls = [];
    await lib.embedAll(); // drain applies the new version first: every job re-queued
    expect(vectors(lib, 'concepts-v2')).toBe(DESCRIBED);
    expect(vectors(lib, 'concepts-v1')).toBe(DESCRIBED);
    expect(lib.embedder.calls.map((c) => c.texts.length)).toEqual([DESCRIBED]);

    // Back to the first embedder: the descriptions hash the same, so no worker call at all.
    lib.embedder.model = 'concepts-v1';
    lib.step.modelChanged();
    lib.embedder.calls = [];
    await lib.embedAll();
    expect(lib.embedder.calls).toEqual([]);
    expect(jobs(lib)).toEqual({ done: DESCRIBED });
  });

  it('resumes after kill -9: a running job runs again, a written vector is not asked for again', async () => {
    lib = makeSearchLibrary(photos);
    await lib.embedAll();
    const [a, b] = [lib.ids.get(photos[0]!.path)!, lib.ids.get(photos[1]!.path)!];
    // The state a kill leaves: photo a's job was running (its vector from an earlier run is stale: its
    // caption changed), photo b's vector was written by a run whose job never got marked done.
    lib.setCaption(photos[0]!.path, 'A streetcar at night');
    lib.db.prepare("UPDATE jobs SET state = 'running' WHERE step = 'embed' AND photo_id IN (?, ?)").run(a, b);
    await lib.library.close();
    lib.db.close();

    mkdirSync(join(lib.root, 'photos'), { recursive: true });
    const paths = resolvePaths(join(lib.root, 'data'));
    const db = openDatabase(paths.database);
    const embedder = new ConceptEmbedder();
    const library = createLibrary({ db, paths, log: silentLog, emit: () => {}, options: { watch: false } });
    library.addStep(createEmbedStep({ embedder, repo: createEmbeddingsRepo(db), log: silentLog }));
    lib.db = db;
    lib.library = library;
    await library.start();
    await library.whenIdle();
    expect(embedder.calls.flatMap((c) => c.texts)).toEqual(['A streetcar at night\nTags: dog.']);
    expect(jobs(lib)).toEqual({ done: DESCRIBED });
    expect(db.prepare('SELECT text FROM photo_embeddings WHERE photo_id = ?').pluck().get(a)).toBe('A streetcar at night\nTags: dog.');
    expect(vectors(lib, 'concepts-v1')).toBe(DESCRIBED);
  });
});
