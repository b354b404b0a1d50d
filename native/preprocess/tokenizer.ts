/**
 * @file The bundle tokenizer: `tokenizer.json` loaded through `@huggingface/tokenizers` (pure JS),
 * with helpers for InternVL's added tokens. Streaming detokenisation is a generation concern and lives
 * in `native/pipelines/text-streamer.ts`.
 *
 * Runs in the inference worker (and the debug CLI). Special tokens written in a text are matched as
 * added tokens before BPE, exactly as the reference `tokenizer(prompt)` does.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

/** InternVL's added tokens after the Qwen2.5 vocabulary (native/docs/internvl.md §4.1). */
export const INTERNVL_QWEN_ADDED_TOKENS: readonly { id: number; content: string }[] = [
  { id: 151665, content: '<img>' },
  { id: 151666, content: '</img>' },
  { id: 151667, content: '<IMG_CONTEXT>' },
  { id: 151668, content: '<quad>' },
  { id: 151669, content: '</quad>' },
  { id: 151670, content: '<ref>' },
  { id: 151671, content: '</ref>' },
  { id: 151672, content: '<box>' },
  { id: 151673, content: '</box>' },
];

interface TokenizerJson {
  added_tokens?: { id: number; content: string; special?: boolean }[];
  [k: string]: unknown;
}

/**
 * Returns a copy of a tokenizer.json object whose added tokens with the given ids are replaced by
 * the given contents (used in tests to turn the Qwen3 vocabulary into InternVL's).
 */
export function withAddedTokens(json: unknown, tokens: readonly { id: number; content: string }[]): unknown {
  const j = structuredClone(json) as TokenizerJson;
  const ids = new Set(tokens.map((t) => t.id));
  const kept = (j.added_tokens ?? []).filter((t) => !ids.has(t.id));
  j.added_tokens = [
    ...kept,
    ...tokens.map((t) => ({
      id: t.id,
      content: t.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
  ].sort((a, b) => a.id - b.id);
  return j;
}

/** A loaded tokenizer with the operations the engine needs. */
export class BundleTokenizer {
  private readonly tok: Tokenizer;
  private readonly special: Set<number>;

  constructor(json: unknown, config: object = {}) {
    this.tok = new Tokenizer(json as object, config);
    const j = json as TokenizerJson;
    this.special = new Set((j.added_tokens ?? []).filter((t) => t.special === true).map((t) => t.id));
  }

  /** Loads `tokenizer.json` (and `tokenizer_config.json` next to it when present). */
  static async fromFile(file: string): Promise<BundleTokenizer> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new Error(`cannot load tokenizer ${file}: ${(e as Error).message}`);
    }
    let config: object = {};
    try {
      config = JSON.parse(await readFile(path.join(path.dirname(file), 'tokenizer_config.json'), 'utf8')) as object;
    } catch {
      // tokenizer_config.json is optional; tokenizer.json carries everything encoding needs.
    }
    try {
      return new BundleTokenizer(json, config);
    } catch (e) {
      throw new Error(`tokenizer ${file} is not a valid tokenizer.json: ${(e as Error).message}`);
    }
  }

  /**
   * Token ids of a text, no BOS/EOS added (Qwen has no BOS); with `addSpecialTokens` the tokenizer's own
   * post-processor wraps them (an encoder's `[CLS] … [SEP]`).
   */
  encode(text: string, addSpecialTokens = false): number[] {
    return this.tok.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  /** Token strings of a text. */
  tokenize(text: string): string[] {
    return this.tok.encode(text, { add_special_tokens: false }).tokens;
  }

  /** Text of token ids; special tokens are dropped when `skipSpecial`. */
  decode(ids: readonly number[], skipSpecial = true): string {
    const kept = skipSpecial ? ids.filter((id) => !this.special.has(id)) : [...ids];
    return this.tok.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** Id of a token string, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  /** Token string of an id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }
}
