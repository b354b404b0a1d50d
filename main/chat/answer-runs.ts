/**
 * @file The answers being written, for photo chat (./photo-chat.ts) and library chat
 * (./library-chat.ts) alike: one at a time per conversation, each stoppable within one token with a
 * reason that says how it is saved, and the stream sink that forwards tokens as `chat:token` and
 * saves the answer so far every second (so a crash keeps it).
 *
 * Runs in main. Policy only: the turn's SQL is main/db/chat.repo.ts's.
 */
import { ApiError } from '../../preload/api-error';
import type { StreamChunk } from '../../native/protocol';
import type { TurnOutcome } from '../db/chat.repo';
import type { Emit } from '../events';
import { turnFailure, type StopReason } from './chat-text';

/** How often the answer so far is written while it streams (ms). */
const SAVE_EVERY_MS = 1000;

/** A positive integer from the environment (SHOEBOX_CHAT_CONTEXT_TOKENS…), else undefined. */
export const positiveEnv = (name: string): number | undefined => {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/**
 * `{ minNewTokens }` from SHOEBOX_CHAT_MIN_NEW_TOKENS, else nothing: an answer's end token is held
 * back until it is that long. For tests that stop an answer mid-way: a random-weight model's greedy
 * answer does end by itself once the repetition penalty has pushed down every token it wrote, after a
 * number of tokens that depends on the prompt (and a library prompt depends on what has been
 * understood so far), so "long enough to stop" cannot rest on the limit alone. Local worker only.
 */
export const minAnswerTokens = (): { minNewTokens?: number } => {
  const n = positiveEnv('SHOEBOX_CHAT_MIN_NEW_TOKENS');
  return n === undefined ? {} : { minNewTokens: n };
};

/** A conversation's answer in progress. */
export interface AnswerRun {
  ac: AbortController;
  reason: StopReason | null;
  /** Settles once the turn is saved in its final state. */
  done: Promise<void>;
}

export interface AnswerRuns {
  /** Runs `fn` with the conversation claimed (one answer at a time); refuses with 'conflict' while one runs. */
  claim<T>(conversationId: number, fn: (run: AnswerRun) => Promise<T>): Promise<T>;
  /** Stops the conversation's running answer (the user's Stop unless a reason is given); false when none runs. */
  stop(conversationId: number, reason?: StopReason): boolean;
  /** Stops the running answer for good (its conversation is being deleted) and waits until it is saved. */
  stopAndWait(conversationId: number, reason: StopReason): Promise<void>;
  /** Stops every running answer, saying why (a model change, Shoebox closing). */
  stopAll(reason: StopReason): void;
  /** Stops every running answer and waits until they are saved (before the database closes). */
  close(): Promise<void>;
}

export function createAnswerRuns(): AnswerRuns {
  const running = new Map<number, AnswerRun>();
  const abort = (run: AnswerRun, reason: StopReason, keepFirst: boolean) => {
    run.reason = keepFirst ? (run.reason ?? reason) : reason;
    run.ac.abort();
  };
  return {
    async claim(conversationId, fn) {
      if (running.has(conversationId)) {
        throw new ApiError('conflict', 'An answer is still being written in this conversation: wait for it or stop it first.');
      }
      let settle = () => {};
      const run: AnswerRun = { ac: new AbortController(), reason: null, done: new Promise<void>((r) => (settle = r)) };
      running.set(conversationId, run);
      try {
        return await fn(run);
      } finally {
        running.delete(conversationId);
        settle();
      }
    },
    stop(conversationId, reason = 'user') {
      const run = running.get(conversationId);
      if (!run) return false;
      abort(run, reason, true);
      return true;
    },
    async stopAndWait(conversationId, reason) {
      const run = running.get(conversationId);
      if (!run) return;
      abort(run, reason, false);
      await run.done;
    },
    stopAll(reason) {
      for (const run of running.values()) abort(run, reason, false);
    },
    async close() {
      const runs = [...running.values()];
      for (const run of runs) abort(run, 'closing', false);
      await Promise.all(runs.map((r) => r.done));
    },
  };
}

/** What streamed so far, for the turn's record when it ends. */
export interface AnswerStream {
  onChunk(c: StreamChunk): void;
  readonly text: string;
  readonly tokens: number;
  /** Milliseconds from the start to the first token, or null before it. */
  readonly ttftMs: number | null;
  /** Milliseconds since the start. */
  elapsedMs(): number;
}

/** Forwards an answer's text as `chat:token` events and saves it every second through `savePartial`. */
export function answerStream(
  emit: Emit,
  ids: { conversationId: number; turnId: number },
  savePartial: (text: string, tokens: number) => void,
): AnswerStream {
  const started = performance.now();
  let saved = started;
  const s = {
    text: '',
    tokens: 0,
    ttftMs: null as number | null,
    elapsedMs: () => Math.round(performance.now() - started),
    onChunk(c: StreamChunk) {
      s.ttftMs ??= Math.round(performance.now() - started);
      s.tokens += c.tokenIds.length;
      if (c.text === '') return;
      s.text += c.text;
      emit('chat:token', { ...ids, text: c.text });
      if (performance.now() - saved > SAVE_EVERY_MS) {
        saved = performance.now();
        savePartial(s.text, s.tokens);
      }
    },
  };
  return s;
}

/**
 * How an answer that did not finish is saved: stopped or failed (./chat-text.ts's `turnFailure`), with
 * the text so far. A partial answer is `model`'s words: a demo model's must stay labelled.
 */
export function unfinishedOutcome(
  err: unknown,
  run: AnswerRun,
  stream: AnswerStream,
  model: { id: string; variant: string; demo: boolean } | null,
): TurnOutcome {
  return {
    ...turnFailure(err, run.reason),
    answer: stream.text.trim(),
    answerIds: null,
    finishReason: null,
    model: stream.text === '' || !model ? null : { id: model.id, variant: model.variant, demo: model.demo },
    numTiles: null,
    firstSeenId: null,
    ttftMs: stream.ttftMs,
    totalMs: stream.elapsedMs(),
    tokens: stream.tokens,
  };
}
