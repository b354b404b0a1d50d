/**
 * @file One label of the Tags page: on or off (the model scores only enabled labels), "means text"
 * (its presence makes the model transcribe the photo's text), rename and move to another group in
 * place. Every change goes through `tags:update`; a refused one (a duplicate name) is shown in the
 * row and the typed value stays. Runs in the renderer.
 */
import { useState, type FormEvent } from 'react';
import type { RequestArgs, TagLabelDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { useClient } from '../../hooks';

export interface LabelRowProps {
  label: TagLabelDto;
  /** Id of the <datalist> of group names. */
  groupsListId: string;
  onChanged: (label: TagLabelDto) => void;
}

type Patch = Omit<RequestArgs<'tags:update'>, 'id'>;

export function LabelRow({ label, groupsListId, onChanged }: LabelRowProps) {
  const client = useClient();
  const [editing, setEditing] = useState<'label' | 'group' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const update = async (patch: Patch): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await client.call('tags:update', { id: label.id, ...patch }));
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  /** A checkbox shows its new state at once, and goes back (with the error) if the change is refused. */
  const toggle = (patch: { enabled: boolean } | { isTextLabel: boolean }) => {
    onChanged({ ...label, ...patch });
    void update(patch).then((ok) => {
      if (!ok) onChanged(label);
    });
  };

  return (
    <li className={`label-row${label.enabled ? '' : ' off'}`} data-testid="label-row" data-label={label.label}>
      <input
        type="checkbox"
        checked={label.enabled}
        disabled={busy}
        aria-label={`Tag photos with “${label.label}”`}
        title={label.enabled ? 'On: the model checks every photo for this label' : 'Off: the model does not use this label'}
        onChange={(e) => toggle({ enabled: e.target.checked })}
        data-testid="label-enabled"
      />
      <span className="label-name">{label.label}</span>
      {label.userAdded ? (
        <span className="badge badge-user" title="You added this label">
          yours
        </span>
      ) : null}
      <span className="spacer" />
      <label className="small label-text" title="When this label fits a photo, the model also reads the text in it">
        <input
          type="checkbox"
          checked={label.isTextLabel}
          disabled={busy}
          onChange={(e) => toggle({ isTextLabel: e.target.checked })}
          data-testid="label-text"
        />
        means text
      </label>
      <button
        type="button"
        className="link-button small"
        onClick={() => setEditing(editing === 'label' ? null : 'label')}
        aria-label={`Rename “${label.label}”`}
      >
        Rename
      </button>
      <button
        type="button"
        className="link-button small"
        onClick={() => setEditing(editing === 'group' ? null : 'group')}
        aria-label={`Move “${label.label}” to another group`}
      >
        Move
      </button>
      {editing === 'label' ? (
        <InlineField
          initial={label.label}
          name={`New name for “${label.label}”`}
          busy={busy}
          onSave={async (v) => (v === label.label ? true : update({ label: v }))}
          onDone={() => setEditing(null)}
          testId="label-rename-input"
        />
      ) : null}
      {editing === 'group' ? (
        <InlineField
          initial={label.group}
          name={`Group of “${label.label}”`}
          list={groupsListId}
          busy={busy}
          onSave={async (v) => (v === label.group ? true : update({ group: v }))}
          onDone={() => setEditing(null)}
          testId="label-group-input"
        />
      ) : null}
      {error ? (
        <p className="inline-error" role="alert" data-testid="label-error">
          {error}
        </p>
      ) : null}
    </li>
  );
}

interface InlineFieldProps {
  initial: string;
  name: string;
  list?: string;
  busy: boolean;
  /** Resolves true when saved; false keeps the field open with what was typed. */
  onSave: (value: string) => Promise<boolean>;
  onDone: () => void;
  testId: string;
}

/** A one-line editor: Enter saves, Esc cancels. */
function InlineField({ initial, name, list, busy, onSave, onDone, testId }: InlineFieldProps) {
  const [value, setValue] = useState(initial);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = value.trim();
    if (!v) return;
    if (await onSave(v)) onDone();
  };
  return (
    <form className="inline-field" onSubmit={(e) => void submit(e)}>
      <input
        type="text"
        value={value}
        maxLength={100}
        aria-label={name}
        aria-invalid={value.trim() === ''}
        list={list}
        autoFocus
        disabled={busy}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          }
        }}
        data-testid={testId}
      />
      <button type="submit" className="primary" disabled={busy || !value.trim()}>
        Save
      </button>
      <button type="button" onClick={onDone} disabled={busy}>
        Cancel
      </button>
    </form>
  );
}
