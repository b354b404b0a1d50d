/**
 * @file The viewer's understanding panel: the photo's caption, tags and text in the image as the
 * background understanding step left them, each editable in place, a re-run with the current model,
 * and why a photo has nothing yet (queued, no model, paused, its own error). Follows
 * `photos:understandingChanged` for the open photo. Runs in the renderer.
 *
 * [Note: User edits win] (preload/contract/understanding.ts) is made visible here: the user's caption
 * and text carry "edited by you", the user's tags come first in their own colour, tags the user removed
 * are listed as removed (the model never brings them back), and "Redo" says that it keeps all of that.
 * What is decided from the data lives in ./understanding-view.ts (pure, unit-tested).
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { PhotoUnderstanding } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useNotify } from '../../components/notices';
import { useClient, useEvent, useRequest } from '../../hooks';
import { CaptionSection, TextSection } from './understanding-texts';
import {
  firstSentence,
  madeByLabel,
  orderTags,
  tagSuggestions,
  tagTitle,
  understandingStatus,
  type Act,
  type UnderstandingStatus,
} from './understanding-view';

export function UnderstandingPanel({ photoId }: { photoId: number }) {
  const client = useClient();
  const notify = useNotify();
  const u = useRequest('photos:understanding', { id: photoId }, String(photoId));
  const { reload, set } = u;
  useEvent('photos:understandingChanged', ({ photoIds }) => {
    if (photoIds.includes(photoId)) reload();
  });
  const [redoing, setRedoing] = useState(false);

  const act: Act = async (what, call) => {
    try {
      set(await call());
      return true;
    } catch (err) {
      notify('error', `Could not ${what}: ${errorMessage(err)}`);
      return false;
    }
  };
  const redo = async () => {
    setRedoing(true);
    try {
      await client.call('photos:redoUnderstanding', { ids: [photoId] });
      notify('info', 'Queued again for the current model. Your own caption, text and tags stay.');
      reload();
    } catch (err) {
      notify('error', `Could not queue this photo again: ${errorMessage(err)}`);
    } finally {
      setRedoing(false);
    }
  };

  const data = u.data;
  return (
    <section className="understanding" aria-labelledby="understanding-title" data-testid="understanding-panel">
      <header className="understanding-head">
        <h3 id="understanding-title">Caption and tags</h3>
        {data?.result?.demo ? (
          <span
            className="badge badge-warn"
            data-testid="understanding-demo"
            title="Made by a model with random weights: it writes random words, not a description"
          >
            Random text (demo model)
          </span>
        ) : null}
      </header>
      {u.error && !data ? (
        <p className="inline-error" role="alert">
          Could not read this photo's caption and tags: {u.error}{' '}
          <button type="button" className="link-button" onClick={reload}>
            Try again
          </button>
        </p>
      ) : null}
      {data ? (
        <>
          {data.job?.state === 'pending' ? <PendingStatus u={data} /> : <StatusLine status={understandingStatus(data, undefined)} />}
          <CaptionSection u={data} act={act} />
          <TagsSection u={data} act={act} />
          <TextSection u={data} act={act} />
          {data.job && data.job.state !== 'pending' && data.job.state !== 'running' ? (
            <div className="understanding-foot">
              <button type="button" onClick={() => void redo()} disabled={redoing} data-testid="understanding-redo">
                Redo with the current model
              </button>
              <span className="muted small">Captions and tags this photo again; your edits stay.</span>
            </div>
          ) : null}
          {data.result ? (
            <p
              className="muted small"
              title={`Made ${new Date(data.result.madeBy.madeAt).toLocaleString()}`}
              data-testid="understanding-made-by"
              data-made-at={data.result.madeBy.madeAt}
            >
              {madeByLabel(data.result.madeBy)}
              {data.result.numTiles !== null ? ` · ${data.result.numTiles} tile${data.result.numTiles === 1 ? '' : 's'}` : ''}
              {data.result.ms !== null ? ` · ${(data.result.ms / 1000).toFixed(1)} s` : ''}
              {data.result.current ? '' : ' · an earlier model'}
            </p>
          ) : null}
        </>
      ) : u.error ? null : (
        <p className="muted small">Loading…</p>
      )}
    </section>
  );
}

/** A queued photo's status, which needs the queue's reason for waiting (no model, paused on battery). */
function PendingStatus({ u }: { u: PhotoUnderstanding }) {
  const jobs = useRequest('jobs:status', {});
  useEvent('jobs:progress', jobs.set);
  return <StatusLine status={understandingStatus(u, jobs.data)} />;
}

