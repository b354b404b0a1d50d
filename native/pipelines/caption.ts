/**
 * @file Caption one image: the reference captioning prompt, greedy by default, streamed.
 *
 * Runs in the inference worker (`caption` method). The prompt and the token limit default here (and
 * in `generate.ts`) only: main sends them only when the user gave them. A background caption offers a
 * checkpoint after the image is encoded and after the prompt is prefilled ([Note: Worker lanes] in
 * `native/protocol.ts`).
 */
import type { GenerationResult, ImageInput, SamplingParams, StreamChunk } from '../protocol';
import { firstTurnIds } from '../preprocess/prompt';
import type { CancelToken, InternVLModel } from '../runtime/internvl-model';
import { releaseCache } from '../runtime/kv-location';
import { generate, prefill } from './generate';
import { encodeImages } from './vision';

/** InternVL's caption evaluation prompt (native/docs/internvl.md §4.4). */
export const DEFAULT_CAPTION_PROMPT = 'Provide a one-sentence caption for the provided image.';

/** Parameters of {@link caption}. */
export interface CaptionParams {
  image: ImageInput;
  prompt?: string | undefined;
  sampling?: SamplingParams | undefined;
}

/** How a caption reports and yields while it runs. */
export interface CaptionHooks {
  /** Receives the text as it is generated. */
  onChunk?: ((c: StreamChunk) => void) | undefined;
  cancel?: CancelToken | undefined;
  /** Awaited between phases so waiting interactive requests can run ([Note: Worker lanes]). */
  checkpoint?: (() => Promise<void>) | undefined;
}

/** Captions an image, streaming chunks through `hooks.onChunk`. */
export async function caption(model: InternVLModel, params: CaptionParams, hooks: CaptionHooks = {}): Promise<GenerationResult> {
  const { onChunk, cancel, checkpoint } = hooks;
  const question = params.prompt ?? DEFAULT_CAPTION_PROMPT;
  const enc = await encodeImages(model, [params.image], 64 + question.length, cancel);
  await checkpoint?.();
  const ids = firstTurnIds(
    model.tokenizer,
    { question, tilesPerImage: enc.tilesPerImage, systemMessage: model.manifest.system_message },
    model.manifest.tokens,
    model.manifest.image.num_image_token,
  );
  model.checkBudget(ids.length, enc.tilesPerImage[0] ?? 0);
  const t0 = performance.now();
  const state = await prefill(model, ids, enc.features, null, cancel);
  const prefillMs = performance.now() - t0;
  await checkpoint?.();
  const gen = await generate(model, state, {
    sampling: params.sampling,
    eos: model.manifest.tokens.eos,
    cancel,
    onChunk,
    promptIds: ids.filter((id) => id !== model.manifest.tokens.img_context),
    contextLeft: model.manifest.llm.max_position_embeddings - ids.length,
  });
  releaseCache(state.cache);
  releaseCache(gen.cache);
  return {
    text: gen.text,
    tokenIds: gen.tokenIds,
    finishReason: gen.finishReason,
    promptTokens: ids.length,
    numTiles: enc.tilesPerImage[0] ?? 0,
    timings: {
      preprocessMs: Math.round(enc.preprocessMs),
      visionMs: Math.round(enc.visionMs),
      prefillMs: Math.round(prefillMs),
      decodeMs: Math.round(gen.decodeMs),
    },
  };
}
