/**
 * @file "Chat" in the viewer: a conversation with InternVL about the open photo, saved with the photo.
 * The answer streams in; Stop (or Esc while it streams) ends it within a token; the last answer can be
 * regenerated and the last question edited and sent again; every answer can be copied. Enter sends,
 * Shift+Enter starts a new line. When the context budget made the model drop older turns, a notice
 * says so above the oldest turn it still sees. Runs in the renderer.
 *
 * Stopped and failed answers are shown with their reason and are not remembered by the model ([Note:
 * What the model remembers] in main/chat/photo-chat.ts). Output of a random-weight model is labelled
 * ([Note: Demo output is labelled] in main/inference/inference.service.ts).
 */
import { useState, type KeyboardEvent, type ReactNode } from 'react';
import type { ChatConversationDto, ChatTurnDto } from '../../../../preload/contract';
import { MAX_QUESTION_CHARS } from '../../../../preload/contract/chat-limits';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { usePhotoChat } from './use-photo-chat';
import './chat.css';

/** One question and its answer, with the actions that fit it. */
function Turn({
  turn,
  last,
  busy,
  onRegenerate,
  onEdit,
}: {
  turn: ChatTurnDto;
  last: boolean;
  busy: boolean;
  onRegenerate: () => void;
  onEdit: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(turn.answer).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <li className="chat-turn" data-testid="chat-turn" data-state={turn.state}>
      <p className="chat-question" data-testid="chat-question">
        {turn.question}
      </p>
      <div className={`chat-answer chat-answer-${turn.state}`} aria-live={turn.state === 'answering' ? 'polite' : undefined}>
        <p className="chat-answer-text" data-testid="chat-answer">
          {turn.answer || (turn.state === 'answering' ? <span className="muted">Looking at the photo…</span> : null)}
        </p>
        {turn.state === 'stopped' || turn.state === 'failed' ? (
          <p
            className={turn.state === 'failed' ? 'inline-error' : 'muted'}
            role={turn.state === 'failed' ? 'alert' : undefined}
            data-testid="chat-turn-status"
          >
            {turn.state === 'stopped' ? 'Stopped.' : 'Failed.'} {turn.error ?? ''}{' '}
            <span className="muted" title="Stopped and failed answers are kept here, but the model does not remember them.">
              (not remembered)
            </span>
          </p>
        ) : null}
        {turn.state !== 'answering' ? (
          <p className="chat-meta muted">
            {turn.demo ? (
              <span
                className="badge badge-warn"
                data-testid="chat-demo"
                title="This model has random weights: it writes random words, not a description"
              >
                Random text (demo model)
              </span>
            ) : null}{' '}
            {turn.finishReason === 'length' ? 'cut at the length limit · ' : ''}
            {turn.answer ? (
              <button type="button" className="link-button" onClick={copy} data-testid="chat-copy">
                {copied ? 'Copied' : 'Copy'}
              </button>
            ) : null}
            {last && !busy ? (
              <>
                {' · '}
                <button type="button" className="link-button" onClick={onRegenerate} data-testid="chat-regenerate">
                  Regenerate
                </button>
                {' · '}
                <button type="button" className="link-button" onClick={onEdit} data-testid="chat-edit">
                  Edit question
                </button>
              </>
            ) : null}
          </p>
        ) : null}
      </div>
    </li>
  );
}

function Messages({
  conversation,
  busy,
  onRegenerate,
  onEdit,
}: {
  conversation: ChatConversationDto;
  busy: boolean;
  onRegenerate: () => void;
  onEdit: (t: ChatTurnDto) => void;
}) {
  const { turns, firstSeenTurnId } = conversation;
  return (
    <ol className="chat-turns" data-testid="chat-turns">
      {turns.map((t, i) => (
        <TurnWithNotice key={t.id} notice={t.id === firstSeenTurnId && i > 0}>
          <Turn turn={t} last={i === turns.length - 1} busy={busy} onRegenerate={onRegenerate} onEdit={() => onEdit(t)} />
        </TurnWithNotice>
      ))}
    </ol>
  );
}

