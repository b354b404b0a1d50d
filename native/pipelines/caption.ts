/**
 * @file Caption one image: the reference captioning prompt, greedy by default, streamed.
 *
 * Runs in the inference worker (`caption` method).
 */
import type { GenerationResult, ImageInput, SamplingParams, StreamChunk } from '../protocol';
import { firstTurnIds } from '../preprocess/prompt';
import type { CancelToken, InternVLModel } from '../runtime/internvl-model';
import { generate, prefill } from './generate';
import { encodeImages } from './vision';

/** InternVL's caption evaluation prompt (design/internvl.md §4.4). */
export const DEFAULT_CAPTION_PROMPT = 'Provide a one-sentence caption for the provided image.';

/** Parameters of {@link caption}. */
export interface CaptionParams {
  image: ImageInput;
  prompt?: string | undefined;
  sampling?: SamplingParams | undefined;
}

/** Captions an image, streaming chunks through `onChunk`. */
export async function caption(
  model: InternVLModel,
  params: CaptionParams,
  onChunk?: (c: StreamChunk) => void,
  cancel?: CancelToken,
): Promise<GenerationResult> {
  const question = params.prompt ?? DEFAULT_CAPTION_PROMPT;
  const enc = await encodeImages(model, [params.image], 64 + question.length, cancel);
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
  const gen = await generate(model, state, {
    sampling: params.sampling,
    eos: model.manifest.tokens.eos,
    cancel,
    onChunk,
    promptIds: ids.filter((id) => id !== model.manifest.tokens.img_context),
    contextLeft: model.manifest.llm.max_position_embeddings - ids.length,
  });
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
