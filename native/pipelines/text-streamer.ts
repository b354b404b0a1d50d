/**
 * @file Streaming detokenisation: turns the ids a generation produces, one step at a time, into text
 * deltas, holding back a multi-byte character until it is whole (transformers.js's `TextStreamer`).
 *
 * Runs in the inference worker; used by `generate.ts`.
 */
import type { BundleTokenizer } from '../preprocess/tokenizer';

/**
 * Turns a growing list of generated ids into text deltas. Holds back output while the text ends in
 * an incomplete UTF-8 sequence (U+FFFD), so multi-byte characters split across tokens stream whole.
 */
export class TextStreamer {
  private ids: number[] = [];
  private emitted = 0;
  constructor(private readonly tok: BundleTokenizer) {}

  /** Adds tokens; returns the new printable text (possibly ''). */
  push(ids: readonly number[]): string {
    this.ids.push(...ids);
    const text = this.tok.decode(this.ids);
    if (text.endsWith('\uFFFD')) return '';
    const delta = text.slice(this.emitted);
    this.emitted = text.length;
    return delta;
  }

  /** Flushes whatever is left (including a trailing replacement character). */
  flush(): string {
    const text = this.tok.decode(this.ids);
    const delta = text.slice(this.emitted);
    this.emitted = text.length;
    return delta;
  }
}
