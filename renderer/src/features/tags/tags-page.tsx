/**
 * @file The Tags page: the taxonomy the understanding step scores on every photo, by group, with a
 * filter; each label can be turned on or off, renamed, moved to another group and marked as "means
 * text"; new labels are added at the top. Runs in the renderer.
 *
 * Changes apply to photos understood from now on (the step reads the enabled labels for each batch);
 * photos already done keep their tags until "Redo with the current model" in the viewer. The contract
 * has no event for taxonomy changes, so the page reads `tags:list` when it opens and after its own
 * changes (a tag typed in the viewer joins the taxonomy too, and shows here on the next visit).
 */
import { useState, type FormEvent } from 'react';
import type { TagLabelDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { countLabel } from '../../format';
import { useClient, useRequest } from '../../hooks';
import { groupLabels, groupNames } from './group-labels';
import { LabelRow } from './label-row';

const GROUPS_LIST = 'tag-group-names';

export function TagsPage() {
  const labels = useRequest('tags:list', {});
  const [filter, setFilter] = useState('');
  const { update, reload } = labels;
  const upsert = (l: TagLabelDto) =>
    update((prev) => (prev?.some((x) => x.id === l.id) ? prev.map((x) => (x.id === l.id ? l : x)) : [...(prev ?? []), l]));
  const all = labels.data ?? [];
  const groups = groupLabels(all, filter);
  const enabled = all.filter((l) => l.enabled).length;

  return (
    <section className="page tags" aria-labelledby="tags-title" data-testid="tags-page">
      <header className="toolbar">
        <h1 id="tags-title">Tags</h1>
        {labels.data ? (
          <span className="muted small">
            {countLabel(enabled)} of {countLabel(all.length)} labels on
          </span>
        ) : null}
        <span className="spacer" />
        <input
          type="text"
          className="tags-filter"
          value={filter}
          placeholder="Find a label or group"
          aria-label="Find a label or group"
          onChange={(e) => setFilter(e.target.value)}
          data-testid="tags-filter"
        />
      </header>
      <div className="page-body">
        <p className="muted tags-intro">
          The model checks every photo for each label that is on. A label marked <em>means text</em> makes it also read the text in photos
          it fits (documents, signs, screenshots). Changes apply to photos understood from now on; use <em>Redo with the current model</em>{' '}
          in the viewer to apply them to a photo already done. Tags you add or remove on a photo stay yours either way.
        </p>
        <AddLabel onAdded={upsert} />
        <datalist id={GROUPS_LIST}>
          {groupNames(all).map((g) => (
            <option key={g} value={g} />
          ))}
        </datalist>
        {labels.error && !labels.data ? (
          <p className="inline-error" role="alert">
            Could not read the tags: {labels.error}{' '}
            <button type="button" className="link-button" onClick={reload}>
              Try again
            </button>
          </p>
        ) : null}
        {!labels.data && !labels.error ? <div className="spinner" aria-label="Loading" /> : null}
        {labels.data && groups.length === 0 ? (
          <p className="muted">{filter ? `No label or group matches “${filter}”.` : 'There are no labels yet.'}</p>
        ) : null}
        {groups.map((g) => (
          <section key={g.group} className="tag-group" aria-label={g.group} data-testid="tag-group" data-group={g.group}>
            <header className="tag-group-head">
              <h2>{g.group}</h2>
              <span className="muted small">
                {countLabel(g.enabled)} of {countLabel(g.total)} on
              </span>
            </header>
            <ul className="label-list">
              {g.labels.map((l) => (
                <LabelRow key={l.id} label={l} groupsListId={GROUPS_LIST} onChanged={upsert} />
              ))}
            </ul>
          </section>
        ))}
      </div>
    </section>
  );
}

/** The add-a-label form: label, group (a known one or a new one), "means text". */
function AddLabel({ onAdded }: { onAdded: (l: TagLabelDto) => void }) {
  const client = useClient();
  const [label, setLabel] = useState('');
  const [group, setGroup] = useState('');
  const [isText, setIsText] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = label.trim();
    if (!name) {
      setError('Type the label to add.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const g = group.trim();
      onAdded(await client.call('tags:add', { label: name, ...(g ? { group: g } : {}), isTextLabel: isText }));
      setLabel('');
      setIsText(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="add-label" onSubmit={(e) => void submit(e)} aria-label="Add a label">
      <input
        type="text"
        value={label}
        maxLength={100}
        placeholder="New label, e.g. sailing"
        aria-label="New label"
        aria-invalid={error !== null}
        onChange={(e) => setLabel(e.target.value)}
        disabled={busy}
        data-testid="new-label"
      />
      <input
        type="text"
        value={group}
        maxLength={100}
        list={GROUPS_LIST}
        placeholder="Group (my tags)"
        aria-label="Group"
        onChange={(e) => setGroup(e.target.value)}
        disabled={busy}
        data-testid="new-label-group"
      />
      <label className="small">
        <input type="checkbox" checked={isText} onChange={(e) => setIsText(e.target.checked)} disabled={busy} /> means text
      </label>
      <button type="submit" className="primary" disabled={busy} data-testid="new-label-add">
        Add label
      </button>
      {error ? (
        <p className="inline-error" role="alert" data-testid="new-label-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
