/**
 * @file Multi-turn chat about zero or more images with the decoder's KV cache kept across turns.
 *
 * Runs in the inference worker (`chat` / `chatEnd` methods). See [Note: Chat turns and the KV cache]
 * in `native/preprocess/prompt.ts`: a follow-up turn feeds only the last generated token (never fed
 * during generation), `<|im_end|>` when the answer did not end with it, and the new user turn.
 * Cached tensors are immutable, so a failed or cancelled turn leaves the previous state usable.
 */
import type { GenerationResult, ImageInput, SamplingParams, StreamChunk } from '../protocol';
import { WorkerError } from '../protocol';
import { firstTurnIds, nextTurnIds } from '../preprocess/prompt';
import type { CancelToken, InternVLModel, KvCache } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { generate, prefill } from './generate';
import { encodeImages } from './vision';

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
}

/** Parameters of one turn. */
export interface ChatParams {
  sessionId: string;
  message: string;
  images?: ImageInput[] | undefined;
  sampling?: SamplingParams | undefined;
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
    releaseCache(this.sessions.get(id)?.cache);
    return this.sessions.delete(id);
  }

  /** Forgets all sessions (on model change). */
  clear(): void {
    for (const s of this.sessions.values()) releaseCache(s.cache);
    this.sessions.clear();
  }

  /** Runs one turn; the session's state is replaced only when the turn succeeds. */
  async turn(
    model: InternVLModel,
    params: ChatParams,
    onChunk?: (c: StreamChunk) => void,
    cancel?: CancelToken,
  ): Promise<GenerationResult & { turn: number; reusedTokens: number }> {
    if (params.message.trim() === '') throw new WorkerError('bad_input', 'chat message is empty');
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
    const reused = prev?.cache.length ?? 0;
    const tiles = enc.tilesPerImage.reduce((a, b) => a + b, 0);
    model.checkBudget(reused + newIds.length, tiles);
    const t0 = performance.now();
    const state = await prefill(model, newIds, enc.features, prev?.cache ?? null, cancel);
    const prefillMs = performance.now() - t0;
    // prev.ids already ends with the pending token that newIds starts with.
    const allIds = prev === undefined ? newIds : [...prev.ids, ...newIds.slice(1)];
    const gen = await generate(model, state, {
      sampling: params.sampling,
      eos: tokens.eos,
      cancel,
      onChunk,
      promptIds: newIds.filter((id) => id !== tokens.img_context),
      contextLeft: model.manifest.llm.max_position_embeddings - state.cache.length,
    });
    const turn = (prev?.turn ?? 0) + 1;
    // The new state replaces the old one: the caches only this turn or the previous one held go.
    releaseCache(state.cache, gen.cache);
    releaseCache(prev?.cache, gen.cache);
    this.sessions.set(params.sessionId, {
      ids: [...allIds, ...gen.tokenIds],
      cache: gen.cache,
      pending: gen.tokenIds[gen.tokenIds.length - 1]!,
      imagesSoFar: (prev?.imagesSoFar ?? 0) + images.length,
      turn,
      lastUsed: Date.now(),
    });
    this.evict();
    return {
      text: gen.text,
      tokenIds: gen.tokenIds,
      finishReason: gen.finishReason,
      promptTokens: allIds.length,
      numTiles: tiles,
      turn,
      reusedTokens: reused,
      timings: {
        preprocessMs: Math.round(enc.preprocessMs),
        visionMs: Math.round(enc.visionMs),
        prefillMs: Math.round(prefillMs),
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
