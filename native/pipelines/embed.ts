/**
 * @file The `embed` request: texts → one vector each from the loaded text embedder (role
 * `text-embedder`): params checked, texts tokenized with their kind's prefix, run in length-sorted
 * padded batches, pooled and normalised as the bundle's manifest says.
 *
 * Runs in the inference worker. [Note: Embedding lanes] A `query` is what a user is waiting for, so
 * without an explicit priority it waits in the interactive lane; `passage` batches (captions, tags,
 * text in photos, embedded as understanding lands) go to the background lane and offer a checkpoint
 * between encoder runs, so a query typed meanwhile runs within one batch of background work
 * ([Note: Worker lanes] in native/protocol.ts).
 */
import { WorkerError, type EmbedRequest, type EmbedResponse, type Priority } from '../protocol';
import { throwIfCancelled, type CancelToken } from '../runtime/internvl-model';
import type { TextEmbedderModel } from '../runtime/text-embedder-model';
import { poolRows } from './pooling';

/** The most texts one request may carry, and the most characters (code points) in one text. */
export const EMBED_LIMITS = { maxTexts: 256, maxChars: 8000 } as const;
/** Rows per encoder run, and the batch × length² budget that bounds attention memory per run. */
const MAX_BATCH = 32;
const MAX_ATTENTION_CELLS = 2 ** 21;

const KINDS: readonly EmbedRequest['kind'][] = ['query', 'passage'];

/** The lane an `embed` request waits in when it names none: see [Note: Embedding lanes]. */
export function embedLane(params: unknown): Priority {
  return (params as { kind?: unknown } | null)?.kind === 'passage' ? 'background' : 'interactive';
}

/** Checks `embed` params (they cross a process boundary): `bad_request` for shape, `bad_input` for limits. */
export function checkEmbedRequest(p: unknown): asserts p is EmbedRequest {
  const { texts, kind } = (p ?? {}) as { texts?: unknown; kind?: unknown };
  if (!KINDS.includes(kind as EmbedRequest['kind'])) {
    throw new WorkerError(
      'bad_request',
      `embed needs { texts: string[], kind: 'query' | 'passage' }; kind is ${JSON.stringify(kind) ?? 'missing'}`,
    );
  }
  if (!Array.isArray(texts)) throw new WorkerError('bad_request', 'embed needs { texts: string[] }');
  if (texts.length > EMBED_LIMITS.maxTexts) {
    throw new WorkerError('bad_input', `embed takes at most ${EMBED_LIMITS.maxTexts} texts per request, got ${texts.length}; split them`);
  }
  texts.forEach((t: unknown, i) => {
    if (typeof t !== 'string')
      throw new WorkerError('bad_request', `embed: texts[${i}] is ${t === null ? 'null' : typeof t}, not a string`);
    let chars = 0;
    for (const _ of t) chars++;
    if (chars > EMBED_LIMITS.maxChars) {
      throw new WorkerError('bad_input', `embed: texts[${i}] has ${chars} characters, more than ${EMBED_LIMITS.maxChars}`);
    }
  });
}

/** Groups row indexes (longest first) into batches within {@link MAX_BATCH} and the attention budget. */
export function planBatches(lengths: readonly number[]): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let cur: number[] = [];
  for (const i of order) {
    const longest = cur.length > 0 ? lengths[cur[0]!]! : lengths[i]!;
    if (cur.length > 0 && (cur.length + 1 > MAX_BATCH || (cur.length + 1) * longest * longest > MAX_ATTENTION_CELLS)) {
      batches.push(cur);
      cur = [];
    }
    cur.push(i);
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

/** What the worker hands a request besides its params. */
export interface EmbedContext {
  cancel?: CancelToken;
  /** Lets waiting interactive requests run (a no-op outside the background lane). */
  checkpoint?: () => Promise<void>;
}

/** Embeds the texts of a checked request, in request order. */
export async function embedTexts(model: TextEmbedderModel, p: EmbedRequest, ctx: EmbedContext = {}): Promise<EmbedResponse> {
  const { dim, pooling, normalize } = model.manifest.embedding;
  const rows = p.texts.map((t) => model.encode(t, p.kind));
  const vectors: number[][] = new Array<number[]>(rows.length);
  const batches = planBatches(rows.map((r) => r.length));
  for (const [n, batch] of batches.entries()) {
    throwIfCancelled(ctx.cancel);
    if (n > 0) await ctx.checkpoint?.();
    throwIfCancelled(ctx.cancel);
    const batchRows = batch.map((i) => rows[i]!);
    const { hidden, dims } = await model.runBatch(batchRows);
    const pooled = poolRows(
      hidden,
      dims,
      batchRows.map((r) => r.length),
      pooling,
      normalize,
    );
    batch.forEach((i, k) => (vectors[i] = Array.from(pooled[k]!)));
  }
  return { modelId: model.manifest.id, dim, vectors };
}
