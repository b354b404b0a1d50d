/**
 * @file How a conversation shown in the renderer takes what main sends: a turn announced or returned
 * (replacing the turn with its id, or appended) and streamed text (`chat:token`, appended to the turn
 * still being answered). Shared by the viewer's photo chat and the Ask page. Runs in the renderer.
 */
import type { ChatTurnDto } from '../../../../preload/contract';

interface Shown<T extends ChatTurnDto> {
  id: number;
  turns: T[];
  firstSeenTurnId: number | null;
}

/** Puts `turn` into the conversation: replaces the turn with its id, or appends it. */
export function withTurn<T extends ChatTurnDto, C extends Shown<T>>(c: C, turn: T, firstSeenTurnId: number | null): C {
  const at = c.turns.findIndex((t) => t.id === turn.id);
  const turns = at >= 0 ? c.turns.map((t, i) => (i === at ? turn : t)) : [...c.turns, turn];
  return { ...c, turns, firstSeenTurnId };
}

/** Appends streamed text to the answering turn `turnId` of conversation `conversationId` (others unchanged). */
export function withToken<T extends ChatTurnDto, C extends Shown<T>>(
  c: C | null,
  e: { conversationId: number; turnId: number; text: string },
): C | null {
  if (c?.id !== e.conversationId) return c;
  return { ...c, turns: c.turns.map((t) => (t.id === e.turnId && t.state === 'answering' ? { ...t, answer: t.answer + e.text } : t)) };
}
