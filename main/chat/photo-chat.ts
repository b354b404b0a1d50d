/**
 * @file Photo chat: conversations with InternVL about one or several photos, saved per photo, answered
 * in the inference worker with the KV cache kept across turns, streamed as `chat:token` events.
 * Implements the `chat:*` requests ([Note: Photo chat contract] in preload/contract/chat.ts).
 *
 * Runs in main (app, headless host, CLI, tests); knows nothing of Electron. SQL is in
 * main/db/chat.repo.ts; the prompt and the context budget are the worker's (native/preprocess/chat-prompt.ts).
 *
 * [Note: What the model remembers] A conversation's saved turns are the truth; the worker's cache is
 * rebuilt from them whenever it does not hold them (a restart, an evicted session, another model),
 * so a conversation continues after a restart ([Note: Chat history and the cache]). The model is sent
 * the photos (as images, with their file names — never a path) and the *done* turns: a stopped or
 * failed answer stays on screen but is not part of what the model remembers, so that stopping never
 * costs a rebuild. When the turns outgrow the context budget the worker drops the oldest; the turn
 * records the oldest one it still saw, and the UI shows "Earlier messages are not seen by the model"
 * above it. The budget is the model's context window, or SHOEBOX_CHAT_CONTEXT_TOKENS when smaller.
 *
 * Answers are greedy (the same question gives the same answer); Regenerate samples instead
 * (temperature 0.7, top-p 0.9, a fresh seed), since a greedy answer again would be the same words.
 *
 * A turn that cannot start is refused before anything is saved (no model, a photo whose file is gone,
 * a turn already running); once started it is saved at once and its text every second, and it always
 * ends saved: done, stopped (by the user, or by a model change) or failed (the worker died, no
 * memory), with the answer so far. A turn left 'answering' by a crash is marked failed at the next start.
 */
import { ApiError } from '../../preload/api-error';
import type { ChatConversationDto, ChatConversationSummary, ChatTurnDto } from '../../preload/contract';
import type { ChatHistoryTurn, ImageInput, SamplingParams } from '../../native/protocol';
import { createChatRepo, type TurnRow } from '../db/chat.repo';
import type { Db } from '../db/open';
import type { Emit } from '../events';
import type { InferenceService, ModelChoice } from '../inference/inference.service';
import { modelInputFor } from '../library/model-input';
import type { LibraryService } from '../library/types';
import type { Log } from '../log';
import { answerStream, createAnswerRuns, minAnswerTokens, positiveEnv, unfinishedOutcome, type AnswerRun } from './answer-runs';
import { firstSeenTurnId, iso, photoDto, photosPreamble, replayableIds, turnDto } from './chat-text';

/** Default token limit of an answer (about 380 words); SHOEBOX_CHAT_MAX_NEW_TOKENS changes it. */
export const CHAT_MAX_NEW_TOKENS = 512;
/** Sampling of Regenerate (see the file header). */
const REGENERATE_SAMPLING: SamplingParams = { temperature: 0.7, topP: 0.9 };

export interface PhotoChatDeps {
  db: Db;
  library: Pick<LibraryService, 'getPhoto' | 'ensurePreview'>;
  inference: Pick<InferenceService, 'chat' | 'chatEnd' | 'activeModel'>;
  /** Why no model can run now (for the message), or null. */
  noModelReason: () => string | null;
  emit: Emit;
  log: Log;
  /** Most tokens prompt + answer may take; default SHOEBOX_CHAT_CONTEXT_TOKENS, else the model's window. */
  contextTokens?: number | undefined;
  /** Token limit of an answer; default SHOEBOX_CHAT_MAX_NEW_TOKENS, else {@link CHAT_MAX_NEW_TOKENS}. */
  maxNewTokens?: number | undefined;
}

/** The `chat:*` requests. */
export interface PhotoChat {
  list(photoId: number): ChatConversationSummary[];
  get(conversationId: number): ChatConversationDto;
  create(photoIds: readonly number[]): ChatConversationDto;
  send(conversationId: number, text: string): Promise<ChatTurnDto>;
  regenerate(conversationId: number): Promise<ChatTurnDto>;
  editLast(conversationId: number, text: string): Promise<ChatTurnDto>;
  /** Stops the running answer of a conversation within one token; false when none runs. */
  stop(conversationId: number): boolean;
  delete(conversationId: number): Promise<boolean>;
  /** The active model changed: running answers stop, saying why. */
  modelChanged(): void;
  /** Stops running answers and waits until they are saved (before the database closes). */
  close(): Promise<void>;
}

