/**
 * @file Photo chat's history mode on the tiny bundle ([Note: Chat history and the cache]): a
 * multi-turn conversation with the KV cache reused gives exactly the tokens of recomputing it from
 * scratch (a fresh worker rebuilding from the saved history, and one plain prefill of the whole
 * prompt); Regenerate continues from the state kept one step back; several photos go in as separate
 * images; a small context budget drops the oldest turns and still answers as from scratch.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSessions } from '../../native/pipelines/chat';
import { generate, prefill } from '../../native/pipelines/generate';
import { encodeImages } from '../../native/pipelines/vision';
import { conversationIds } from '../../native/preprocess/chat-prompt';
import type { ChatHistory, ChatHistoryTurn, ImageInput } from '../../native/protocol';
import { InternVLModel } from '../../native/runtime/internvl-model';

const BUNDLE = 'test/fixtures/models/tiny-internvl';
const IMG = path.join('test/fixtures/images/ml', 'square.png');
const IMG2 = path.join('test/fixtures/images/ml', 'ratio-3x2.png');
const SAMPLING = { maxNewTokens: 10, minNewTokens: 3 };
let model: InternVLModel;

beforeAll(async () => {
  model = await InternVLModel.load(BUNDLE, { executionProviders: ['cpu'] });
});
afterAll(async () => {
  await model.release();
});

/** Asks `questions` one after another in one session, each turn sending the history so far. */
async function converse(chats: ChatSessions, id: string, images: ImageInput[], questions: string[], extra: Partial<ChatHistory> = {}) {
  const turns: ChatHistoryTurn[] = [];
  const results = [];
  for (const q of questions) {
    const history: ChatHistory = { images, preamble: 'File: square.png', turns: [...turns], ...extra };
    const r = await chats.turn(model, { sessionId: id, message: q, history, sampling: SAMPLING });
    results.push(r);
    turns.push({ question: q, answer: r.text, answerIds: r.tokenIds });
  }
  return { turns, results };
}

/** Greedy answer of one prefill of the whole prompt (no cache of any earlier turn). */
async function fromScratch(images: ImageInput[], turns: ChatHistoryTurn[], question: string, preamble = 'File: square.png') {
  const enc = await encodeImages(model, images, 0);
  const ids = conversationIds(
    model.tokenizer,
    { tilesPerImage: enc.tilesPerImage, preamble, turns: turns.map((t) => ({ question: t.question, answerIds: t.answerIds! })), question },
    model.manifest.tokens,
    model.manifest.image.num_image_token,
  );
  const st = await prefill(model, ids, enc.features, null);
  const out = await generate(model, st, { eos: model.manifest.tokens.eos, sampling: SAMPLING, contextLeft: 10_000 });
  return out.tokenIds;
}

