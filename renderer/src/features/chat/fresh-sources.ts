/**
 * @file How the Ask page's open conversation takes a fresh read of itself after the library changed: each
 * finished turn takes its sources as main computes them now (a photo hidden, trashed or turned since the
 * answer: [Note: Library chat sees what the library shows] in main/chat/library-chat.ts), and nothing
 * else changes. A turn still being answered keeps what it streamed so far. Runs in the renderer; pure.
 *
 * The read repeats after every burst of library changes (throttled) while the page is open, and most
 * change nothing the conversation shows: then the same objects come back, so React skips the re-render.
 */
import type { LibraryConversationDto, LibrarySourceDto } from '../../../../preload/contract';

/** The same fields with the same values (a source's fields are all plain values; an absent one differs from a present one). */
function sameSource(a: LibrarySourceDto, b: LibrarySourceDto): boolean {
  const keys = Object.keys(a) as (keyof LibrarySourceDto)[];
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && a[k] === b[k]);
}

const sameSources = (a: readonly LibrarySourceDto[], b: readonly LibrarySourceDto[]) =>
  a.length === b.length && a.every((s, i) => sameSource(s, b[i]!));

/**
 * `current` with the sources of `fresh` (a later `ask:get` of the same conversation) on its finished turns.
 * Returns `current` itself when no turn's sources changed, and keeps each unchanged turn's object.
 */
export function withFreshSources(current: LibraryConversationDto, fresh: LibraryConversationDto): LibraryConversationDto {
  if (current.id !== fresh.id) return current;
  const byId = new Map(fresh.turns.map((t) => [t.id, t]));
  let changed = false;
  const turns = current.turns.map((t) => {
    const f = byId.get(t.id);
    // The streaming turn's text and state belong to chat:token and ask:turn, not to this read.
    if (!f || t.state === 'answering' || f.state === 'answering' || sameSources(t.sources, f.sources)) return t;
    changed = true;
    return { ...t, sources: f.sources };
  });
  return changed ? { ...current, turns } : current;
}
