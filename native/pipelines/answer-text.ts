/**
 * @file Generated ids → the text of an answer: decode, trim, drop a caption's "The image shows…"
 * preamble, and say how the answer ended.
 *
 * Runs in the inference worker (`understand.ts`); pure.
 */

import { stripCaptionPreamble, type UnderstandAnswer } from '../protocol';

/** A generated answer (the protocol's type): ids include the EOS that ended it, if one did. */
export type Answer = UnderstandAnswer;
/** How an answer ended: EOS, the token limit (a runaway answer), or nothing usable was said. */
export type AnswerFinish = Answer['finish'];

/** Drops a caption's "The image shows…" preamble; kept in the protocol ([Note: Understanding questions]). */
export { stripCaptionPreamble };

/** An answer from generated ids: `decode` turns ids (EOS removed) into text; `clean` post-processes it. */
export function toAnswer(
  tokenIds: number[],
  finishReason: 'stop' | 'length',
  eos: readonly number[],
  decode: (ids: number[]) => string,
  clean: (text: string) => string = (t) => t,
): Answer {
  const text = clean(decode(tokenIds.filter((id) => !eos.includes(id))).trim());
  return { text, tokenIds, finish: text === '' ? 'empty' : finishReason };
}
