/**
 * @file The state of the viewer's chat about one photo: its conversations, the open one with its turns,
 * the answer streaming into the last turn (`chat:token`), turns announced by main (`chat:turn`, from this
 * window or another), and the requests (send, stop, regenerate, edit the last question, delete). Runs
 * in the renderer. See [Note: Photo chat contract] in preload/contract/chat.ts.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../../../preload/api-error';
import type { ChatConversationDto, ChatConversationSummary, ChatTurnDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useClient, useEvent } from '../../hooks';
import { withToken, withTurn } from './conversation-turns';

export interface PhotoChatState {
  conversations: ChatConversationSummary[];
  conversation: ChatConversationDto | null;
  /** A request was refused (nothing saved): why, and whether it is because no model is installed. */
  error: { message: string; noModel: boolean } | null;
  /** An answer of the open conversation is being written. */
  running: boolean;
  open: (conversationId: number | null) => void;
  /** Sends a question (a new conversation about the photo when none is open); false when it was refused. */
  send: (text: string) => Promise<boolean>;
  editLast: (text: string) => Promise<boolean>;
  regenerate: () => Promise<boolean>;
  stop: () => void;
  remove: () => Promise<void>;
}

export function usePhotoChat(photoId: number): PhotoChatState {
  const client = useClient();
  const [conversations, setConversations] = useState<ChatConversationSummary[]>([]);
  const [conversation, setConversation] = useState<ChatConversationDto | null>(null);
  const [error, setError] = useState<PhotoChatState['error']>(null);
  /** A turn request is in flight (before main announces the turn, too: no second send meanwhile). */
  const [pending, setPending] = useState(false);

  const refreshList = useCallback(
    () =>
      client.call('chat:list', { photoId }).then(
        (list) => {
          setConversations(list);
          return list;
        },
        () => [] as ChatConversationSummary[],
      ),
    [client, photoId],
  );

  const open = useCallback(
    (conversationId: number | null) => {
      setError(null);
      if (conversationId === null) {
        setConversation(null);
        return;
      }
      client
        .call('chat:get', { conversationId })
        .then(setConversation, (err: unknown) => setError({ message: errorMessage(err), noModel: false }));
    },
    [client],
  );

  // The newest conversation about this photo alone opens with the viewer.
  useEffect(() => {
    let live = true;
    void refreshList().then((list) => {
      const own = list.find((c) => c.photos.length === 1);
      if (live && own) open(own.id);
    });
    return () => {
      live = false;
    };
  }, [refreshList, open]);

  useEvent('chat:token', (e) => setConversation((c) => withToken(c, e)));
  useEvent('chat:turn', ({ conversationId, turn, firstSeenTurnId }) => {
    setConversation((c) => (c?.id === conversationId ? withTurn(c, turn, firstSeenTurnId) : c));
  });

  /** Runs a turn request; a refusal shows inline, a finished (or stopped, failed) turn replaces its row. */
  const run = useCallback(
    async (conversationId: number, call: () => Promise<ChatTurnDto>): Promise<boolean> => {
      setError(null);
      setPending(true);
      try {
        const turn = await call();
        setConversation((c) => (c?.id === conversationId ? withTurn(c, turn, c.firstSeenTurnId) : c));
        return true;
      } catch (err) {
        setError({ message: errorMessage(err), noModel: err instanceof ApiError && err.code === 'unavailable' });
        return false;
      } finally {
        setPending(false);
        void refreshList();
      }
    },
    [refreshList],
  );

  const send = useCallback(
    async (text: string) => {
      let c = conversation;
      if (!c) {
        try {
          c = await client.call('chat:create', { photoIds: [photoId] });
        } catch (err) {
          setError({ message: errorMessage(err), noModel: false });
          return false;
        }
        setConversation(c);
      }
      const id = c.id;
      return run(id, () => client.call('chat:send', { conversationId: id, text }));
    },
    [client, conversation, photoId, run],
  );

  const id = conversation?.id ?? null;
  return {
    conversations,
    conversation,
    error,
    running: pending || (conversation?.turns.some((t) => t.state === 'answering') ?? false),
    open,
    send,
    editLast: (text) => (id === null ? Promise.resolve(false) : run(id, () => client.call('chat:editLast', { conversationId: id, text }))),
    regenerate: () => (id === null ? Promise.resolve(false) : run(id, () => client.call('chat:regenerate', { conversationId: id }))),
    stop: () => {
      if (id !== null) void client.call('chat:stop', { conversationId: id }).catch(() => undefined);
    },
    remove: async () => {
      if (id === null) return;
      await client
        .call('chat:delete', { conversationId: id })
        .catch((err: unknown) => setError({ message: errorMessage(err), noModel: false }));
      setConversation(null);
      await refreshList();
    },
  };
}