describe('photo chat history mode on the tiny bundle', () => {
  it('reuses the cache across turns and gives exactly the tokens of recomputing from scratch', async () => {
    const images = [{ path: IMG }];
    const live = new ChatSessions();
    const { turns, results } = await converse(live, 'c1', images, ['What is here?', 'And the colours?', 'Anything else?']);
    expect(results.map((r) => r.turn)).toEqual([1, 2, 3]);
    expect(results[0]!.reusedTokens).toBe(0);
    expect(results[1]!.reusedTokens).toBeGreaterThan(256);
    expect(results[2]!.reusedTokens).toBeGreaterThan(results[1]!.reusedTokens);
    // Turn 2 and 3 read no image: the cache had it.
    expect(results[1]!.timings.visionMs + results[2]!.timings.visionMs).toBe(0);

    // A fresh worker (after a restart): the saved history is replayed into a new cache.
    const fresh = new ChatSessions();
    const history: ChatHistory = { images, preamble: 'File: square.png', turns: turns.slice(0, 2) };
    const rebuilt = await fresh.turn(model, { sessionId: 'c1', message: 'Anything else?', history, sampling: SAMPLING });
    expect(rebuilt.reusedTokens).toBe(0);
    expect(rebuilt.numTiles).toBe(1);
    expect(rebuilt.tokenIds).toEqual(results[2]!.tokenIds);
    expect(rebuilt.promptTokens).toBe(results[2]!.promptTokens);
    // And one prefill of the whole prompt agrees.
    expect(await fromScratch(images, turns.slice(0, 2), 'Anything else?')).toEqual(results[2]!.tokenIds);
    expect(await fromScratch(images, turns.slice(0, 1), 'And the colours?')).toEqual(results[1]!.tokenIds);

    // The rebuilt session continues from its cache, like the live one.
    const next = await fresh.turn(model, { sessionId: 'c1', message: 'Why?', history: { ...history, turns }, sampling: SAMPLING });
    const liveNext = await live.turn(model, { sessionId: 'c1', message: 'Why?', history: { ...history, turns }, sampling: SAMPLING });
    expect(next.reusedTokens).toBeGreaterThan(0);
    expect(next.tokenIds).toEqual(liveNext.tokenIds);
  }, 120_000);

  it('regenerates and edits the last question from the state kept one step back', async () => {
    const images = [{ path: IMG }];
    const chats = new ChatSessions();
    const { turns, results } = await converse(chats, 'c2', images, ['What is here?', 'Describe it.']);
    const before = { images, preamble: 'File: square.png', turns: turns.slice(0, 1) };
    const again = await chats.turn(model, { sessionId: 'c2', message: 'Describe it.', history: before, sampling: SAMPLING });
    expect(again.reusedTokens).toBe(results[1]!.reusedTokens);
    expect(again.timings.visionMs).toBe(0);
    expect(again.tokenIds).toEqual(results[1]!.tokenIds);
    const edited = await chats.turn(model, { sessionId: 'c2', message: 'Count them.', history: before, sampling: SAMPLING });
    expect(edited.reusedTokens).toBe(results[1]!.reusedTokens);
    expect(edited.tokenIds).toEqual(await fromScratch(images, turns.slice(0, 1), 'Count them.'));
    // A history the cache does not hold (an answer changed) is rebuilt, not continued.
    const changed = [{ ...turns[0]!, answerIds: [...turns[0]!.answerIds!.slice(0, -1), model.manifest.tokens.im_end + 1] }];
    const other = await chats.turn(model, {
      sessionId: 'c2',
      message: 'Describe it.',
      history: { ...before, turns: changed },
      sampling: SAMPLING,
    });
    expect(other.reusedTokens).toBe(0);
  }, 120_000);

  it('sends several photos as separate images and replays them exactly', async () => {
    const images = [{ path: IMG }, { path: IMG2, maxTiles: 2 }];
    const chats = new ChatSessions();
    const { turns, results } = await converse(chats, 'c3', images, ['Compare them.', 'Which is brighter?']);
    const ids = chats.get('c3')!.ids;
    expect(ids.filter((i) => i === model.manifest.tokens.img_start)).toHaveLength(2);
    expect(results[0]!.numTiles).toBe(1 + 3); // 3:2 at max 2 tiles: 2 + thumbnail
    expect(model.tokenizer.decode(ids, false)).toContain('Image-1: <img>');
    expect(model.tokenizer.decode(ids, false)).toContain('</img>\nImage-2: <img>');
    expect(await fromScratch(images, turns.slice(0, 1), 'Which is brighter?')).toEqual(results[1]!.tokenIds);
  }, 120_000);

  it('drops the oldest turns to fit a small context, keeping the image, and answers as from scratch', async () => {
    const images = [{ path: IMG }];
    const chats = new ChatSessions();
    const long = 'Please describe every part of this picture in as much detail as you can manage. '.repeat(2);
    // Room for the image (256 + 2), the template, two turns and the answer, not four turns.
    const contextTokens = 256 + 2 + 140 + 3 * long.length;
    const { turns, results } = await converse(chats, 'c4', images, [long, long, long, long], { contextTokens });
    const last = results.at(-1)!;
    expect(last.droppedTurns).toBeGreaterThan(0);
    expect(last.droppedTurns).toBeLessThan(3);
    expect(last.contextTokens).toBeLessThanOrEqual(contextTokens);
    expect(last.contextWindow).toBe(contextTokens);
    const kept = turns.slice(last.droppedTurns, 3);
    expect(await fromScratch(images, kept, long)).toEqual(last.tokenIds);
    // The image is still in the prompt.
    expect(chats.get('c4')!.ids.filter((i) => i === model.manifest.tokens.img_context)).toHaveLength(256);
    // Nothing fits: a clear bad_input, not a crash.
    const err = await chats
      .turn(model, { sessionId: 'c5', message: long, history: { images, turns: [], contextTokens: 300 }, sampling: SAMPLING })
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('bad_input');
    expect((err as Error).message).toMatch(/300-token context/);
  }, 120_000);

  it('replays an answer from its text when the ids came from another model', async () => {
    const images = [{ path: IMG }];
    const chats = new ChatSessions();
    const turns: ChatHistoryTurn[] = [{ question: 'What is here?', answer: 'A red square.', answerIds: [999_999] }];
    const r = await chats.turn(model, { sessionId: 'c6', message: 'Sure?', history: { images, turns }, sampling: SAMPLING });
    expect(r.reusedTokens).toBe(0);
    const text = model.tokenizer.decode(chats.get('c6')!.ids, false);
    expect(text).toContain('assistant\nA red square.<|im_end|>\n<|im_start|>user\nSure?');
    const bad = await chats
      .turn(model, { sessionId: 'c6', message: 'x', history: { images, turns: [{ question: 1 }] } as unknown as ChatHistory })
      .catch((e: unknown) => e);
    expect((bad as { code?: string }).code).toBe('bad_request');
  }, 60_000);
});
