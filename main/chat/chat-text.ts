/**
 * @file Photo chat's words and shapes: what the model is told about the photos (file names, never
 * paths), how a stopped or failed answer reads, and the rows of main/db/chat.repo.ts as contract DTOs.
 * Pure; used by main/chat/photo-chat.ts and unit-tested.
 *
 * Runs in main.
 */
import { ApiError } from '../../preload/api-error';
import type { ChatPhotoDto, ChatTurnDto } from '../../preload/contract';
import type { ConversationPhotoRow, TurnRow } from '../db/chat.repo';
import { WorkerClientError } from '../inference/worker-client';
import { errMessage } from '../errors';

/** Longest file name the model is told (longer ones are cut with an ellipsis). */
const MAX_NAME_CHARS = 120;

/**
 * A file name fit for the prompt: the last path segment only (whatever separator), without control
 * characters, at most {@link MAX_NAME_CHARS} characters. The model never sees a folder.
 */
export function promptFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (clean === '') return 'unnamed';
  return clean.length > MAX_NAME_CHARS ? `${clean.slice(0, MAX_NAME_CHARS - 1)}…` : clean;
}

/** The first user message's line about the photos: their file names, in image order. */
export function photosPreamble(names: readonly string[]): string {
  const clean = names.map(promptFileName);
  if (clean.length === 1) return `(File name: ${clean[0]!})`;
  return `(File names: ${clean.map((n, i) => `Image-${i + 1} ${n}`).join(', ')})`;
}

/** Why a running answer was stopped by main: the user, a model change, the conversation's deletion, Shoebox closing. */
export type StopReason = 'user' | 'model-changed' | 'deleted' | 'closing';

/** How an answer that did not finish is saved: its state and the words that say why. */
export function turnFailure(err: unknown, reason: StopReason | null): { state: 'stopped' | 'failed'; error: string | null } {
  const kept = 'The answer so far is kept.';
  if (err instanceof WorkerClientError) {
    switch (err.code) {
      case 'cancelled':
        if (reason === 'model-changed') return { state: 'stopped', error: `The model was changed while this was being answered. ${kept}` };
        if (reason === 'closing') return { state: 'stopped', error: `Shoebox was closed while this was being answered. ${kept}` };
        return { state: 'stopped', error: null };
      case 'worker_crashed':
        return {
          state: 'failed',
          error: `The inference worker stopped unexpectedly while answering (${err.message}). ${kept} Ask again or Regenerate to continue.`,
        };
      case 'out_of_memory':
        return { state: 'failed', error: `Not enough memory to answer: ${err.message}. ${kept}` };
      case 'bad_input':
        return { state: 'failed', error: `The model could not take this question: ${err.message}.` };
      default:
        return { state: 'failed', error: `The model failed: ${err.message}. ${kept}` };
    }
  }
  if (err instanceof ApiError) return { state: 'failed', error: err.message };
  return { state: 'failed', error: `Something went wrong while answering: ${errMessage(err)}. ${kept}` };
}

/** A stored millisecond time as an ISO string. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** The ids a done turn's answer was generated as, when they can be replayed with `modelId`'s tokenizer. */
export function replayableIds(row: Pick<TurnRow, 'answer_ids' | 'model_id'>, modelId: string): number[] | undefined {
  if (row.answer_ids === null || row.model_id !== modelId) return undefined;
  const ids: unknown = JSON.parse(row.answer_ids);
  return Array.isArray(ids) && ids.every((x) => Number.isInteger(x)) ? (ids as number[]) : undefined;
}

export function turnDto(r: TurnRow): ChatTurnDto {
  return {
    id: r.id,
    question: r.question,
    answer: r.answer,
    state: r.state,
    error: r.error,
    finishReason: r.finish_reason,
    modelId: r.model_id,
    demo: r.demo === 1,
    numTiles: r.num_tiles,
    askedAt: iso(r.asked_at),
    answeredAt: r.answered_at === null ? null : iso(r.answered_at),
    ttftMs: r.ttft_ms,
    totalMs: r.total_ms,
    tokens: r.tokens,
  };
}

export function photoDto(r: ConversationPhotoRow): ChatPhotoDto {
  return { photoId: r.photo_id, name: r.name, thumb: r.thumb };
}

/** The oldest turn the model saw when it last answered (null: all of them); see ChatConversationDto. */
export function firstSeenTurnId(turns: readonly TurnRow[]): number | null {
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i]!.state === 'done') return turns[i]!.first_seen_id;
  return null;
}