/** The worker's session of a conversation. */
const sessionOf = (conversationId: number) => `photo-chat:${conversationId}`;

/** What a turn needs that `prepare` checks before anything is saved. */
interface Prepared {
  /** The active model when the turn starts: it writes the answer (and labels a partial one). */
  model: ModelChoice;
  images: ImageInput[];
  preamble: string;
}

/** The saved turn to answer, and how. */
interface TurnStart {
  turnId: number;
  question: string;
  sampling: SamplingParams;
}

export function createPhotoChat(deps: PhotoChatDeps): PhotoChat {
  const { db, library, inference, emit, log } = deps;
  const repo = createChatRepo(db);
  const contextTokens = deps.contextTokens ?? positiveEnv('SHOEBOX_CHAT_CONTEXT_TOKENS');
  const maxNewTokens = deps.maxNewTokens ?? positiveEnv('SHOEBOX_CHAT_MAX_NEW_TOKENS') ?? CHAT_MAX_NEW_TOKENS;
  const minNewTokens = minAnswerTokens();
  const runs = createAnswerRuns();

  const interrupted = repo.failInterrupted('Shoebox stopped while this answer was being written. The answer so far is kept.', Date.now());
  if (interrupted > 0) log.info('marked answers interrupted by a stop as failed', { turns: interrupted });

  const conversation = (id: number) => {
    const row = repo.get(id);
    if (!row) throw new ApiError('not-found', `No conversation with id ${id}`);
    if (row.kind === 'library') throw new ApiError('bad-argument', `Conversation ${id} is about the library: use ask:send.`);
    return row;
  };

  const dto = (id: number): ChatConversationDto => {
    const row = conversation(id);
    const turns = repo.turns(id);
    return {
      id,
      photos: repo.photos(id).map(photoDto),
      turns: turns.map(turnDto),
      firstSeenTurnId: firstSeenTurnId(turns),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  };

  /** Everything a turn needs that can fail before it is saved: the model, the images and their names. */
  async function prepare(conversationId: number): Promise<Prepared> {
    const model = inference.activeModel();
    if (!model) throw new ApiError('unavailable', deps.noModelReason() ?? 'No model is available. Open the Models page.');
    const images: ImageInput[] = [];
    const names: string[] = [];
    for (const p of repo.photos(conversationId)) {
      const gone = `“${p.name}” is no longer in the library (its file was deleted or its folder removed). The conversation is kept, but it cannot go on without the photo.`;
      if (p.photo_id === null) throw new ApiError('not-found', gone);
      const path = await modelInputFor(library, p.photo_id).catch((err: unknown) => {
        throw err instanceof ApiError && err.code === 'not-found' ? new ApiError('not-found', `“${p.name}”: ${err.message}`) : err;
      });
      images.push({ path });
      names.push(library.getPhoto(p.photo_id)?.name ?? p.name);
    }
    return { model, images, preamble: photosPreamble(names) };
  }

  /** Answers `question` as turn `turnId` (already saved, 'answering') after the done turns before it. */
  async function answer(conversationId: number, run: AnswerRun, prep: Prepared, start: TurnStart): Promise<ChatTurnDto> {
    const { turnId, question, sampling } = start;
    const history = repo.turns(conversationId).filter((t) => t.id < turnId && t.state === 'done');
    const turns: ChatHistoryTurn[] = history.map((t) => {
      const ids = replayableIds(t, prep.model.id);
      return { question: t.question, answer: t.answer, ...(ids ? { answerIds: ids } : {}) };
    });
    const announce = () => {
      const row = repo.turn(turnId);
      if (!row) return null;
      emit('chat:turn', { conversationId, turn: turnDto(row), firstSeenTurnId: firstSeenTurnId(repo.turns(conversationId)) });
      return turnDto(row);
    };
    announce();
    const stream = answerStream(emit, { conversationId, turnId }, (text, tokens) => repo.savePartial(turnId, text, tokens));
    const work = inference.chat(
      {
        sessionId: sessionOf(conversationId),
        message: question,
        sampling: { maxNewTokens, ...minNewTokens, ...sampling },
        history: { images: prep.images, preamble: prep.preamble, turns, ...(contextTokens ? { contextTokens } : {}) },
      },
      {
        signal: run.ac.signal,
        onChunk: (c) => stream.onChunk(c),
      },
    );
    try {
      const { result, model } = await work;
      const dropped = result.droppedTurns;
      repo.finish(
        turnId,
        {
          state: 'done',
          answer: result.text,
          answerIds: result.tokenIds,
          error: null,
          finishReason: result.finishReason,
          model: { id: model.id, variant: model.variant, demo: model.demo },
          numTiles: result.numTiles,
          firstSeenId: dropped > 0 ? (history[dropped]?.id ?? turnId) : null,
          ttftMs: stream.ttftMs,
          totalMs: stream.elapsedMs(),
          tokens: result.tokenIds.length,
        },
        Date.now(),
      );
    } catch (err) {
      const outcome = unfinishedOutcome(err, run, stream, prep.model);
      if (outcome.state === 'failed') log.warn('chat answer failed', { conversationId, turnId, error: outcome.error });
      repo.finish(turnId, outcome, Date.now());
    }
    const out = announce();
    if (!out) throw new ApiError('not-found', `The conversation ${conversationId} was deleted while it was being answered.`);
    return out;
  }

  /**
   * Runs one turn request: the conversation is claimed at once (one answer at a time), `prepare` may
   * refuse it with nothing saved, `start` saves the turn, then it is answered.
   */
  async function turnRequest(conversationId: number, start: (prep: Prepared) => TurnStart): Promise<ChatTurnDto> {
    conversation(conversationId);
    return runs.claim(conversationId, async (run) => {
      const prep = await prepare(conversationId);
      return answer(conversationId, run, prep, start(prep));
    });
  }

  /** The last turn of a conversation, to answer again. */
  const lastTurn = (conversationId: number): TurnRow => {
    conversation(conversationId);
    const last = repo.turns(conversationId).at(-1);
    if (!last) throw new ApiError('bad-argument', 'This conversation has no question yet: send one first.');
    return last;
  };

  return {
    list(photoId) {
      const photo = library.getPhoto(photoId);
      if (!photo) throw new ApiError('not-found', `No photo with id ${photoId}`);
      // A conversation nobody asked anything in yet is not listed (see `create`).
      return repo
        .withPhoto(photo.hash)
        .filter((c) => c.turn_count > 0)
        .map((c) => ({
          id: c.id,
          photos: repo.photos(c.id).map(photoDto),
          turnCount: c.turn_count,
          firstQuestion: c.first_question,
          updatedAt: iso(c.updated_at),
        }));
    },

    get: dto,

    create(photoIds) {
      const photos = photoIds.map((id) => {
        const p = library.getPhoto(id);
        if (!p) throw new ApiError('not-found', `No photo with id ${id}`);
        return { hash: p.hash, name: p.name };
      });
      // An empty conversation about the same photos (one whose first question was refused) is reused,
      // so asking again and again without a model leaves no trail of empty conversations.
      const empty = repo.withPhoto(photos[0]!.hash).find(
        (c) =>
          c.turn_count === 0 &&
          repo
            .photos(c.id)
            .map((p) => p.photo_hash)
            .join('\n') === photos.map((p) => p.hash).join('\n'),
      );
      return dto(empty?.id ?? repo.create(photos, Date.now()));
    },

    send: (conversationId, text) =>
      turnRequest(conversationId, () => ({ turnId: repo.addTurn(conversationId, text, Date.now()), question: text, sampling: {} })),

    async regenerate(conversationId) {
      const last = lastTurn(conversationId);
      return turnRequest(conversationId, () => {
        repo.restartTurn(last.id, last.question, Date.now());
        return {
          turnId: last.id,
          question: last.question,
          sampling: { ...REGENERATE_SAMPLING, seed: Math.floor(Math.random() * 2 ** 31) },
        };
      });
    },

    async editLast(conversationId, text) {
      const last = lastTurn(conversationId);
      return turnRequest(conversationId, () => {
        repo.restartTurn(last.id, text, Date.now());
        return { turnId: last.id, question: text, sampling: {} };
      });
    },

    stop: (conversationId) => runs.stop(conversationId),

    async delete(conversationId) {
      await runs.stopAndWait(conversationId, 'deleted');
      const deleted = repo.delete(conversationId);
      if (deleted) await inference.chatEnd(sessionOf(conversationId)).catch(() => undefined);
      return deleted;
    },

    modelChanged: () => runs.stopAll('model-changed'),

    close: () => runs.close(),
  };
}
