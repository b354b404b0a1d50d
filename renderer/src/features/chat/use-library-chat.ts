/**
 * @file The state of the Ask page: the newest library conversation (opened with the page), the answer
 * streaming into its last turn (`chat:token`), turns announced by main (`ask:turn`), and
 * send, stop and "new conversation". Runs in the renderer. See [Note: Library chat contract] in
 * preload/contract/library-chat.ts.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../../../preload/api-error';
import type { LibraryConversationDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useClient, useEvent } from '../../hooks';
import { withToken, withTurn } from './conversation-turns';

export interface LibraryChatState {
  conversation: LibraryConversationDto | null;
  /** A request was refused (nothing saved): why, and whether it is because no model is installed. */
  error: { message: string; noModel: boolean } | null;
  running: boolean;
  send: (text: string) => Promise<boolean>;
  stop: () => void;
  /** Starts a new conversation (the old one stays saved). */
  restart: () => void;
}

export function useLibraryChat(): LibraryChatState {
  const client = useClient();
  const [conversation, setConversation] = useState<LibraryConversationDto | null>(null);
  const [error, setError] = useState<LibraryChatState['error']>(null);
  const [pending, setPending] = useState(false);

  // The newest library conversation opens with the page, so a reload finds it.
  useEffect(() => {
    let live = true;
    void client
      .call('ask:list', {})
      .then((list) => (list[0] ? client.call('ask:get', { conversationId: list[0].id }) : null))
      .then(
        (c) => live && c && setConversation(c),
        (err: unknown) => live && setError({ message: errorMessage(err), noModel: false }),
      );
    return () => {
      live = false;
    };
  }, [client]);

  useEvent('chat:token', (e) => setConversation((c) => withToken(c, e)));
  useEvent('ask:turn', ({ conversationId, turn, firstSeenTurnId }) => {
    setConversation((c) => (c?.id === conversationId ? withTurn(c, turn, firstSeenTurnId) : c));
  });

  const send = useCallback(
    async (text: string) => {
      setError(null);
      let c = conversation;
      try {
        c ??= await client.call('ask:create', {});
      } catch (err) {
        setError({ message: errorMessage(err), noModel: false });
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
      }
    },
    [client, conversation],
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

  return { conversation, error, running, send, stop, restart };
}
