/**
 * @file The caption and the text in the photo in the viewer's understanding panel: shown with who
 * wrote them, edited in place, and handed back to the model. Runs in the renderer.
 *
 * Handing a field back (`photos:setCaption` / `photos:setText` with null) deletes the user's row, and
 * the model's earlier answer is not kept (main/db/understanding.repo.ts), so "Revert to model" also
 * queues the photo again (`photos:redoUnderstanding`, which keeps every other edit): without that the
 * field would stay empty until the next model change.
 */
import { useState, type ReactNode } from 'react';
import type { PhotoUnderstanding, UnderstoodText } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useNotify } from '../../components/notices';
import { countLabel } from '../../format';
import { useClient } from '../../hooks';
import { EditableText } from './editable-text';
import { isLongText, type Act } from './understanding-view';

interface FieldProps {
  u: PhotoUnderstanding;
  act: Act;
}

/**
 * "edited by you" for the user's text, "cut short" for a model's that hit its length limit. (A
 * random-weight model's output is labelled once, in the panel's heading.)
 */
function Provenance({ value }: { value: UnderstoodText }) {
  if (value.byUser)
    return (
      <span className="badge badge-user" title="You wrote this; the model never overwrites it" data-testid="edited-by-you">
        edited by you
      </span>
    );
  return value.finish === 'length' ? (
    <span className="badge" title="The model hit its length limit">
      cut short
    </span>
  ) : null;
}

/** Revert to the model: drop the user's value, then queue the photo so the model writes a new one. */
function useRevert(u: PhotoUnderstanding, act: Act, field: 'caption' | 'text'): () => Promise<void> {
  const client = useClient();
  const notify = useNotify();
  return async () => {
    const method = field === 'caption' ? 'photos:setCaption' : 'photos:setText';
    const what = field === 'caption' ? 'caption' : 'text';
    if (!(await act(`hand the ${what} back to the model`, () => client.call(method, { id: u.photoId, text: null })))) return;
    if (!u.job) return;
    try {
      await client.call('photos:redoUnderstanding', { ids: [u.photoId] });
      notify('info', `Your ${what} is removed; the model writes a new one when it runs again (queued).`);
    } catch (err) {
      notify('warning', `Your ${what} is removed, but the photo could not be queued again: ${errorMessage(err)}`);
    }
  };
}

/** How one field differs: the caption (one line, Enter saves) or the text in the photo (Ctrl+Enter). */
interface FieldSpec {
  field: 'caption' | 'text';
  title: string;
  value: UnderstoodText | null;
  submit: 'enter' | 'ctrl-enter';
  maxLength: number;
  rows: number;
  /** What the section says when there is no value. */
  none: string;
  /** The edit button's label when there is no value. */
  write: string;
  /** The value on display (not editing). */
  show: (value: UnderstoodText) => ReactNode;
}

/** A field with who wrote it, an inline editor, and "Revert to model" for the user's own value. */
function UnderstoodField({ u, act, spec }: FieldProps & { spec: FieldSpec }) {
  const client = useClient();
  const [editing, setEditing] = useState(false);
  const revert = useRevert(u, act, spec.field);
  const { field, value } = spec;
  const save = async (text: string) => {
    const method = field === 'caption' ? 'photos:setCaption' : 'photos:setText';
    const ok = await act(`save the ${field}`, () => client.call(method, { id: u.photoId, text }));
    if (ok) setEditing(false);
    return ok;
  };
  return (
    <div className="understanding-section" data-testid={`${field}-section`}>
      <h4 className="understanding-label">
        {spec.title} {value ? <Provenance value={value} /> : null}
      </h4>
      {editing ? (
        <EditableText
          initial={value?.text ?? ''}
          label={spec.title}
          submit={spec.submit}
          maxLength={spec.maxLength}
          rows={spec.rows}
          onSave={save}
          onCancel={() => setEditing(false)}
          testId={`${field}-input`}
        />
      ) : value ? (
        spec.show(value)
      ) : (
        <p className="muted small" data-testid={`${field}-none`}>
          {spec.none}
        </p>
      )}
      {editing ? null : (
        <div className="understanding-actions">
          <button type="button" className="link-button" onClick={() => setEditing(true)} data-testid={`${field}-edit`}>
            {value ? 'Edit' : spec.write}
          </button>
          {value?.byUser ? (
            <button type="button" className="link-button" onClick={() => void revert()} data-testid={`${field}-revert`}>
              Revert to model
            </button>
          ) : null}
        </div>
      )}
    </div>
  );
}

export function CaptionSection({ u, act }: FieldProps) {
  const spec: FieldSpec = {
    field: 'caption',
    title: 'Caption',
    value: u.caption,
    submit: 'enter',
    maxLength: 2000,
    rows: 3,
    none: u.result?.state === 'empty' ? 'The model found nothing to say about this photo.' : 'No caption yet.',
    write: 'Write a caption',
    show: (c) => (
      <p className="understanding-caption" data-testid="caption-text">
        {c.text || <span className="muted">(empty)</span>}
      </p>
    ),
  };
  return <UnderstoodField u={u} act={act} spec={spec} />;
}

export function TextSection({ u, act }: FieldProps) {
  const [expanded, setExpanded] = useState(false);
  const spec: FieldSpec = {
    field: 'text',
    title: 'Text in the photo',
    value: u.text,
    submit: 'ctrl-enter',
    maxLength: 20_000,
    rows: 6,
    none: u.result ? 'None found.' : 'Not read yet.',
    write: 'Write it',
    show: (t) => {
      const long = isLongText(t.text);
      return (
        <>
          <p className={`understanding-text${long && !expanded ? ' collapsed' : ''}`} data-testid="image-text">
            {t.text || <span className="muted">(empty)</span>}
          </p>
          {long ? (
            <button type="button" className="link-button small" aria-expanded={expanded} onClick={() => setExpanded((v) => !v)}>
              {expanded ? 'Show less' : `Show all (${countLabel(t.text.length)} characters)`}
            </button>
          ) : null}
          {!t.byUser && u.text?.reason ? <p className="muted small">Transcribed because the photo looks like: {u.text.reason}.</p> : null}
        </>
      );
    },
  };
  return <UnderstoodField u={u} act={act} spec={spec} />;
}
