/**
 * @file Multi-turn chat about zero or more images with the decoder's KV cache kept across turns.
 *
 * Runs in the inference worker (`chat` / `chatEnd` methods). See [Note: Chat turns and the KV cache]
 * in `native/preprocess/prompt.ts`: a follow-up turn feeds only the last generated token (never fed
 * during generation), `<|im_end|>` when the answer did not end with it, and the new user turn.
 * Cached tensors are immutable, so a failed or cancelled turn leaves the previous state usable.
 *
 * Two modes. Without `history` a session is whatever its turns made (images may come with any turn).
 * With `history` (photo chat) main's saved conversation is the truth and the cache only a shortcut:
 * see [Note: Chat history and the cache] in `native/preprocess/chat-prompt.ts`. There a session also
 * keeps the state from before its last turn, so Regenerate and Edit of the last question continue
 * from the cache too.
 */
import type { ChatHistory, ChatTurnResult, ImageInput, SamplingParams, StreamChunk } from '../protocol';
import { WorkerError } from '../protocol';
import { budgetInput, conversationIds, plainText, turnsToDrop, type PromptTurn } from '../preprocess/chat-prompt';
import { firstTurnIds, nextTurnIds } from '../preprocess/prompt';
import type { CancelToken, InternVLModel, KvCache } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { DEFAULT_MAX_NEW_TOKENS, generate, prefill, type PrefillState } from './generate';
import { encodeImages, type EncodedImages } from './vision';

/** What a history-mode session holds, to compare with the history main sends. */
interface HistoryKey {
  /** The images (paths and tile limits) and the preamble of the first user message. */
  head: string;
  /** History turns before the first one in the cache (dropped by the budget). */
  dropped: number;
  /** The turns in the cache, oldest first. */
  turns: PromptTurn[];
}

/** Conversation state of one session. */
export interface ChatState {
  /** Every token id of the conversation so far, including the unfed last answer token. */
  ids: number[];
  cache: KvCache;
  /** Last generated token, not yet in the cache. */
  pending: number;
  imagesSoFar: number;
  turn: number;
  lastUsed: number;
  /** History mode: what the cache holds. */
  key?: HistoryKey | undefined;
  /** History mode: the state before the last turn (for Regenerate / Edit), when the cache had it. */
  previous?: ChatState | undefined;
}

/** Parameters of one turn. */
export interface ChatParams {
  sessionId: string;
  message: string;
  images?: ImageInput[] | undefined;
  sampling?: SamplingParams | undefined;
  history?: ChatHistory | undefined;
}

