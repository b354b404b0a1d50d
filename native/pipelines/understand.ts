/**
 * @file Understanding a batch of photos: each image is encoded once, its prompt prefix (system,
 * `<|im_start|>user\n<img>…</img>\n`) prefilled once, and the questions branch from that cache: a
 * one-sentence caption, zero-shot tags over the caller's labels (trie-shared label log-likelihood,
 * contextually calibrated), and the text in the image when the tags say there is text.
 *
 * Runs in the inference worker (the understanding step of design/architecture.md). Params and
 * result are plain JSON. [Note: Understanding batches] Photos travel together: all their tiles go
 * through one vision run sequence, prefixes are prefilled as one batch, each question's suffix is
 * one batched run, label scoring runs photos × trie paths per decoder run, and captions (then text
 * transcriptions) are decoded together, one weight read per step for every photo. A photo that
 * cannot be read or does not fit gets its own error and the others go on. Each question's ids are
 * those of asking it alone (`firstTurnIds`), so a branch answers exactly as `caption()` would.
 */
import type { ErrorCode, SamplingParams, UnderstandPhotoResult, UnderstandRequest, UnderstandResponse } from '../protocol';
import { WorkerError } from '../protocol';
import { concatPixelValues, prepareImageFile, type PreparedImage } from '../preprocess/image-input';
import { firstTurnIds } from '../preprocess/prompt';
import { throwIfCancelled, type CancelToken, type InternVLModel } from '../runtime/internvl-model';
import { stripCaptionPreamble, toAnswer } from './answer-text';
import { generateRows } from './batch-generate';
import { releaseCache } from '../runtime/kv-location';
import { embedBlocks, emptyRows, feedRows, pickRows, type Rows } from './branch';
import { buildLabelTrie } from './label-trie';
import { scoreLabelRows } from './label-scoring';
import { calibrateScores, contentFreeImage, selectTags } from './tag-calibration';

// [Note: Short questions] Every question token is prefilled once per photo (and the tag question's
// cache is copied once per label row), so the default questions are short. They live in the protocol
// ([Note: Understanding questions]): a remote server is asked the same ones.
import {
  DEFAULT_CAPTION_TOKENS,
  DEFAULT_OCR_PROMPT,
  DEFAULT_OCR_TOKENS,
  DEFAULT_TAG_PROMPT,
  DEFAULT_TAG_TOP_K,
  DEFAULT_UNDERSTAND_CAPTION_PROMPT,
} from '../protocol';
/** The questions, for callers that ask the worker's pipeline directly (test/ml). */
export { DEFAULT_OCR_PROMPT, DEFAULT_TAG_PROMPT, DEFAULT_UNDERSTAND_CAPTION_PROMPT };
/** Calibrated score a tag needs (a log ratio against the content-free image: 0 = as likely as on gray). */
export const DEFAULT_TAG_THRESHOLD = 0;
/** Tiles per vision encoder run. */
export const VISION_TILES_PER_RUN = 1;
/** Most photos per call, most labels per call. */
export const MAX_UNDERSTAND_PHOTOS = 32;
export const MAX_TAG_LABELS = 512;

/*
 * The wire types of `understand` live in native/protocol.ts, once; the pipeline takes and returns them
 * (the worker's handler adds only the model that made the result).
 */
/** Tag settings of {@link understand}. */
export type TagParams = NonNullable<UnderstandRequest['tags']>;
/** Parameters of {@link understand}. */
export type UnderstandParams = UnderstandRequest;
/** One photo's outcome. */
export type UnderstandPhoto = UnderstandPhotoResult;
/** Result of {@link understand}. */
export type UnderstandResult = Omit<UnderstandResponse, 'model'>;

/** Cooperation with the worker. */
export interface UnderstandHooks {
  cancel?: CancelToken | undefined;
  /** Awaited between phases so waiting interactive requests can run. */
  checkpoint?: (() => Promise<void>) | undefined;
}

type Item = { path: string; prepared: PreparedImage } | { path: string; error: { code: ErrorCode; message: string } };

function photoError(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof WorkerError) {
    if (e.code === 'cancelled') throw e;
    return { code: e.code, message: e.message };
  }
  return { code: 'bad_input', message: e instanceof Error ? e.message : String(e) };
}

