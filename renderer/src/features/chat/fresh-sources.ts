/**
 * @file How the Ask page's open conversation takes a fresh read of itself after the library changed: each
 * finished turn takes its sources as main computes them now (a photo hidden, trashed or turned since the
 * answer: [Note: Library chat sees what the library shows] in main/chat/library-chat.ts), and nothing
 * else changes. A turn still being answered keeps what it streamed so far. Runs in the renderer; pure.
 */
import type { LibraryConversationDto } from '../../../../preload/contract';

/** `current` with the sources of `fresh` (a later `ask:get` of the same conversation) on its finished turns. */
export function withFreshSources(current: LibraryConversationDto, fresh: LibraryConversationDto): LibraryConversationDto {
  if (current.id !== fresh.id) return current;
  const byId = new Map(fresh.turns.map((t) => [t.id, t]));
  let changed = false;
  const turns = current.turns.map((t) => {
    const f = byId.get(t.id);
    // The streaming turn's text and state belong to chat:token and ask:turn, not to this read.
    if (!f || t.state === 'answering' || f.state === 'answering') return t;
    changed = true;
    return { ...t, sources: f.sources };
  });
  return changed ? { ...current, turns } : current;
}
