/**
 * @file A small library for search tests on a real SQLite file: photos, files and what the understanding
 * step would store, written through the repositories; the real embedding step (main/search/embed-step.ts)
 * run through the library's job queue; and `ConceptEmbedder`, a test double of the TextEmbedder port whose
 * vectors are chosen by the test: each text points along the axes of the concepts it names (so "puppy"
 * and "hound" mean "dog"), plus a little noise from its exact characters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddingsRepo } from '../../../main/db/embeddings.repo';
import { createFilesRepo } from '../../../main/db/files.repo';
import { createFoldersRepo } from '../../../main/db/folders.repo';
import { openDatabase, type Db } from '../../../main/db/open';
import { createPhotosRepo } from '../../../main/db/photos.repo';
import { createUnderstandingRepo, type Maker } from '../../../main/db/understanding.repo';
import { createLibrary, type Library } from '../../../main/library/library';
import { silentLog } from '../../../main/log';
import { resolvePaths } from '../../../main/paths';
import { createEmbedStep, EMBED_STEP, type EmbedStep } from '../../../main/search/embed-step';
import type { EmbedKind, EmbedOutput, TextEmbedder } from '../../../main/search/text-embedder';

/** Words that mean the same thing to the ConceptEmbedder, one concept per axis. */
export const CONCEPTS: readonly (readonly string[])[] = [
  ['dog', 'dogs', 'puppy', 'hound', 'hund'],
  ['beach', 'seaside', 'sand', 'waves', 'strand'],
  ['tram', 'streetcar', 'trolley'],
  ['receipt', 'invoice', 'supermercado', 'quittung'],
  ['cake', 'birthday', 'candles'],
  ['mountain', 'peak', 'alps', 'snow'],
];
const DIM = 24;

/** A TextEmbedder test double: vectors from the concepts a text names ([@file]); records its calls. */
export class ConceptEmbedder implements TextEmbedder {
  model: string | null = 'concepts-v1';
  calls: { texts: string[]; kind: EmbedKind }[] = [];
  /** A promise the call waits on before answering (a slow or dead worker). */
  gate: Promise<void> | null = null;
  fail: Error | null = null;
  active = () => (this.model ? { modelId: this.model } : null);
  unavailableReason = () => (this.model ? null : 'no text embedder installed');
  async embed(texts: string[], kind: EmbedKind): Promise<EmbedOutput> {
    this.calls.push({ texts, kind });
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    // The model that answers is the one active when the answer comes (a switch meanwhile shows).
    return { modelId: this.model ?? 'none', dim: DIM, vectors: texts.map(vectorOf) };
  }
}

