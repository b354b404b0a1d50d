/**
 * @file The library chat domain of the one API: questions about the whole library, answered from a
 * search of it, with the facts the database computed and the photos the answer used. preload/contract.ts
 * merges these maps into the request, result and event maps (JSON only, validated by these schemas in main).
 *
 * [Note: Library chat contract] A library conversation (`ask:create`) has no photos of its own:
 * each question becomes a search; `ask:send` resolves when the answer is finished, stopped or
 * failed (saved either way, as photo chat's turns), while its text streams as `chat:token` events
 * (conversation ids are shared with photo chat) and `ask:turn` announces the turn when it starts
 * and ends. A turn carries `facts` (counts and dates from the database, never the model's guess) and
 * `sources`: every photo shown to the model, numbered as the answer cites them, `cited` when it does.
 * When nothing matches, the turn says so at once and the model is not asked.
 */
import { z } from 'zod';
import { MAX_QUESTION_CHARS } from './chat-limits';
import type { ChatTurnDto } from './chat';
import type { Rotation } from './collections';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Question = z
  .string()
  .trim()
  .min(1, 'the question is empty: type something to ask')
  .max(MAX_QUESTION_CHARS, `the question is too long: at most ${MAX_QUESTION_CHARS} characters`);

/** Argument schemas of the library chat requests. */
export const libraryChatRequestSchemas = {
  /** Library conversations with at least one question, the most recently used first. */
  'ask:list': z.object({}).strict(),
  'ask:get': z.object({ conversationId: Id }).strict(),
  /** A new, empty library conversation. */
  'ask:create': z.object({}).strict(),
  'ask:send': z.object({ conversationId: Id, text: Question }).strict(),
  'ask:stop': z.object({ conversationId: Id }).strict(),
  'ask:delete': z.object({ conversationId: Id }).strict(),
} as const;

/** A photo a library answer was given (and may cite). */
export interface LibrarySourceDto {
  /** Its number in the prompt: the answer cites it as [n]. */
  n: number;
  /** The library's photo with this content now, or null when no file has it any more or it is hidden or in the Trash. */
  photoId: number | null;
  name: string;
  thumb: string | null;
  /** Its display rotation, as `PhotoSummary.rotation`; absent when 0. */
  rotation?: Rotation;
  /** The answer cites it. */
  cited: boolean;
}

/** What the database answered before the model ran. */
export interface LibraryFactsDto {
  intent: 'count' | 'last' | 'first' | 'when' | 'find';
  /** The search in words ("“dog” · 2025"). */
  query: string;
  count: number;
  /** Capture times (wall clock, ISO without zone) of the oldest and newest matching photo. */
  first: string | null;
  last: string | null;
  firstPhotoId: number | null;
  lastPhotoId: number | null;
  /** The facts as the model was given them, to show beside the answer. */
  lines: string[];
}

export interface LibraryTurnDto extends ChatTurnDto {
  /** The search this turn ran, in words; null before it ran. */
  search: string | null;
  /** Null for a question that asks for neither a number nor a date. */
  facts: LibraryFactsDto | null;
  sources: LibrarySourceDto[];
}

export interface LibraryConversationDto {
  id: number;
  turns: LibraryTurnDto[];
  /** As ChatConversationDto's: turns before it were left out of the model's context by the budget. */
  firstSeenTurnId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** A saved library conversation as the Ask page lists it. */
export interface LibraryConversationSummary {
  id: number;
  turnCount: number;
  /** Its first question: what it is named by, as chat apps name a conversation (the list holds none without one). */
  firstQuestion: string | null;
  /** When it was last used: its newest question asked or re-asked. */
  updatedAt: string;
}

/** Results of the library chat requests. */
export interface LibraryChatResults {
  'ask:list': LibraryConversationSummary[];
  'ask:get': LibraryConversationDto;
  'ask:create': LibraryConversationDto;
  'ask:send': LibraryTurnDto;
  'ask:stop': { stopped: boolean };
  'ask:delete': { deleted: boolean };
}

/** Events of the library chat domain (its text streams as `chat:token`). */
export interface LibraryChatEvents {
  /** A turn started or ended; `firstSeenTurnId` as in LibraryConversationDto. */
  'ask:turn': { conversationId: number; turn: LibraryTurnDto; firstSeenTurnId: number | null };
}
