/**
 * @file The Ask page: questions about the whole library ("how many photos of the dog this year?",
 * "when did we last go to the mountains?"). Each answer streams in, with the facts the database
 * computed shown above it (never the model's guess) and the photos it was given as thumbnails, the
 * cited ones marked; a thumbnail opens the viewer over those photos. Stop ends an answer within a
 * token; refusals (no model, a bad question) show inline. Saved conversations are listed beside it
 * (./conversation-list.tsx; a drawer under 900 px) to reopen or delete. Runs in the renderer.
 *
 * Output of a random-weight model is labelled ([Note: Demo output is labelled] in
 * main/inference/inference.service.ts).
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { LibraryConversationSummary, LibraryTurnDto, PhotoSummary } from '../../../../preload/contract';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { MAX_QUESTION_CHARS } from '../../../../preload/contract/chat-limits';
import { useClient, useInfo } from '../../hooks';
import { thumbUrl } from '../../media';
import { turnedStyle } from '../library/thumb-turn';
import { PhotoStore } from '../library/photo-store';
import { Viewer } from '../../on-demand';
import { ConversationList, conversationTitle } from './conversation-list';
import { useLibraryChat } from './use-library-chat';
import './chat.css';

/** The photos a turn was given, as a viewer store (the cited ones first). */
function useSourcesViewer() {
  const client = useClient();
  const [open, setOpen] = useState<{ ids: number[]; index: number } | null>(null);
  const store = useMemo(() => {
    if (!open) return null;
    const ids = open.ids;
    return new PhotoStore<PhotoSummary>(async (offset, limit) => ({
      items: await Promise.all(ids.slice(offset, offset + limit).map((id) => client.call('photos:get', { id }))),
      total: ids.length,
    }));
  }, [client, open]);
  return { open, setOpen, store };
}