/** The ConceptEmbedder's vector of a text. */
export function vectorOf(text: string): Float32Array {
  const v = new Float32Array(DIM);
  const words = text.toLowerCase().split(/[^\p{L}]+/u);
  CONCEPTS.forEach((c, axis) => {
    if (words.some((w) => c.includes(w))) v[axis] = 1;
  });
  // Noise of norm ≤ 0.3 with random signs: texts differ, unrelated ones stay near orthogonal.
  const chars = [...text];
  let h = 2166136261;
  for (const ch of chars) {
    h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
    v[CONCEPTS.length + (h % (DIM - CONCEPTS.length))]! += ((h >>> 16) & 1 ? 0.3 : -0.3) / chars.length;
  }
  if (v.every((x) => x === 0)) v[DIM - 1] = 1;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export interface PhotoSpec {
  path: string;
  taken: string;
  caption?: string;
  tags?: string[];
  text?: string;
  kind?: 'image' | 'video';
}

const MAKER: Maker = { modelId: 'vlm', variant: 'int8', version: 'understand:1:vlm:int8', demo: false };

export interface SearchLibrary {
  root: string;
  db: Db;
  library: Library;
  embedder: ConceptEmbedder;
  /** The embedding step (call `modelChanged` after switching the embedder's model, as the app does). */
  step: EmbedStep;
  ids: Map<string, number>;
  add(p: PhotoSpec): number;
  /** Runs the embedding step's pending jobs now, as the queue would. */
  embedAll(): Promise<void>;
  setCaption(path: string, text: string | null): void;
  dispose(): Promise<void>;
}

/** A library on a fresh SQLite file with the embedding step registered. */
export function makeSearchLibrary(photos: readonly PhotoSpec[]): SearchLibrary {
  const root = mkdtempSync(join(tmpdir(), 'shoebox-search-'));
  const paths = resolvePaths(join(root, 'data'));
  const db = openDatabase(paths.database);
  const library = createLibrary({ db, paths, log: silentLog, emit: () => {}, options: { watch: false } });
  const embedder = new ConceptEmbedder();
  const step = createEmbedStep({ embedder, repo: createEmbeddingsRepo(db), log: silentLog });
  library.addStep(step);
  const photosRepo = createPhotosRepo(db);
  const files = createFilesRepo(db);
  const understanding = createUnderstandingRepo(db);
  const folder = createFoldersRepo(db).insert(join(root, 'photos'), 0);
  const ids = new Map<string, number>();
  let n = 0;
  const lib: SearchLibrary = {
    root,
    db,
    library,
    embedder,
    step,
    ids,
    add(p) {
      const id = photosRepo.insert({ hash: `h${++n}`, kind: p.kind ?? 'image', mime: null, fileTime: p.taken, error: null, now: 0 });
      files.upsert({ folderId: folder, relPath: p.path, photoId: id, size: 1, mtimeMs: 1, status: 'ok', error: null, now: 0 });
      const label = (l: string) =>
        understanding.labelByName(l)?.id ??
        understanding.addLabel({ label: l, group: 'test', isTextLabel: false, enabled: true, userAdded: true });
      ids.set(p.path, id);
      if (p.caption === undefined && p.text === undefined && !p.tags?.length) return id; // not understood
      understanding.writeOutput(
        id,
        {
          state: 'ok',
          calibrated: true,
          numTiles: 1,
          ms: 1,
          caption: p.caption === undefined ? null : { text: p.caption, finish: 'stop' },
          text: p.text === undefined ? null : { text: p.text, finish: 'stop', reason: 'asked' },
          tags: (p.tags ?? []).map((t) => ({ labelId: label(t), score: 1, rawScore: -1 })),
        },
        MAKER,
        1,
      );
      ids.set(p.path, id);
      return id;
    },
    async embedAll() {
      for (;;) {
        const done = await library.runStep(EMBED_STEP, 1000);
        if (done.length === 0) return;
      }
    },
    setCaption(path, text) {
      understanding.setUserCaption(ids.get(path)!, text, 2);
    },
    async dispose() {
      await library.close();
      db.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const p of photos) lib.add(p);
  return lib;
}

/** The test library: a few photos with something said of them, and filler photos unrelated to any concept. */
export const PHOTOS: readonly PhotoSpec[] = [
  { path: 'pets/sofa.jpg', taken: '2019-06-01T10:00:00', caption: 'A dog asleep on a sofa', tags: ['dog'] },
  { path: 'pets/field.jpg', taken: '2021-05-02T10:00:00', caption: 'A hound running across a field' },
  {
    path: 'Lisboa/IMG_2044.JPG',
    taken: '2021-03-01T09:00:00',
    caption: 'A yellow tram on a cobbled street',
    tags: ['street'],
    text: 'PRÓXIMA PARADA: Liberdade',
  },
  { path: 'trips/coast.jpg', taken: '2020-08-15T18:00:00', caption: 'Waves at dusk on the seaside', tags: ['beach'] },
  { path: 'scans/scan-001.png', taken: '2022-01-10T12:00:00', tags: ['receipt'], text: 'SUPERMERCADO PÃO DE AÇÚCAR TOTAL 12,40' },
  { path: 'party/candles.jpg', taken: '2018-11-03T20:00:00', caption: 'A birthday cake with candles' },
  { path: 'party/clip.mp4', taken: '2018-11-03T20:05:00', kind: 'video' },
  ...Array.from({ length: 40 }, (_, i) => ({
    path: `misc/IMG_${1000 + i}.jpg`,
    taken: `20${10 + (i % 10)}-0${1 + (i % 9)}-1${i % 10}T12:00:00`,
    caption: `A ${['chair', 'lamp', 'window', 'table', 'book', 'clock', 'door', 'shelf'][i % 8]} in a room, number ${i}`,
  })),
];
