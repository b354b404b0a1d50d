/**
 * @file A saved conversation as prompt ids, and the context budget that decides how much of it the
 * model sees: the image(s) always, then the newest turns that fit, with room kept for the answer.
 *
 * Runs in the inference worker (`native/pipelines/chat.ts`, history mode); pure, unit-tested.
 *
 * [Note: Chat history and the cache] Main owns the conversation (SQLite); the worker's KV cache is
 * only a way to avoid recomputing it. Every turn main sends the whole history (the conversation's
 * images, a preamble with the file names, and each earlier question with its answer's token ids), and
 * the worker reuses its session's cache only when that cache holds exactly this history (or the
 * history minus the last turn, kept one step back for Regenerate and Edit). Otherwise — a new worker,
 * an evicted session, another model, a turn dropped by the budget — it rebuilds the prompt from the
 * history with {@link conversationIds}, which gives the very ids the cached path holds: the first
 * turn's ids from `firstTurnIds`, then per turn its answer ids, `<|im_end|>` when the answer did not end
 * with it, and `nextTurnIds` ([Note: Chat turns and the KV cache] in prompt.ts). So the reused and the
 * rebuilt conversation are the same token sequence and greedy decoding gives the same answer
 * (test/ml/chat-history.test.ts). Answers are replayed as their generated ids, not re-tokenised
 * text, which could split differently; text is only the fallback when the ids came from another
 * model's tokenizer.
 */
import { firstTurnIds, nextTurnIds, type TemplateTokens } from './prompt';
import type { BundleTokenizer } from './tokenizer';

/** One earlier question and its answer, as the prompt replays them. */
export interface PromptTurn {
  question: string;
  /** The answer's generated ids (ending with `<|im_end|>` when it stopped by itself). */
  answerIds: readonly number[];
}

/** A conversation to encode: its images go in the first user message, before the preamble. */
export interface PromptConversation {
  systemMessage?: string | null | undefined;
  /** Tiles of each image of the conversation, in order. */
  tilesPerImage: readonly number[];
  /** Text after the images in the first user message (the file names); may be empty. */
  preamble: string;
  /** The earlier turns the model sees, oldest first. */
  turns: readonly PromptTurn[];
  /** The new question. */
  question: string;
}

/**
 * Breaks the special-token strings a user can type (`<|im_end|>`, `<image>`, `<IMG_CONTEXT>`…) with a
 * zero-width space, so a question or a file name can never end a turn or claim an image slot: the
 * tokenizer matches added tokens as whole strings before BPE.
 */
export function plainText(text: string): string {
  return text.replace(/<(?=\|im_start\||\|im_end\||\|endoftext\||image>|img>|\/img>|IMG_CONTEXT>)/g, '<\u200b');
}

/** The first user message's text before its images are added: the preamble, then the question. */
function firstQuestion(preamble: string, question: string): string {
  const p = plainText(preamble.trim());
  return p === '' ? plainText(question) : `${p}\n${plainText(question)}`;
}

/**
 * The prompt ids of a conversation, ending with `<|im_start|>assistant\n`: equal, id for id, to the
 * ids a chat session holds after the same turns ([Note: Chat history and the cache]).
 */
export function conversationIds(tok: BundleTokenizer, c: PromptConversation, tokens: TemplateTokens, numImageToken: number): number[] {
  const questions = [...c.turns.map((t) => t.question), c.question];
  const ids = firstTurnIds(
    tok,
    { question: firstQuestion(c.preamble, questions[0]!), tilesPerImage: c.tilesPerImage, systemMessage: c.systemMessage },
    tokens,
    numImageToken,
  );
  c.turns.forEach((t, i) => {
    ids.push(...t.answerIds);
    const ended = t.answerIds.at(-1) === tokens.im_end;
    ids.push(...nextTurnIds(tok, plainText(questions[i + 1]!), [], 0, ended, tokens, numImageToken));
  });
  return ids;
}

/** Token counts the budget works with. */
export interface BudgetInput {
  /** Tokens of the system message, the images and the preamble (the part never dropped). */
  head: number;
  /** Tokens each earlier turn adds (question, answer, separators), oldest first. */
  turns: readonly number[];
  /** Tokens of the new question with its separators. */
  question: number;
  /** Tokens kept free for the answer. */
  reserve: number;
  /** The most tokens prompt + answer may take. */
  window: number;
}

/**
 * How many of the oldest turns to drop so that head + kept turns + question + reserve fit in the
 * window: the image(s) and the newest turns are kept. Returns null when even the head and the new
 * question alone do not fit.
 */
export function turnsToDrop(b: BudgetInput): number | null {
  const fixed = b.head + b.question + b.reserve;
  if (fixed > b.window) return null;
  let used = fixed;
  let kept = 0;
  for (let i = b.turns.length - 1; i >= 0; i--) {
    if (used + b.turns[i]! > b.window) break;
    used += b.turns[i]!;
    kept++;
  }
  return b.turns.length - kept;
}

/** The budget's token counts of a conversation, measured with the same builders the prompt uses. */
export function budgetInput(
  tok: BundleTokenizer,
  c: PromptConversation,
  tokens: TemplateTokens,
  numImageToken: number,
  reserve: number,
  window: number,
): BudgetInput {
  const head = conversationIds(tok, { ...c, turns: [], question: '' }, tokens, numImageToken).length;
  const follow = (q: string) => nextTurnIds(tok, plainText(q), [], 0, true, tokens, numImageToken).length;
  return {
    head,
    // A turn's cost: its question with the separators around it, its answer, and the `<|im_end|>` an
    // answer cut at the length limit gets. The head counts the first message's wrapper once more, so
    // this overestimates by a few tokens; the caller checks the exact ids afterwards.
    turns: c.turns.map((t) => follow(t.question) + t.answerIds.length + (t.answerIds.at(-1) === tokens.im_end ? 0 : 1)),
    question: follow(c.question),
    reserve,
    window,
  };
}