function checkLabels(labels: readonly string[]): void {
  if (labels.length === 0) throw new WorkerError('bad_input', 'tags need at least one label');
  if (labels.length > MAX_TAG_LABELS) throw new WorkerError('bad_input', `at most ${MAX_TAG_LABELS} labels per request`);
  labels.forEach((l, i) => {
    if (typeof l !== 'string' || l.trim() === '') throw new WorkerError('bad_input', `label ${i} is empty`);
  });
}

function tokenLimit(n: number | undefined, fallback: number, what: string): number {
  const v = n ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new WorkerError('bad_input', `${what} must be an integer ≥ 1`);
  return v;
}

/** Understands a batch of photos. Per-photo failures are in the result; bad params throw `bad_input`. */
export async function understand(model: InternVLModel, params: UnderstandParams, hooks: UnderstandHooks = {}): Promise<UnderstandResult> {
  if (params.images.length > MAX_UNDERSTAND_PHOTOS) throw new WorkerError('bad_input', `at most ${MAX_UNDERSTAND_PHOTOS} photos per call`);
  if (params.tags !== undefined) checkLabels(params.tags.labels);
  const t0 = performance.now();
  const items: Item[] = [];
  for (const img of params.images) {
    throwIfCancelled(hooks.cancel);
    try {
      items.push({
        path: img.path,
        prepared: await prepareImageFile(img.path, model.manifest.image, img.maxTiles ?? model.defaultMaxTiles()),
      });
    } catch (e) {
      items.push({ path: img.path, error: photoError(e) });
    }
  }
  let offsets: number[] | undefined;
  const tags = params.tags;
  if (tags?.offsets === 'content-free') offsets = await contentFreeOffsets(model, tags, hooks);
  else offsets = tags?.offsets;
  return runPrepared(model, items, params, offsets, performance.now() - t0, hooks);
}

const offsetCache = new WeakMap<InternVLModel, Map<string, number[]>>();

/**
 * Mean log-probs of the labels on the content-free image (a mid-gray tile), for the tag prompt:
 * the offsets of [Note: Contextual calibration of tags]. Cached per model, prompt and labels.
 */
export async function contentFreeOffsets(
  model: InternVLModel,
  params: Pick<TagParams, 'labels' | 'prompt'>,
  hooks: UnderstandHooks = {},
): Promise<number[]> {
  checkLabels(params.labels);
  const key = JSON.stringify([params.prompt ?? DEFAULT_TAG_PROMPT, params.labels]);
  let perModel = offsetCache.get(model);
  const hit = perModel?.get(key);
  if (hit !== undefined) return hit;
  const items: Item[] = [{ path: '<content-free>', prepared: contentFreeImage(model.manifest.image) }];
  const res = await runPrepared(
    model,
    items,
    { images: [], caption: false, tags: { ...params }, ocr: { mode: 'never' } },
    undefined,
    0,
    hooks,
  );
  const photo = res.photos[0];
  if (photo?.ok !== true)
    throw new WorkerError('internal', `content-free scoring failed: ${photo?.ok === false ? photo.error.message : 'no result'}`);
  const offsets = photo.scores.map((s) => s.meanLogProb);
  if (perModel === undefined) {
    perModel = new Map<string, number[]>();
    offsetCache.set(model, perModel);
  }
  perModel.set(key, offsets);
  return offsets;
}

/** Length of the longest common prefix of id lists. */
function commonPrefix(lists: readonly (readonly number[])[]): number {
  const first = lists[0]!;
  let n = 0;
  while (n < first.length && lists.every((l) => l[n] === first[n])) n++;
  return n;
}

/** Prompt ids of one tile count: the shared prefix and each question's suffix. */
interface PromptParts {
  prefix: number[];
  caption: number[];
  tag: number[];
  ocr: number[];
}

/**
 * The caption, tag and transcription questions about one image of `tiles` tiles, as asked alone
 * (`firstTurnIds`), split into their common prefix and each one's own suffix.
 */
function splitPrompts(model: InternVLModel, questions: readonly [string, string, string], tiles: number): PromptParts {
  const { tokens } = model.manifest;
  const full = questions.map((question) =>
    firstTurnIds(
      model.tokenizer,
      { question, tilesPerImage: [tiles], systemMessage: model.manifest.system_message },
      tokens,
      model.manifest.image.num_image_token,
    ),
  );
  // The questions differ after `</img>\n`; each keeps at least one token of its own.
  const n = Math.min(commonPrefix(full), ...full.map((f) => f.length - 1));
  if (full[0]!.lastIndexOf(tokens.img_end) >= n) throw new Error('question ids diverge inside the image block');
  return { prefix: full[0]!.slice(0, n), caption: full[0]!.slice(n), tag: full[1]!.slice(n), ocr: full[2]!.slice(n) };
}

