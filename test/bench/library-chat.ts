/**
 * @file The library figure of `npm run bench:chat` (./chat.ts): `library_ttft_s`, a library question end
 * to end on a synthetic 10k-photo library (./search-corpus.ts) — the question read, its count run as
 * SQL, the hybrid search (words and meaning; the query's vector is given, as in bench:search), the
 * budgeted prompt, and the model's first token — through main/chat/library-chat.ts with the worker's
 * chat pipeline run in-process on the already loaded model.
 *
 * Runs under tsx in plain Node, called by ./chat.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLibraryChat } from '../../main/chat/library-chat';
import { openDatabase } from '../../main/db/open';
import type { InferenceService, LoadedModel } from '../../main/inference/inference.service';
import { silentLog } from '../../main/log';
import { createSearch } from '../../main/search/hybrid-search';
import type { TextEmbedder } from '../../main/search/text-embedder';
import { ChatSessions } from '../../native/pipelines/chat';
import type { InternVLModel } from '../../native/runtime/internvl-model';
import { buildLibrary, DIM, queryVector, vocabulary } from './search-corpus';

const PHOTOS = 10_000;
const SEED = 7;
const EMBEDDER = 'bench-embedder';
const QUESTIONS = [
  'How many photos of the dog on the beach in 2019?',
  'When did we last see a lighthouse?',
  'Show me the cake at the party',
];

export interface LibraryFigures {
  /** Median seconds from the question to the first token. */
  ttftS: number;
  /** Median seconds of the part before the model (facts, search, prompt). */
  beforeModelS: number;
  promptTokens: number;
  photosInPrompt: number;
}

/** Runs each question `reps` times (after a warm-up) over a fresh synthetic library. */
export async function libraryTtft(model: InternVLModel, reps: number): Promise<LibraryFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'shoebox-bench-library-chat-'));
  const db = openDatabase(join(dir, 'library.db'));
  try {
    const vocab = vocabulary(SEED);
    buildLibrary(db, PHOTOS, SEED, vocab, EMBEDDER);
    const embedder: TextEmbedder = {
      active: () => ({ modelId: EMBEDDER }),
      unavailableReason: () => null,
      embed: (texts) => Promise.resolve({ modelId: EMBEDDER, dim: DIM, vectors: texts.map((t) => queryVector(vocab, t)) }),
    };
    const search = createSearch({ db, embedder, waitMs: 600_000 });
    const chats = new ChatSessions();
    const loaded: LoadedModel = { id: 'internvl3-1b-random', name: 'InternVL3-1B (random)', variant: 'int8', demo: true, provider: 'cpu' };
    let promptTokens = 0;
    let askedModelAt = 0;
    const inference: Pick<InferenceService, 'chat' | 'chatEnd' | 'activeModel'> = {
      activeModel: () => loaded,
      chatEnd: async () => {},
      async chat(params, opts) {
        askedModelAt = performance.now();
        const result = await chats.turn(model, params, (c) => opts?.onChunk?.(c));
        promptTokens = result.promptTokens;
        return { result, model: loaded };
      },
    };
    const chat = createLibraryChat({
      db,
      search,
      inference,
      noModelReason: () => null,
      emit: () => {},
      log: silentLog,
      maxNewTokens: 1,
      now: () => new Date(2026, 10, 30, 12),
    });
    const ttft: number[] = [];
    const before: number[] = [];
    let photosInPrompt = 0;
    for (let rep = -1; rep < reps; rep++) {
      for (const q of QUESTIONS) {
        chats.clear();
        const conv = chat.create();
        const t0 = performance.now();
        const turn = await chat.send(conv.id, q);
        // maxNewTokens 1: the answer's end is its first token.
        const end = performance.now();
        chat.delete(conv.id).catch(() => {});
        if (turn.state !== 'done' || turn.modelId === null)
          throw new Error(`library question not answered by the model: ${q} (${turn.state}: ${turn.error ?? turn.answer})`);
        if (rep < 0) continue;
        ttft.push((end - t0) / 1000);
        before.push((askedModelAt - t0) / 1000);
        photosInPrompt = Math.max(photosInPrompt, turn.sources.length);
      }
    }
    await chat.close();
    search.close();
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    return { ttftS: median(ttft), beforeModelS: median(before), promptTokens, photosInPrompt };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
