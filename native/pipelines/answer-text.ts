/**
 * @file Generated ids → the text of an answer: decode, trim, drop a caption's "The image shows…"
 * preamble, and say how the answer ended.
 *
 * Runs in the inference worker (`understand.ts`); pure.
 */

import type { UnderstandAnswer } from '../protocol';

/** A generated answer (the protocol's type): ids include the EOS that ended it, if one did. */
export type Answer = UnderstandAnswer;
/** How an answer ended: EOS, the token limit (a runaway answer), or nothing usable was said. */
export type AnswerFinish = Answer['finish'];

// "The image shows", "This photo depicts", "In this picture, there is", "This is an image of"…
const PREAMBLES = [
  /^(?:the|this)\s+(?:image|photo|photograph|picture|scene|shot)\s+(?:shows|depicts|features|captures|contains|displays|presents|illustrates|is\s+of)\s*:?\s*/i,
  /^in\s+(?:the|this)\s+(?:image|photo|photograph|picture|scene)\s*,?\s*(?:we\s+(?:can\s+)?see|there\s+(?:is|are))?\s*:?\s*/i,
  /^(?:this|it)\s+is\s+(?:a|an)\s+(?:image|photo|photograph|picture|shot)\s+(?:of|showing|depicting)\s*/i,
];

/** Removes a leading "The image shows…" and capitalises what follows. */
export function stripCaptionPreamble(text: string): string {
  let t = text.trim();
  for (const re of PREAMBLES) {
    const m = re.exec(t);
    if (m !== null && m[0].length > 0 && m[0].length < t.length) {
      t = t.slice(m[0].length).trimStart();
      return t.charAt(0).toUpperCase() + t.slice(1);
    }
  }
  return t;
}

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
