/**
 * @file The Ask page's pure parts: a fresh read of the open conversation after a library change updates
 * the sources of finished turns only, and gives back the same objects when they did not change
 * (renderer/src/features/chat/fresh-sources.ts), and the list's dates and titles
 * (renderer/src/features/chat/conversation-list.tsx).
 */
import { describe, expect, it } from 'vitest';
import type { LibraryConversationDto, LibrarySourceDto, LibraryTurnDto } from '../../preload/contract';
import { conversationTitle, whenLabel } from '../../renderer/src/features/chat/conversation-list';
import { withFreshSources } from '../../renderer/src/features/chat/fresh-sources';

const source = (n: number, photoId: number | null, rotation?: 1 | 2 | 3): LibrarySourceDto => ({
  n,
  photoId,
  name: `p${n}.jpg`,
  thumb: photoId === null ? null : `t${n}`,
  cited: n === 1,
  ...(rotation ? { rotation } : {}),
});

const turn = (id: number, state: LibraryTurnDto['state'], answer: string, sources: LibrarySourceDto[]): LibraryTurnDto => ({
  id,
  question: `q${id}`,
  answer,
  state,
  error: null,
  finishReason: null,
  modelId: null,
  demo: false,
  numTiles: null,
  askedAt: '2026-11-30T10:00:00.000Z',
  answeredAt: null,
  ttftMs: null,
  totalMs: null,
  tokens: 0,
  search: 'dog',
  facts: null,
  sources,
});

const conversation = (id: number, turns: LibraryTurnDto[]): LibraryConversationDto => ({
  id,
  turns,
  firstSeenTurnId: null,
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
});

describe('withFreshSources', () => {
  it("takes the finished turns' new sources (a photo hidden, one turned) and keeps the rest", () => {
    const current = conversation(1, [turn(10, 'done', 'It was [1].', [source(1, 5), source(2, 6)])]);
    const fresh = conversation(1, [turn(10, 'done', 'ignored', [source(1, null), source(2, 6, 1)])]);
    const out = withFreshSources(current, fresh);
    expect(out.turns[0]!.sources.map((s) => [s.photoId, s.rotation])).toEqual([
      [null, undefined],
      [6, 1],
    ]);
    expect(out.turns[0]!.answer).toBe('It was [1].');
  });

  it('leaves a streaming turn as it is, and a turn the fresh read does not have', () => {
    const streaming = turn(11, 'answering', 'The dog', [source(1, 5)]);
    const current = conversation(1, [turn(10, 'stopped', 'a', [source(1, 5)]), streaming]);
    const fresh = conversation(1, [turn(11, 'answering', 'The', [source(1, null)])]);
    const out = withFreshSources(current, fresh);
    expect(out).toBe(current);
    expect(out.turns[1]).toBe(streaming);
  });

  it('gives back the same objects when a fresh read changes nothing, so React skips the re-render', () => {
    const first = turn(10, 'done', 'It was [1].', [source(1, 5), source(2, 6, 1)]);
    const second = turn(11, 'failed', '', []);
    const current = conversation(1, [first, second]);
    // A read is always new objects from main: equal values, none of them the same object.
    const fresh = conversation(1, [turn(10, 'done', 'It was [1].', [source(1, 5), source(2, 6, 1)]), turn(11, 'failed', '', [])]);
    expect(withFreshSources(current, fresh)).toBe(current);
    expect(current.turns[0]).toBe(first);
  });

  it('still sees one changed source among unchanged turns, and keeps the unchanged turns as they were', () => {
    const first = turn(10, 'done', 'a', [source(1, 5), source(2, 6)]);
    const second = turn(11, 'done', 'b', [source(1, 7), source(2, 8)]);
    const current = conversation(1, [first, second]);
    const same = () => turn(10, 'done', 'a', [source(1, 5), source(2, 6)]);
    const changes: [string, LibrarySourceDto[]][] = [
      ['a rotation added', [source(1, 7), source(2, 8, 3)]],
      ['a photo gone', [source(1, 7), source(2, null)]],
      ['a thumbnail renewed', [source(1, 7), { ...source(2, 8), thumb: 't2-new' }]],
      ['a source fewer', [source(1, 7)]],
    ];
    for (const [why, sources] of changes) {
      const out = withFreshSources(current, conversation(1, [same(), turn(11, 'done', 'b', sources)]));
      expect(out, why).not.toBe(current);
      expect(out.turns[0], why).toBe(first);
      expect(out.turns[1]!.sources, why).toBe(sources);
    }
    // A rotation taken away again (its field absent) is a change too.
    const turned = conversation(1, [turn(10, 'done', 'a', [source(1, 5, 1)])]);
    expect(withFreshSources(turned, conversation(1, [turn(10, 'done', 'a', [source(1, 5)])])).turns[0]!.sources[0]).not.toHaveProperty(
      'rotation',
    );
  });

  it('ignores a read of another conversation', () => {
    const current = conversation(1, [turn(10, 'done', 'a', [source(1, 5)])]);
    expect(withFreshSources(current, conversation(2, [turn(10, 'done', 'a', [])]))).toBe(current);
  });
});

describe('conversation list', () => {
  const now = new Date(2026, 10, 30, 15, 0);
  it('dates a conversation by the time today, the day this year, else the day and year', () => {
    expect(whenLabel(new Date(2026, 10, 30, 9, 5).toISOString(), now)).toBe('09:05');
    expect(whenLabel(new Date(2026, 2, 3, 9, 5).toISOString(), now)).toBe('3 Mar');
    expect(whenLabel(new Date(2025, 11, 31, 23, 0).toISOString(), now)).toBe('31 Dec 2025');
    expect(whenLabel('not a date', now)).toBe('not a date');
  });

  it('names a conversation by its first question on one line', () => {
    const c = { id: 1, turnCount: 2, updatedAt: now.toISOString() };
    expect(conversationTitle({ ...c, firstQuestion: '  How many\n photos of the dog?' })).toBe('How many photos of the dog?');
    expect(conversationTitle({ ...c, firstQuestion: null })).toBe('Conversation');
  });
});