function Sources({ turn, onOpen }: { turn: LibraryTurnDto; onOpen: (ids: number[], index: number) => void }) {
  const { mediaBase } = useInfo();
  const shown = turn.sources.filter((s) => s.photoId !== null);
  if (shown.length === 0) return null;
  const ids = shown.map((s) => s.photoId!);
  return (
    <ul className="ask-sources" data-testid="ask-sources">
      {shown.map((s, i) => (
        <li key={s.n}>
          <button
            type="button"
            className={s.cited ? 'ask-source cited' : 'ask-source'}
            data-testid="ask-source"
            data-cited={s.cited}
            title={`[${s.n}] ${s.name}${s.cited ? ' (cited)' : ''}`}
            onClick={() => onOpen(ids, i)}
          >
            {s.thumb ? (
              <img
                src={thumbUrl(mediaBase, s.thumb)}
                alt={s.name}
                loading="lazy"
                style={turnedStyle(s.rotation)}
                data-rotation={s.rotation}
              />
            ) : (
              <span>{s.name}</span>
            )}
            <span className="ask-source-n">{s.n}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function Turn({ turn, onOpen }: { turn: LibraryTurnDto; onOpen: (ids: number[], index: number) => void }) {
  return (
    <li className="chat-turn" data-testid="ask-turn" data-state={turn.state}>
      <p className="chat-question">{turn.question}</p>
      {turn.search ? <p className="chat-meta muted">Searched: {turn.search}</p> : null}
      {turn.facts ? (
        <ul className="ask-facts" data-testid="ask-facts" title="Computed from the library's database">
          {turn.facts.lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      ) : null}
      <div className={`chat-answer chat-answer-${turn.state}`} aria-live={turn.state === 'answering' ? 'polite' : undefined}>
        <p className="chat-answer-text" data-testid="ask-answer">
          {turn.answer || (turn.state === 'answering' ? <span className="muted">Looking through the library…</span> : null)}
        </p>
        {turn.state === 'stopped' || turn.state === 'failed' ? (
          <p className={turn.state === 'failed' ? 'inline-error' : 'muted'} role={turn.state === 'failed' ? 'alert' : undefined}>
            {turn.state === 'stopped' ? 'Stopped.' : 'Failed.'} {turn.error ?? ''}
          </p>
        ) : null}
        {turn.demo && turn.state !== 'answering' ? (
          <p className="chat-meta muted">
            <span className="badge badge-warn" title="This model has random weights: it writes random words, not a description">
              Random text (demo model)
            </span>
          </p>
        ) : null}
      </div>
      <Sources turn={turn} onOpen={onOpen} />
    </li>
  );
}

const LIST_ID = 'ask-conversations';

/** The conversation list's drawer (under 900 px; chat.css): Esc closes it and gives focus back to its button. */
function useListDrawer() {
  const [open, setOpen] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    // Into the list, where the keyboard wants to be: the open conversation, else the first.
    const list = document.getElementById(LIST_ID);
    (list?.querySelector<HTMLElement>('[aria-current="true"]') ?? list?.querySelector<HTMLElement>('button:not(:disabled)'))?.focus();
    const onKey = (e: globalThis.KeyboardEvent) => {
      // Esc in the delete confirmation closes that dialog only.
      if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      setOpen(false);
      toggleRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return { open, setOpen, toggleRef };
}

export function AskPage() {
  const chat = useLibraryChat();
  const viewer = useSourcesViewer();
  const { open: listOpen, setOpen: setListOpen, toggleRef } = useListDrawer();
  const [text, setText] = useState('');
  const [deleting, setDeleting] = useState<LibraryConversationSummary | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const { conversation, running } = chat;
  const submit = () => {
    const question = text.trim();
    if (question === '' || running) return;
    void chat.send(question).then((ok) => ok && setText(''));
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && running) chat.stop();
  };
  const onOpen = (ids: number[], index: number) => viewer.setOpen({ ids, index });
  /** After choosing a conversation (or a new one) the drawer closes and the keyboard goes to the question. */
  const chosen = () => {
    setListOpen(false);
    inputRef.current?.focus();
  };
  // After a delete the keyboard stays in the list, on the conversation that took the deleted one's place:
  // focused once the shorter list is on the page (an effect of the list, not a frame after the request,
  // which could come before React had rendered it — seen in e2e under load).
  const refocus = useRef<{ at: number; count: number } | null>(null);
  useEffect(() => {
    const want = refocus.current;
    if (!want || !chat.list || chat.list.length >= want.count) return;
    refocus.current = null;
    const left = [...document.querySelectorAll<HTMLElement>(`#${LIST_ID} [data-testid="ask-conversation-open"]`)];
    (left[Math.min(want.at, left.length - 1)] ?? inputRef.current)?.focus();
  }, [chat.list]);
  const confirmDelete = (c: LibraryConversationSummary) => {
    setDeleting(null);
    const list = chat.list ?? [];
    const want = { at: list.findIndex((x) => x.id === c.id), count: list.length };
    refocus.current = want;
    // A refused delete leaves the list as it was: a later shrink of it (a delete in another window) must
    // not take the keyboard from wherever it is then. A newer delete's wish is its own.
    void chat.remove(c.id).then((deleted) => {
      if (!deleted && refocus.current === want) refocus.current = null;
    });
  };
  return (
    <section className={listOpen ? 'chat ask-page list-open' : 'chat ask-page'} aria-label="Ask your library" data-testid="ask-page">
      <ConversationList
        id={LIST_ID}
        list={chat.list}
        openId={conversation?.id ?? null}
        running={running}
        onOpen={(id) => {
          if (id !== conversation?.id) void chat.open(id);
          chosen();
        }}
        onDelete={setDeleting}
      />
      {listOpen ? <div className="ask-list-backdrop" aria-hidden="true" onClick={() => setListOpen(false)} /> : null}
      <div className="ask-main">
        <header className="chat-head">
          <button
            type="button"
            ref={toggleRef}
            className="ask-list-toggle"
            aria-controls={LIST_ID}
            aria-expanded={listOpen}
            onClick={() => setListOpen((o) => !o)}
            data-testid="ask-list-toggle"
          >
            Conversations
          </button>
          <h2>Ask your library</h2>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              chat.restart();
              chosen();
            }}
            disabled={running || !conversation}
            data-testid="ask-new"
          >
            New conversation
          </button>
        </header>
        {conversation && conversation.turns.length > 0 ? (
          <ol className="chat-turns" data-testid="ask-turns">
            {conversation.turns.map((t) => (
              <Turn key={t.id} turn={t} onOpen={onOpen} />
            ))}
          </ol>
        ) : (
          <p className="muted">Ask about your photos: “how many photos of the dog this year?”, “when did we last go to the beach?”</p>
        )}
        {chat.error ? (
          <p className="inline-error" role="alert" data-testid="ask-error">
            {chat.error.message}
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
            ref={inputRef}
            aria-label="Question about your library"
            data-testid="ask-input"
            value={text}
            maxLength={MAX_QUESTION_CHARS}
            rows={2}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKey}
          />
          {running ? (
            <button type="button" onClick={chat.stop} data-testid="ask-stop">
              Stop
            </button>
          ) : (
            <button type="submit" disabled={text.trim() === ''} data-testid="ask-send">
              Ask
            </button>
          )}
        </form>
      </div>
      {deleting ? (
        <ConfirmDialog
          title="Delete this conversation?"
          message={`“${conversationTitle(deleting)}”: its questions and answers are removed. Your photos are not touched.`}
          confirmLabel="Delete"
          onConfirm={() => confirmDelete(deleting)}
          onCancel={() => setDeleting(null)}
        />
      ) : null}
      {viewer.open && viewer.store ? (
        <Viewer
          store={viewer.store}
          index={viewer.open.index}
          total={viewer.open.ids.length}
          onIndex={(index) => viewer.setOpen((o) => (o ? { ...o, index } : o))}
          onClose={() => viewer.setOpen(null)}
        />
      ) : null}
    </section>
  );
}
