/**
 * @file The chat domain of the one API: conversations with InternVL about one or several photos, saved
 * per photo, with answers streamed as `chat:token` events. preload/contract.ts merges these maps into
 * the request, result and event maps; the same rules apply (JSON only, validated by these schemas in main).
 *
 * [Note: Photo chat contract] A conversation is created over its photos (`chat:create`, Image-1 … in
 * the given order) and then grows by turns: a question and its answer. `chat:send`, `chat:regenerate`
 * (the last question again) and `chat:editLast` (the last question replaced) resolve when the answer is
 * finished, stopped or failed — all three are saved and returned as the turn, with `state` and `error`
 * saying what happened; the text streams meanwhile as `chat:token` events, and `chat:turn` announces a
 * turn when it starts and when it ends (so every window shows the same conversation). A request is
 * refused before anything is saved when it cannot start: a bad question, no model, a photo whose file
 * is gone, another turn still being answered. `chat:stop` stops the running turn within one token.
 */
import { z } from 'zod';
import { MAX_CHAT_PHOTOS, MAX_QUESTION_CHARS } from './chat-limits';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Question = z
  .string()
  .trim()
  .min(1, 'the question is empty: type something to ask')
  .max(MAX_QUESTION_CHARS, `the question is too long: at most ${MAX_QUESTION_CHARS} characters`);

/** Argument schemas of the chat requests. */
export const chatRequestSchemas = {
  /** Conversations about this photo (alone or with others), newest first. */
  'chat:list': z.object({ photoId: Id }).strict(),
  'chat:get': z.object({ conversationId: Id }).strict(),
  /** A new, empty conversation about these photos, in this order. */
  'chat:create': z
    .object({
      photoIds: z
        .array(Id)
        .min(1, 'a conversation needs at least one photo')
        .max(MAX_CHAT_PHOTOS, `a conversation can be about at most ${MAX_CHAT_PHOTOS} photos`)
        .refine((ids) => new Set(ids).size === ids.length, 'the same photo is listed twice'),
    })
    .strict(),
  'chat:send': z.object({ conversationId: Id, text: Question }).strict(),
  /** Answers the last question again (its previous answer is replaced). */
  'chat:regenerate': z.object({ conversationId: Id }).strict(),
  /** Replaces the last question and answers it. */
  'chat:editLast': z.object({ conversationId: Id, text: Question }).strict(),
  'chat:stop': z.object({ conversationId: Id }).strict(),
  'chat:delete': z.object({ conversationId: Id }).strict(),
} as const;

/** A photo of a conversation. */
export interface ChatPhotoDto {
  /** The library's photo with this content now, or null when no file has it any more. */
  photoId: number | null;
  /** File name (never a path): what the model is told, and what is shown when the photo is gone. */
  name: string;
  thumb: string | null;
}

/** One question and its answer. */
export interface ChatTurnDto {
  id: number;
  question: string;
  /** The answer so far (the whole answer once `state` is 'done'). */
  answer: string;
  /**
   * 'answering' while it streams; 'done'; 'stopped' (by the user, or because the model was changed);
   * 'failed' (see `error`). Stopped and failed answers are kept and shown, but the model does not
   * remember them in later turns ([Note: What the model remembers] in main/chat/photo-chat.ts).
   */
  state: 'answering' | 'done' | 'stopped' | 'failed';
  /** Why it stopped or failed, in words; null otherwise. */
  error: string | null;
  /** 'length': the answer hit its token limit. */
  finishReason: 'stop' | 'length' | null;
  modelId: string | null;
  /** Made by a random-weight model (demo mode): the text is meaningless and must be labelled. */
  demo: boolean;
  numTiles: number | null;
  /** ISO times. */
  askedAt: string;
  answeredAt: string | null;
  /** Milliseconds to the first token and to the end, and the answer's tokens (null until known). */
  ttftMs: number | null;
  totalMs: number | null;
  tokens: number;
}

export interface ChatConversationDto {
  id: number;
  photos: ChatPhotoDto[];
  turns: ChatTurnDto[];
  /**
   * The oldest turn the model still saw when it last answered: the context budget dropped the turns
   * before it, and the UI says "Earlier messages are not seen by the model" above it. Null: it saw them all.
   */
  firstSeenTurnId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface ChatConversationSummary {
  id: number;
  photos: ChatPhotoDto[];
  turnCount: number;
  /** Its first question: what it is named by, as the Ask page names library conversations. */
  firstQuestion: string | null;
  updatedAt: string;
}

/** Results of the chat requests. */
export interface ChatResults {
  'chat:list': ChatConversationSummary[];
  'chat:get': ChatConversationDto;
  'chat:create': ChatConversationDto;
  'chat:send': ChatTurnDto;
  'chat:regenerate': ChatTurnDto;
  'chat:editLast': ChatTurnDto;
  'chat:stop': { stopped: boolean };
  'chat:delete': { deleted: boolean };
}

/** Events of the chat domain. */
export interface ChatEvents {
  /** A turn started, or ended (done, stopped, failed); `firstSeenTurnId` as in ChatConversationDto. */
  'chat:turn': { conversationId: number; turn: ChatTurnDto; firstSeenTurnId: number | null };
  /** Text of the answer being written, as it is generated. */
  'chat:token': { conversationId: number; turnId: number; text: string };
}
