/**
 * @file The Ask page's list of saved library conversations, the most recently used first: each is named by
 * its first question (as chat apps name theirs) and shows when it was last asked and how many questions
 * it holds; choosing one opens it, its × asks to delete it. Beside the conversation in a wide window;
 * under 900 px a drawer opened from the page's header (ask-page.tsx, chat.css), as the app's sidebar.
 * Runs in the renderer.
 */
import type { LibraryConversationSummary } from '../../../../preload/contract';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** When a conversation was last used, in the viewer's time zone: "14:05" today, "3 Nov" this year, else "3 Nov 2025". */
export function whenLabel(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (v: number) => String(v).padStart(2, '0');
  if (d.toDateString() === now.toDateString()) return `${p(d.getHours())}:${p(d.getMinutes())}`;
  const day = `${d.getDate()} ${MONTHS[d.getMonth()] ?? ''}`;
  return d.getFullYear() === now.getFullYear() ? day : `${day} ${d.getFullYear()}`;
}

/** The name a conversation goes by: its first question, on one line. */
export const conversationTitle = (c: LibraryConversationSummary) => c.firstQuestion?.replace(/\s+/g, ' ').trim() || 'Conversation';

export interface ConversationListProps {
  id: string;
  list: LibraryConversationSummary[] | null;
  openId: number | null;
  /** An answer is running: another conversation cannot be opened, nor the open one deleted. */
  running: boolean;
  onOpen: (conversationId: number) => void;
  onDelete: (conversation: LibraryConversationSummary) => void;
}

export function ConversationList({ id, list, openId, running, onOpen, onDelete }: ConversationListProps) {
  return (
    <nav className="ask-list" id={id} aria-labelledby={`${id}-title`} data-testid="ask-list">
      <h3 className="ask-list-title" id={`${id}-title`}>
        Conversations
      </h3>
      {list === null ? null : list.length === 0 ? (
        <p className="muted small">Your questions are saved here.</p>
      ) : (
        <ul>
          {list.map((c) => {
            const current = c.id === openId;
            const title = conversationTitle(c);
            const questions = c.turnCount === 1 ? '1 question' : `${c.turnCount} questions`;
            return (
              <li key={c.id} className={current ? 'ask-list-item current' : 'ask-list-item'} data-testid="ask-conversation">
                <button
                  type="button"
                  className="ask-list-open"
                  aria-current={current ? 'true' : undefined}
                  disabled={running && !current}
                  onClick={() => onOpen(c.id)}
                  data-testid="ask-conversation-open"
                >
                  <span className="ask-list-question">{title}</span>
                  <span className="ask-list-meta">
                    <time dateTime={c.updatedAt}>{whenLabel(c.updatedAt)}</time> · {questions}
                  </span>
                </button>
                <button
                  type="button"
                  className="icon-button ask-list-delete"
                  aria-label={`Delete the conversation “${title}”`}
                  title="Delete this conversation"
                  disabled={running && current}
                  onClick={() => onDelete(c)}
                  data-testid="ask-conversation-delete"
                >
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