/** A turn, preceded by the budget notice when the model no longer sees the turns before it. */
function TurnWithNotice({ notice, children }: { notice: boolean; children: ReactNode }) {
  return (
    <>
      {notice ? (
        <li className="chat-notice muted" role="note" data-testid="chat-budget-notice">
          Earlier messages are not seen by the model (they no longer fit in its context).
        </li>
      ) : null}
      {children}
    </>
  );
}

export function ChatPanel({ photoId }: { photoId: number }) {
  const chat = usePhotoChat(photoId);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { conversation, conversations, running } = chat;

  const submit = () => {
    const question = text.trim();
    if (question === '' || running) return;
    const request = editing ? chat.editLast(question) : chat.send(question);
    // The question leaves the box at once; a refused request puts it back, so nothing typed is lost.
    setText('');
    setEditing(false);
    void request.then((ok) => {
      if (!ok) setText(question);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && running) {
      e.preventDefault();
      chat.stop();
    }
  };

  return (
    <section className="chat" aria-label="Chat about this photo" data-testid="chat-panel">
      <div className="chat-head">
        <h3>Chat</h3>
        {conversations.length > 0 ? (
          <select
            aria-label="Conversation"
            data-testid="chat-conversations"
            value={conversation?.id ?? ''}
            onChange={(e) => chat.open(e.target.value === '' ? null : Number(e.target.value))}
          >
            <option value="">New conversation</option>
            {conversations.map((c) => (
              <option key={c.id} value={c.id}>
                {(c.firstQuestion ?? 'No question yet').slice(0, 40)}
                {c.photos.length > 1 ? ` (with ${c.photos.length - 1} other photo${c.photos.length > 2 ? 's' : ''})` : ''}
              </option>
            ))}
          </select>
        ) : null}
        {conversation ? (
          <button type="button" className="ghost" onClick={() => setConfirmDelete(true)} disabled={running} data-testid="chat-delete">
            Delete
          </button>
        ) : null}
      </div>
      {conversation && conversation.photos.length > 1 ? (
        <p className="muted chat-photos" data-testid="chat-photos">
          About {conversation.photos.map((p, i) => `Image-${i + 1} ${p.name}`).join(', ')}
        </p>
      ) : null}
      {conversation && conversation.turns.length > 0 ? (
        <Messages
          conversation={conversation}
          busy={running}
          onRegenerate={() => void chat.regenerate()}
          onEdit={(t) => {
            setText(t.question);
            setEditing(true);
          }}
        />
      ) : null}
      {chat.error ? (
        <p className="inline-error" role="alert" data-testid="chat-error">
          {chat.error.message} {chat.error.noModel ? <a href="#/models">Open Models</a> : null}
        </p>
      ) : null}
      <form
        className="chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <textarea
          value={text}
          rows={2}
          maxLength={MAX_QUESTION_CHARS}
          placeholder={editing ? 'Edit your last question' : 'Ask about this photo (Enter sends, Shift+Enter new line)'}
          aria-label="Chat message"
          data-testid="chat-input"
          // While an answer streams, Esc stops it instead of closing the viewer.
          data-escape={running ? 'field' : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {running ? (
          <button type="button" onClick={chat.stop} data-testid="chat-stop" title="Stop (Esc)">
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={text.trim() === ''} data-testid="chat-send">
            {editing ? 'Resend' : 'Send'}
          </button>
        )}
      </form>
      {editing ? (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setEditing(false);
            setText('');
          }}
          data-testid="chat-edit-cancel"
        >
          Cancel editing
        </button>
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title="Delete this conversation?"
          message="Its questions and answers are removed. The photo is not touched."
          confirmLabel="Delete"
          onConfirm={() => {
            setConfirmDelete(false);
            void chat.remove();
          }}
          onCancel={() => setConfirmDelete(false)}
        />
      ) : null}
    </section>
  );
}
