/**
 * @file The Ask page: questions about the whole library ("how many photos of the dog this year?",
 * "when did we last go to the mountains?"). Each answer streams in, with the facts the database
 * computed shown above it (never the model's guess) and the photos it was given as thumbnails, the
 * cited ones marked; a thumbnail opens the viewer over those photos. Stop ends an answer within a
 * token; refusals (no model, a bad question) show inline. Runs in the renderer.
 *
 * Output of a random-weight model is labelled ([Note: Demo output is labelled] in
 * main/inference/inference.service.ts).
 */
import { useMemo, useState, type KeyboardEvent } from 'react';
import type { LibraryTurnDto, PhotoSummary } from '../../../../preload/contract';
import { MAX_QUESTION_CHARS } from '../../../../preload/contract/chat-limits';
import { useClient, useInfo } from '../../hooks';
import { thumbUrl } from '../../media';
import { turnedStyle } from '../library/thumb-turn';
import { PhotoStore } from '../library/photo-store';
import { Viewer } from '../../on-demand';
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

export function AskPage() {
  const chat = useLibraryChat();
  const viewer = useSourcesViewer();
  const [text, setText] = useState('');
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
  return (
    <section className="chat ask-page" aria-label="Ask your library" data-testid="ask-page">
      <header className="chat-head">
        <h2>Ask your library</h2>
        <button type="button" className="link-button" onClick={chat.restart} disabled={running || !conversation}>
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
