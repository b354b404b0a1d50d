/**
 * @file The state of the Ask page: the saved library conversations (newest first), the one open (the
 * newest when the page opens), the answer streaming into its last turn (`chat:token`), turns announced by
 * main (`ask:turn`), and send, stop, open, delete and "new conversation". When the library changes, the
 * open conversation's sources are read again ([Note: Library chat sees what the library shows] in
 * main/chat/library-chat.ts). Runs in the renderer. See [Note: Library chat contract] in
 * preload/contract/library-chat.ts.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../../preload/api-error';
import type { LibraryConversationDto, LibraryConversationSummary } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useClient, useEvent, useThrottled } from '../../hooks';
import { withToken, withTurn } from './conversation-turns';
import { withFreshSources } from './fresh-sources';

/** How often, at most, a burst of library changes re-reads the open conversation (ms). */
const SOURCES_REFRESH_MS = 750;

export interface LibraryChatState {
  /** Saved conversations with at least one question, newest first; null until loaded. */
  list: LibraryConversationSummary[] | null;
  conversation: LibraryConversationDto | null;
  /** A request was refused (nothing saved): why, and whether it is because no model is installed. */
  error: { message: string; noModel: boolean } | null;
  running: boolean;
  send: (text: string) => Promise<boolean>;
  stop: () => void;
  /** Starts a new conversation (the old one stays saved). */
  restart: () => void;
  /** Opens a saved conversation (not while an answer is running). */
  open: (conversationId: number) => Promise<void>;
  /** Deletes a saved conversation; the open one gives way to a new conversation. False when refused (`error` says why). */
  remove: (conversationId: number) => Promise<boolean>;
}

export function useLibraryChat(): LibraryChatState {
  const client = useClient();
  const [list, setList] = useState<LibraryConversationSummary[] | null>(null);
  const [conversation, setConversation] = useState<LibraryConversationDto | null>(null);
  const [error, setError] = useState<LibraryChatState['error']>(null);
  const [pending, setPending] = useState(false);
  const fail = useCallback((err: unknown) => setError({ message: errorMessage(err), noModel: false }), []);

  // The newest library conversation opens with the page, so a reload finds it.
  useEffect(() => {
    let live = true;
    void client
      .call('ask:list', {})
      .then((l) => {
        if (live) setList(l);
        return l[0] ? client.call('ask:get', { conversationId: l[0].id }) : null;
      })
      .then(
        (c) => live && c && setConversation((cur) => cur ?? c),
        (err: unknown) => live && fail(err),
      );
    return () => {
      live = false;
    };
  }, [client, fail]);

  const reloadList = useCallback(() => {
    void client.call('ask:list', {}).then(setList, () => undefined);
  }, [client]);
  // Turns start and end here and in other windows: the list's order and questions follow them.
  const reloadListSoon = useThrottled(reloadList, 300);

  useEvent('chat:token', (e) => setConversation((c) => withToken(c, e)));
  useEvent('ask:turn', ({ conversationId, turn, firstSeenTurnId }) => {
    setConversation((c) => (c?.id === conversationId ? withTurn(c, turn, firstSeenTurnId) : c));
    reloadListSoon();
  });

  // A photo hidden, trashed or turned since an answer: its thumbnail leaves or turns with it.
  const openId = useRef<number | null>(null);
  useEffect(() => {
    openId.current = conversation?.id ?? null;
  });
  const refreshSources = useThrottled(() => {
    const id = openId.current;
    if (id === null) return;
    void client.call('ask:get', { conversationId: id }).then(
      (fresh) => setConversation((c) => (c?.id === fresh.id ? withFreshSources(c, fresh) : c)),
      () => undefined, // deleted meanwhile: the list says so on its next read
    );
  }, SOURCES_REFRESH_MS);
  useEvent('library:changed', refreshSources);

  const send = useCallback(
    async (text: string) => {
      setError(null);
      let c = conversation;
      try {
        c ??= await client.call('ask:create', {});
      } catch (err) {
        fail(err);
        return false;
      }
      const id = c.id;
      setConversation(c);
      setPending(true);
      try {
        const turn = await client.call('ask:send', { conversationId: id, text });
        setConversation((cur) => (cur?.id === id ? withTurn(cur, turn, cur.firstSeenTurnId) : cur));
        return true;
      } catch (err) {
        setError({ message: errorMessage(err), noModel: err instanceof ApiError && err.code === 'unavailable' });
        return false;
      } finally {
        setPending(false);
        reloadList();
      }
    },
    [client, conversation, fail, reloadList],
  );

  const stop = useCallback(() => {
    if (conversation) void client.call('ask:stop', { conversationId: conversation.id }).catch(() => {});
  }, [client, conversation]);

  const running = pending || (conversation?.turns.some((t) => t.state === 'answering') ?? false);
  const restart = useCallback(() => {
    if (running) return;
    setError(null);
    setConversation(null);
  }, [running]);

  const open = useCallback(
    async (conversationId: number) => {
      if (running) return;
      setError(null);
      try {
        setConversation(await client.call('ask:get', { conversationId }));
      } catch (err) {
        fail(err);
        reloadList();
      }
    },
    [client, running, fail, reloadList],
  );

  const remove = useCallback(
    async (conversationId: number) => {
      setError(null);
      let ok = true;
      try {
        await client.call('ask:delete', { conversationId });
      } catch (err) {
        // Gone already (deleted in another window): what the user asked for is done, so it is no error.
        ok = err instanceof ApiError && err.code === 'not-found';
        if (!ok) fail(err);
      }
      if (ok) {
        setList((l) => l?.filter((c) => c.id !== conversationId) ?? l);
        setConversation((c) => (c?.id === conversationId ? null : c));
      }
      reloadList();
      return ok;
    },
    [client, fail, reloadList],
  );

  return { list, conversation, error, running, send, stop, restart, open, remove };
}