async function runPrepared(
  model: InternVLModel,
  items: Item[],
  params: UnderstandParams,
  offsets: number[] | undefined,
  preprocessMs: number,
  hooks: UnderstandHooks,
): Promise<UnderstandResult> {
  const { cancel, checkpoint } = hooks;
  const { tokens } = model.manifest;
  const N = model.manifest.image.num_image_token;
  const cap = params.caption === false ? null : (params.caption ?? {});
  const capTokens = tokenLimit(cap?.maxNewTokens, DEFAULT_CAPTION_TOKENS, 'caption maxNewTokens');
  const ocrMode = params.ocr?.mode ?? 'auto';
  const ocrTokens = tokenLimit(params.ocr?.maxNewTokens, DEFAULT_OCR_TOKENS, 'ocr maxNewTokens');
  const tags = params.tags;
  const threshold = tags?.threshold ?? (offsets === undefined ? -Infinity : DEFAULT_TAG_THRESHOLD);
  const topK = tags?.topK ?? DEFAULT_TAG_TOP_K;
  if (!Number.isInteger(topK) || topK < 0) throw new WorkerError('bad_input', 'topK must be an integer ≥ 0');
  const questions: [string, string, string] = [
    cap?.prompt ?? DEFAULT_UNDERSTAND_CAPTION_PROMPT,
    tags?.prompt ?? DEFAULT_TAG_PROMPT,
    params.ocr?.prompt ?? DEFAULT_OCR_PROMPT,
  ];
  const labelIds = (tags?.labels ?? []).map((l) => model.tokenizer.encode(l));
  const trie = tags === undefined ? null : buildLabelTrie(labelIds);
  const longestLabel = Math.max(0, ...labelIds.map((l) => l.length));

  const parts = new Map<number, PromptParts>();
  const partsFor = (tiles: number): PromptParts => {
    const p = parts.get(tiles) ?? splitPrompts(model, questions, tiles);
    parts.set(tiles, p);
    return p;
  };
  // Per-photo budget: the longest branch must fit the context and the memory budget.
  for (const [i, it] of items.entries()) {
    if (!('prepared' in it)) continue;
    const tiles = it.prepared.pixelValues.dims[0];
    const p = partsFor(tiles);
    const longest = p.prefix.length + Math.max(p.caption.length + capTokens, p.tag.length + longestLabel, p.ocr.length + ocrTokens);
    try {
      model.checkBudget(longest, tiles);
    } catch (e) {
      items[i] = { path: it.path, error: photoError(e) };
    }
  }
  const ok = items.flatMap((it, i) =>
    'prepared' in it ? [{ i, prepared: it.prepared, parts: partsFor(it.prepared.pixelValues.dims[0]) }] : [],
  );
  const timings = { preprocessMs: Math.round(preprocessMs), visionMs: 0, prefillMs: 0, tagsMs: 0, captionMs: 0, ocrMs: 0 };
  const stats = { photos: ok.length, labelPositions: 0, labelRuns: 0 };
  const results: UnderstandPhoto[] = items.map((it) =>
    'error' in it
      ? { path: it.path, ok: false, error: it.error }
      : { path: it.path, ok: true, numTiles: 0, caption: null, tags: [], scores: [], text: null, textReason: null },
  );
  const done = (): UnderstandResult => ({ photos: results, calibrated: offsets !== undefined, timings, stats });
  if (ok.length === 0) return done();
  const since = (t: number): number => Math.round(performance.now() - t);

  // Vision: every photo's tiles in one sequence of encoder runs, one tile per run: on CPU a run of
  // four tiles was no faster per tile and kept ~1 GB more in onnxruntime's arena (bench:understand).
  let t = performance.now();
  const features = await model.encodeImages(concatPixelValues(ok.map((o) => o.prepared.pixelValues)), cancel, VISION_TILES_PER_RUN);
  timings.visionMs = since(t);
  await checkpoint?.();

  // The shared prefix of every photo, one batch.
  t = performance.now();
  const D = model.hidden;
  const blocks: Float32Array[] = [];
  let row = 0;
  for (const o of ok) {
    const tiles = o.prepared.pixelValues.dims[0];
    blocks.push(await model.embedWithImages(o.parts.prefix, features.subarray(row * N * D, (row + tiles) * N * D)));
    row += tiles;
  }
  const prefix = (await feedRows(model, emptyRows(model, ok.length), blocks, 'last', cancel)).rows;
  timings.prefillMs = since(t);
  await checkpoint?.();

  const branch = async (sel: number[], suffix: (p: PromptParts) => number[]): Promise<{ rows: Rows; logits: Float32Array }> => {
    const rows = await pickRows(
      model,
      [prefix],
      sel.map((k) => [0, k] as const),
    );
    return feedRows(
      model,
      rows,
      await embedBlocks(
        model,
        sel.map((k) => suffix(ok[k]!.parts)),
      ),
      'last',
      cancel,
    );
  };
  const all = ok.map((_, k) => k);
  const ocrFor = new Map<number, string>();
  if (ocrMode === 'always') for (const k of all) ocrFor.set(k, 'asked');

  if (tags !== undefined && trie !== null) {
    t = performance.now();
    const q = await branch(all, (p) => p.tag);
    const scored = await scoreLabelRows(model, q.rows, q.logits, trie, { maxRows: params.maxRowsPerRun, cancel });
    releaseCache(q.rows.cache, prefix.cache);
    stats.labelPositions = scored.stats.positions;
    stats.labelRuns = scored.stats.decoderRuns;
    const textLabels = new Set(tags.textLabels ?? []);
    ok.forEach((o, k) => {
      const r = results[o.i]!;
      if (!r.ok) return;
      r.scores = calibrateScores(tags.labels, scored.scores[k]!, offsets);
      r.tags = selectTags(r.scores, threshold, topK);
      const trigger = selectTags(r.scores, threshold, r.scores.length).find((s) => textLabels.has(s.label));
      if (ocrMode === 'auto' && trigger !== undefined) ocrFor.set(k, trigger.label);
    });
    timings.tagsMs = since(t);
    await checkpoint?.();
  }

  const eos = tokens.eos;
  const decode = (ids: number[]): string => model.tokenizer.decode(ids);
  const promptIds = (p: PromptParts, suffix: number[]) => [...p.prefix, ...suffix].filter((id) => id !== tokens.img_context);
  const ask = async (sel: number[], suffix: (p: PromptParts) => number[], maxNew: number, sampling: SamplingParams | undefined) => {
    const q = await branch(sel, suffix);
    const outs = await generateRows(model, q.rows, q.logits, {
      sampling,
      maxNewTokens: maxNew,
      eos,
      promptIds: sel.map((k) => promptIds(ok[k]!.parts, suffix(ok[k]!.parts))),
      cancel,
    });
    releaseCache(q.rows.cache, prefix.cache);
    return outs;
  };

  if (cap !== null) {
    t = performance.now();
    const outs = await ask(all, (p) => p.caption, capTokens, cap.sampling);
    outs.forEach((g, k) => {
      const r = results[ok[k]!.i]!;
      if (r.ok) r.caption = toAnswer(g.tokenIds, g.finishReason, eos, decode, stripCaptionPreamble);
    });
    timings.captionMs = since(t);
    await checkpoint?.();
  }

  const ocrRows = [...ocrFor.keys()].sort((a, b) => a - b);
  if (ocrMode !== 'never' && ocrRows.length > 0) {
    t = performance.now();
    const outs = await ask(ocrRows, (p) => p.ocr, ocrTokens, undefined);
    outs.forEach((g, j) => {
      const k = ocrRows[j]!;
      const r = results[ok[k]!.i]!;
      if (!r.ok) return;
      r.text = toAnswer(g.tokenIds, g.finishReason, eos, decode);
      r.textReason = ocrFor.get(k)!;
    });
    timings.ocrMs = since(t);
  }
  // Every branch is done with the prefix ([Note: KV cache on the device]).
  releaseCache(prefix.cache);
  for (const o of ok) {
    const r = results[o.i]!;
    if (r.ok) r.numTiles = o.prepared.pixelValues.dims[0];
  }
  return done();
}
