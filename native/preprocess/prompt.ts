/**
 * @file InternVL prompt construction: the `internvl2_5` ChatML template with its system message,
 * `<img>` + 256·tiles `<IMG_CONTEXT>` + `</img>` spliced by token id, several images, several turns.
 *
 * Runs in the inference worker. Mirrors `InternVLChatModel.chat` and `conversation.py` (MPT style,
 * sep `<|im_end|>\n`) from OpenGVLab/InternVL (native/docs/internvl.md §4).
 *
 * [Note: Prompt splicing by id] Each image is written into the text as `<img><IMG_CONTEXT></img>`,
 * the whole text is tokenised once (added tokens are split before BPE, so the text between special
 * tokens is tokenised exactly as in the full reference prompt), then every single `<IMG_CONTEXT>`
 * id is expanded to 256·tiles copies. This avoids tokenising a 3k-token string and is equivalent.
 *
 * [Note: Chat turns and the KV cache] A follow-up turn appends, after the generated answer ids,
 * `<|im_end|>` (when generation did not already end with it) + `\n<|im_start|>user\n{q}<|im_end|>\n
 * <|im_start|>assistant\n`. This is the reference conversation's token sequence with the answer kept
 * as generated ids (not re-tokenised text), so the decoder's cache can be reused.
 */
import type { BundleTokenizer } from './tokenizer';

/** The default `internvl2_5` system message (InternVL2.5 / InternVL3). */
export const INTERNVL2_5_SYSTEM_MESSAGE =
  '你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。';

/** Token ids the template needs (from the manifest). */
export interface TemplateTokens {
  img_start: number;
  img_end: number;
  img_context: number;
  im_start: number;
  im_end: number;
}

/** Text of a user message with one `<image>` placeholder per image, in the reference's layout. */
export function userMessageWithImages(question: string, numImages: number, firstImageNumber = 1): string {
  if (numImages === 0) return question;
  if (question.includes('<image>')) {
    const n = question.split('<image>').length - 1;
    if (n !== numImages) throw new RangeError(`question has ${n} <image> placeholders for ${numImages} images`);
    return question;
  }
  if (numImages === 1) return `<image>\n${question}`;
  let prefix = '';
  for (let i = 0; i < numImages; i++) prefix += `Image-${firstImageNumber + i}: <image>\n`;
  return prefix + question;
}

/**
 * Encodes text containing `<image>` placeholders: each becomes `<img>` + 256·tiles[i] ×
 * `<IMG_CONTEXT>` + `</img>`, spliced by id.
 */
export function encodeWithImages(
  tok: BundleTokenizer,
  text: string,
  tilesPerImage: readonly number[],
  tokens: TemplateTokens,
  numImageToken: number,
): number[] {
  const parts = text.split('<image>');
  if (parts.length - 1 !== tilesPerImage.length) {
    throw new RangeError(`prompt has ${parts.length - 1} <image> placeholders for ${tilesPerImage.length} images`);
  }
  const marker = '<img><IMG_CONTEXT></img>';
  const ids = tok.encode(parts.join(marker));
  const out: number[] = [];
  let img = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === tokens.img_context) {
      const tiles = tilesPerImage[img++];
      if (tiles === undefined) throw new RangeError('the text itself contains <IMG_CONTEXT>');
      for (let k = 0; k < tiles * numImageToken; k++) out.push(tokens.img_context);
    } else out.push(id);
  }
  if (img !== tilesPerImage.length) {
    throw new Error('the tokenizer does not map <IMG_CONTEXT> to the manifest id (wrong tokenizer for this bundle?)');
  }
  return out;
}

/** Inputs of the first turn. */
export interface FirstTurn {
  question: string;
  /** Tiles of each image of this turn, in order. */
  tilesPerImage: readonly number[];
  /** null or undefined → template default. */
  systemMessage?: string | null | undefined;
}

/** Full prompt ids of a conversation's first turn, ending with `<|im_start|>assistant\n`. */
export function firstTurnIds(tok: BundleTokenizer, turn: FirstTurn, tokens: TemplateTokens, numImageToken: number): number[] {
  const sys = turn.systemMessage ?? INTERNVL2_5_SYSTEM_MESSAGE;
  const user = userMessageWithImages(turn.question, turn.tilesPerImage.length);
  const text = `<|im_start|>system\n${sys}<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;
  return encodeWithImages(tok, text, turn.tilesPerImage, tokens, numImageToken);
}

/**
 * Ids to append after a previous answer for the next turn (see [Note: Chat turns and the KV cache]).
 * `answerEndedWithImEnd` says whether the answer ids already end with `<|im_end|>`.
 */
export function nextTurnIds(
  tok: BundleTokenizer,
  question: string,
  tilesPerImage: readonly number[],
  firstImageNumber: number,
  answerEndedWithImEnd: boolean,
  tokens: TemplateTokens,
  numImageToken: number,
): number[] {
  const user = userMessageWithImages(question, tilesPerImage.length, firstImageNumber);
  const text = `\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;
  const ids = encodeWithImages(tok, text, tilesPerImage, tokens, numImageToken);
  return answerEndedWithImEnd ? ids : [tokens.im_end, ...ids];
}