function StatusLine({ status }: { status: UnderstandingStatus | null }) {
  if (!status) return null;
  const line = (cls: string, children: ReactNode, role: 'status' | 'alert' = 'status') => (
    <p className={`understanding-status ${cls}`} role={role} data-testid="understanding-status" data-state={status.kind}>
      {children}
    </p>
  );
  switch (status.kind) {
    case 'not-applicable':
      return line('muted', 'Not queued: videos and unreadable files are not captioned or tagged.');
    case 'running':
      return line('muted', 'Understanding this photo now…');
    case 'waiting':
      return line('muted', 'Waiting for understanding: this photo is queued.');
    case 'stale':
      return line('muted', 'Made by an earlier model; the current model will redo it (your edits stay).');
    case 'paused':
      return line(
        'warn',
        <>
          Waiting: processing is paused. <a href="#/activity">Activity</a>
        </>,
      );
    case 'blocked':
      return status.aboutModel
        ? line(
            'warn',
            <>
              {firstSentence(status.reason)} <a href="#/models">Models page</a>
            </>,
          )
        : line('warn', `Waiting: ${status.reason}.`);
    case 'failed':
      return line(
        'error-text',
        <>
          Could not understand this photo: {status.message}
          {status.willRetry ? ' (it will be tried again)' : ''}
        </>,
        'alert',
      );
  }
}

/** The tags as chips (the user's first, marked), remove buttons, the add field, and the removed ones. */
function TagsSection({ u, act }: { u: PhotoUnderstanding; act: Act }) {
  const client = useClient();
  const labels = useRequest('tags:list', {});
  const [draft, setDraft] = useState('');
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<number | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const tags = orderTags(u.tags);
  const shownTag = tags.find((t) => t.labelId === shown) ?? null;
  const listId = `tag-suggestions-${u.photoId}`;

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const label = draft.trim();
    if (!label || adding) return;
    setAdding(true);
    if (await act(`add the tag “${label}”`, () => client.call('photos:addTag', { id: u.photoId, label }))) {
      setDraft('');
      labels.reload(); // an unknown label has joined the taxonomy
    }
    setAdding(false);
  };
  const remove = async (labelId: number, label: string) => {
    if (await act(`remove the tag “${label}”`, () => client.call('photos:removeTag', { id: u.photoId, labelId }))) {
      setShown(null);
      inputRef.current?.focus();
    }
  };
  const putBack = (label: string) => void act(`put back the tag “${label}”`, () => client.call('photos:addTag', { id: u.photoId, label }));

  return (
    <div className="understanding-section" data-testid="tags-section">
      <h4 className="understanding-label">Tags</h4>
      {tags.length > 0 ? (
        <ul className="chips tag-chips" aria-label="Tags">
          {tags.map((t) => (
            <li
              key={t.labelId}
              className={`chip tag-chip${t.source === 'user' ? ' tag-user' : ''}`}
              data-testid="tag-chip"
              data-source={t.source}
            >
              <button
                type="button"
                className="tag-label"
                title={tagTitle(t)}
                aria-description={tagTitle(t)}
                onFocus={() => setShown(t.labelId)}
                onBlur={() => setShown(null)}
                onMouseEnter={() => setShown(t.labelId)}
                onMouseLeave={() => setShown(null)}
              >
                {t.label}
              </button>
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove tag ${t.label}`}
                title={`Remove “${t.label}” (the model will not add it back)`}
                onClick={() => void remove(t.labelId, t.label)}
                data-testid="tag-remove"
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{u.result ? 'No tags.' : 'No tags yet.'}</p>
      )}
      <p className="muted small tag-detail" data-testid="tag-detail">
        {shownTag ? tagTitle(shownTag) : tags.some((t) => t.source === 'model') ? 'Point at a tag for its score.' : '\u00a0'}
      </p>
      <form className="tag-add" onSubmit={(e) => void add(e)}>
        <input
          ref={inputRef}
          type="text"
          value={draft}
          list={listId}
          maxLength={100}
          placeholder="Add a tag"
          aria-label="Add a tag"
          // With text in it, Esc clears the field instead of closing the viewer.
          data-escape={draft ? 'field' : undefined}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && draft) {
              e.preventDefault();
              setDraft('');
            }
          }}
          onChange={(e) => setDraft(e.target.value)}
          disabled={adding}
          data-testid="tag-add-input"
        />
        <button type="submit" disabled={adding || !draft.trim()} data-testid="tag-add">
          Add
        </button>
        <datalist id={listId}>
          {tagSuggestions(labels.data ?? [], u.tags).map((l) => (
            <option key={l.id} value={l.label}>
              {l.group}
            </option>
          ))}
        </datalist>
      </form>
      {u.removedTags.length > 0 ? (
        <p className="muted small" data-testid="removed-tags">
          Removed by you, never added back by the model:{' '}
          {u.removedTags.map((r, i) => (
            <span key={r.labelId}>
              {i > 0 ? ', ' : ''}
              <s>{r.label}</s>{' '}
              <button type="button" className="link-button" onClick={() => putBack(r.label)} aria-label={`Put back tag ${r.label}`}>
                put back
              </button>
            </span>
          ))}
        </p>
      ) : null}
    </div>
  );
}