/** Tiles per image when a conversation has several: the single-image default shared out, at least 1 each. */
export function tileShare(defaultMaxTiles: number, images: number): number | undefined {
  return images <= 1 ? undefined : Math.max(1, Math.floor(defaultMaxTiles / images));
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Checks the shape of a `history` param (it crosses a process boundary); `bad_request` when it is wrong. */
export function checkHistory(h: unknown): asserts h is ChatHistory {
  const bad = (what: string) => new WorkerError('bad_request', `chat history: ${what}`);
  if (typeof h !== 'object' || h === null) throw bad('must be an object');
  const { images, preamble, turns, contextTokens } = h as Record<string, unknown>;
  if (!Array.isArray(images)) throw bad('images must be an array');
  images.forEach((img: unknown, i) => {
    const o = img as { path?: unknown; maxTiles?: unknown } | null;
    if (typeof o?.path !== 'string' || o.path === '' || (o.maxTiles !== undefined && !isInt(o.maxTiles))) {
      throw bad(`images[${i}] must be { path: string, maxTiles?: integer }`);
    }
  });
  if (preamble !== undefined && typeof preamble !== 'string') throw bad('preamble must be a string');
  if (contextTokens !== undefined && (!isInt(contextTokens) || contextTokens < 1)) throw bad('contextTokens must be a positive integer');
  if (!Array.isArray(turns)) throw bad('turns must be an array');
  turns.forEach((t: unknown, i) => {
    const o = t as { question?: unknown; answer?: unknown; answerIds?: unknown } | null;
    const idsOk = o?.answerIds === undefined || (Array.isArray(o.answerIds) && o.answerIds.every((x) => isInt(x) && x >= 0));
    if (typeof o?.question !== 'string' || typeof o.answer !== 'string' || !idsOk) {
      throw bad(`turns[${i}] must be { question: string, answer: string, answerIds?: integer[] }`);
    }
  });
}

const sameIds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether a session's cache holds exactly `turns` after `head`. */
function holds(key: HistoryKey | undefined, head: string, turns: readonly PromptTurn[]): boolean {
  if (key?.head !== head || key.dropped + key.turns.length !== turns.length) return false;
  return key.turns.every(
    (t, i) => t.question === turns[key.dropped + i]!.question && sameIds(t.answerIds, turns[key.dropped + i]!.answerIds),
  );
}

/** Keeps chat sessions (least recently used ones are dropped beyond `maxSessions`). */
export class ChatSessions {
  private readonly sessions = new Map<string, ChatState>();
  constructor(private readonly maxSessions = 4) {}

  /** State of a session (for tests and diagnostics). */
  get(id: string): ChatState | undefined {
    return this.sessions.get(id);
  }

  /** Forgets a session. */
  end(id: string): boolean {
    const s = this.sessions.get(id);
    releaseCache(s?.cache);
    releaseCache(s?.previous?.cache);
    return this.sessions.delete(id);
  }

  /** Forgets all sessions (on model change). */
  clear(): void {
    for (const id of [...this.sessions.keys()]) this.end(id);
  }

  /** Runs one turn; the session's state is replaced only when the turn succeeds. */
  async turn(model: InternVLModel, params: ChatParams, onChunk?: (c: StreamChunk) => void, cancel?: CancelToken): Promise<ChatTurnResult> {
    if (params.message.trim() === '') throw new WorkerError('bad_input', 'chat message is empty');
    if (params.history !== undefined) return this.historyTurn(model, params, params.history, onChunk, cancel);
    // A history-mode session is not continued without its history.
    if (this.sessions.get(params.sessionId)?.key !== undefined) this.end(params.sessionId);
    const prev = this.sessions.get(params.sessionId);
    const images = params.images ?? [];
    const enc = await encodeImages(model, images, 64 + params.message.length + (prev?.cache.length ?? 0), cancel);
    const { tokens } = model.manifest;
    const N = model.manifest.image.num_image_token;
    let newIds: number[];
    if (prev === undefined) {
      newIds = firstTurnIds(
        model.tokenizer,
        { question: params.message, tilesPerImage: enc.tilesPerImage, systemMessage: model.manifest.system_message },
        tokens,
        N,
      );
    } else {
      const turnIds = nextTurnIds(model.tokenizer, params.message, enc.tilesPerImage, prev.imagesSoFar + 1, true, tokens, N);
      newIds = [prev.pending, ...(prev.pending === tokens.im_end ? [] : [tokens.im_end]), ...turnIds];
    }
    model.checkBudget((prev?.cache.length ?? 0) + newIds.length, sum(enc.tilesPerImage));
    const t0 = performance.now();
    const state = await prefill(model, newIds, enc.features, prev?.cache ?? null, cancel);
    const window = model.manifest.llm.max_position_embeddings;
    const turn = { base: prev, reused: prev !== undefined, newIds, state, enc, prefillMs: performance.now() - t0, window };
    return this.answer(model, params, turn, onChunk, cancel, (s) => ({
      ...s,
      imagesSoFar: (prev?.imagesSoFar ?? 0) + images.length,
      turn: (prev?.turn ?? 0) + 1,
    }));
  }

  /** A turn in history mode: continue the cache that holds the history, or rebuild it within the budget. */
  private async historyTurn(
    model: InternVLModel,
    params: ChatParams,
    history: ChatHistory,
    onChunk?: (c: StreamChunk) => void,
    cancel?: CancelToken,
  ): Promise<ChatTurnResult> {
    checkHistory(history);
    if (params.images !== undefined && params.images.length > 0) {
      throw new WorkerError('bad_request', 'chat takes its images in history.images when history is given');
    }
    const { tokens } = model.manifest;
    const tok = model.tokenizer;
    const N = model.manifest.image.num_image_token;
    const ctx = model.manifest.llm.max_position_embeddings;
    const window = Math.min(history.contextTokens ?? ctx, ctx);
    const reserve = params.sampling?.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
    const preamble = history.preamble ?? '';
    const turns: PromptTurn[] = history.turns.map((t) => ({
      question: t.question,
      // Ids another tokenizer made cannot be replayed: the text is tokenised instead.
      answerIds:
        t.answerIds?.length && t.answerIds.every((id) => id < model.vocab)
          ? t.answerIds
          : [...tok.encode(plainText(t.answer.trim())), tokens.im_end],
    }));
    const share = tileShare(model.defaultMaxTiles(), history.images.length);
    const images = history.images.map((img) => (img.maxTiles === undefined && share !== undefined ? { ...img, maxTiles: share } : img));
    const head = JSON.stringify({ images: images.map((i) => [i.path, i.maxTiles ?? null]), preamble });
    const question = nextTurnIds(tok, plainText(params.message), [], 0, true, tokens, N);
    const followUp = (b: ChatState) => [b.pending, ...(b.pending === tokens.im_end ? [] : [tokens.im_end]), ...question];
    const withAnswer = (key: HistoryKey, answerIds: number[]): HistoryKey => ({
      ...key,
      turns: [...key.turns, { question: params.message, answerIds }],
    });

    const session = this.sessions.get(params.sessionId);
    let base = [session, session?.previous].find((s) => s !== undefined && holds(s.key, head, turns));
    let enc: EncodedImages | null = null;
    let prefillMs = 0;
    if (base === undefined || base.cache.length + followUp(base).length + reserve > window) {
      // Rebuild: the images, then the newest turns that fit. The old caches go first (memory).
      this.end(params.sessionId);
      enc = await encodeImages(model, images, 64 + preamble.length + params.message.length, cancel);
      const conv = {
        systemMessage: model.manifest.system_message,
        tilesPerImage: enc.tilesPerImage,
        preamble,
        turns,
        question: params.message,
      };
      let dropped = turnsToDrop(budgetInput(tok, conv, tokens, N, reserve, window)) ?? turns.length;
      let ids = conversationIds(tok, { ...conv, turns: turns.slice(dropped) }, tokens, N);
      while (ids.length + reserve > window && dropped < turns.length) {
        dropped++;
        ids = conversationIds(tok, { ...conv, turns: turns.slice(dropped) }, tokens, N);
      }
      if (ids.length + reserve > window) {
        throw new WorkerError(
          'bad_input',
          `the image(s) and this question take ${ids.length} tokens and the answer up to ${reserve} more, beyond the ${window}-token context; ask a shorter question or about fewer photos`,
        );
      }
      model.checkBudget(ids.length, sum(enc.tilesPerImage));
      const kept = turns.slice(dropped);
      const t0 = performance.now();
      if (kept.length === 0) {
        const state = await prefill(model, ids, enc.features, null, cancel);
        const turn = { base: undefined, reused: false, newIds: ids, state, enc, prefillMs: performance.now() - t0, window };
        return this.answer(model, params, turn, onChunk, cancel, (s, answerIds) => ({
          ...s,
          imagesSoFar: images.length,
          turn: turns.length + 1,
          key: withAnswer({ head, dropped, turns: [] }, answerIds),
        }));
      }
      // The history up to its last answer's last token becomes the base, as if it had been cached.
      const pending = kept.at(-1)!.answerIds.at(-1)!;
      const baseIds = ids.slice(0, ids.length - (pending === tokens.im_end ? 1 : 2) - question.length);
      const baseState = await prefill(model, baseIds, enc.features, null, cancel);
      prefillMs = performance.now() - t0;
      base = {
        ids: [...baseIds, pending],
        cache: baseState.cache,
        pending,
        imagesSoFar: images.length,
        turn: turns.length,
        lastUsed: Date.now(),
        key: { head, dropped, turns: kept },
      };
    }
    const b = base;
    const reused = enc === null;
    const newIds = followUp(b);
    let state: PrefillState;
    const t0 = performance.now();
    try {
      model.checkBudget(b.cache.length + newIds.length, sum(enc?.tilesPerImage ?? []));
      state = await prefill(model, newIds, null, b.cache, cancel);
    } catch (e) {
      if (!reused) releaseCache(b.cache);
      throw e;
    }
    prefillMs += performance.now() - t0;
    const turn = { base: b, reused, newIds, state, enc, prefillMs, window };
    const result = await this.answer(model, params, turn, onChunk, cancel, (s, answerIds) => ({
      ...s,
      imagesSoFar: b.imagesSoFar,
      turn: turns.length + 1,
      key: withAnswer(b.key!, answerIds),
      // The state this turn built on stays one step back, for Regenerate and Edit.
      previous: { ...b, previous: undefined },
    }));
    // The session's other caches go now that the turn succeeded.
    if (reused) for (const s of [session, session?.previous]) if (s !== undefined && s !== b) releaseCache(s.cache, b.cache);
    return result;
  }

  /** Generates the answer after a prefill and stores the session's new state (only on success). */
  private async answer(
    model: InternVLModel,
    params: ChatParams,
    t: {
      /** The state the prompt continued, if any; `reused`: it came from the session (not rebuilt now). */
      base: ChatState | undefined;
      reused: boolean;
      newIds: number[];
      state: PrefillState;
      enc: EncodedImages | null;
      prefillMs: number;
      window: number;
    },
    onChunk: ((c: StreamChunk) => void) | undefined,
    cancel: CancelToken | undefined,
    finish: (s: ChatState, answerIds: number[]) => ChatState,
  ): Promise<ChatTurnResult> {
    const { tokens } = model.manifest;
    let gen;
    try {
      gen = await generate(model, t.state, {
        sampling: params.sampling,
        eos: tokens.eos,
        cancel,
        onChunk,
        promptIds: t.newIds.filter((id) => id !== tokens.img_context),
        contextLeft: t.window - t.state.cache.length,
      });
    } catch (e) {
      // Caches made for this turn go; a session's own caches stay usable.
      releaseCache(t.state.cache, t.reused ? t.base?.cache : null);
      if (!t.reused) releaseCache(t.base?.cache);
      throw e;
    }
    // base.ids already ends with the pending token that newIds starts with.
    const allIds = t.base === undefined ? t.newIds : [...t.base.ids, ...t.newIds.slice(1)];
    releaseCache(t.state.cache, gen.cache);
    const state = finish(
      {
        ids: [...allIds, ...gen.tokenIds],
        cache: gen.cache,
        pending: gen.tokenIds[gen.tokenIds.length - 1]!,
        imagesSoFar: 0,
        turn: 0,
        lastUsed: Date.now(),
      },
      gen.tokenIds,
    );
    // Without a previous state to keep (legacy mode), the cache this turn built on goes.
    if (state.previous === undefined) releaseCache(t.base?.cache, gen.cache);
    this.sessions.set(params.sessionId, state);
    this.evict();
    return {
      text: gen.text,
      tokenIds: gen.tokenIds,
      finishReason: gen.finishReason,
      promptTokens: allIds.length,
      numTiles: sum(t.enc?.tilesPerImage ?? []),
      turn: state.turn,
      reusedTokens: t.reused && t.base !== undefined ? t.base.cache.length : 0,
      droppedTurns: state.key?.dropped ?? 0,
      contextTokens: gen.cache.length + 1,
      contextWindow: t.window,
      timings: {
        preprocessMs: Math.round(t.enc?.preprocessMs ?? 0),
        visionMs: Math.round(t.enc?.visionMs ?? 0),
        prefillMs: Math.round(t.prefillMs),
        decodeMs: Math.round(gen.decodeMs),
      },
    };
  }

  private evict(): void {
    while (this.sessions.size > this.maxSessions) {
      let oldest: string | null = null;
      let t = Infinity;
      for (const [id, s] of this.sessions) {
        if (s.lastUsed < t) {
          t = s.lastUsed;
          oldest = id;
        }
      }
      if (oldest === null) break;
      this.end(oldest);
    }
  }
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
