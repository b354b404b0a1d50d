/**
 * @file The sidebar's folder section: every watched folder with its photo count, status, warning and
 * the problems of its last scan (unreadable sub-folders, symlink loops);
 * "All photos" and per-folder filters; adding a folder (native picker in Electron, a typed path in the
 * browser, errors inline next to the field); removing one after a confirmation. Runs in the renderer.
 */
import { useState, type FormEvent, type RefObject } from 'react';
import { ApiError } from '../../../../preload/api-error';
import type { FolderDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useNotify } from '../../components/notices';
import { countLabel } from '../../format';
import { useClient } from '../../hooks';

export interface FoldersSidebarProps {
  folders: FolderDto[] | undefined;
  error: string | null;
  selected: number | null;
  onSelect: (folderId: number | null) => void;
  /** Called with the new list after an add or remove, before the event arrives. */
  onChanged: () => void;
  /** The add-folder control, focused by the empty library's call to action. */
  addRef: RefObject<HTMLInputElement | HTMLButtonElement | null>;
}

/** Message for an add that failed, by error code. */
function addErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'conflict') return err.message || 'That folder overlaps one already in the library.';
    if (err.code === 'not-found') return err.message || 'No folder at that path.';
  }
  return errorMessage(err);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

export function FoldersSidebar({ folders, error, selected, onSelect, onChanged, addRef }: FoldersSidebarProps) {
  const client = useClient();
  const notify = useNotify();
  const [path, setPath] = useState('');
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<FolderDto | null>(null);

  const add = async (folderPath: string) => {
    setAdding(true);
    setAddError(null);
    try {
      const folder = await client.call('library:addFolder', { path: folderPath });
      setPath('');
      onChanged();
      onSelect(null);
      notify('info', `Added ${folder.path}. Scanning…`);
    } catch (err) {
      setAddError(addErrorText(err));
    } finally {
      setAdding(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!path.trim()) {
      setAddError('Type the full path of a folder, e.g. /home/me/Pictures.');
      return;
    }
    void add(path.trim());
  };

  const pick = async () => {
    if (!client.pickFolder) return;
    setAddError(null);
    try {
      const chosen = await client.pickFolder();
      if (chosen) await add(chosen);
    } catch (err) {
      setAddError(errorMessage(err));
    }
  };

  const remove = async (folder: FolderDto) => {
    setRemoving(null);
    try {
      await client.call('library:removeFolder', { folderId: folder.id });
      if (selected === folder.id) onSelect(null);
      onChanged();
      notify('info', `Removed ${folder.path} from the library. Its files were not touched.`);
    } catch (err) {
      notify('error', `Could not remove ${folder.path}: ${errorMessage(err)}`);
    }
  };

  return (
    <section className="folders" aria-labelledby="folders-title" data-testid="folders">
      <h2 id="folders-title" className="section-title">
        Folders
      </h2>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      <ul className="folder-list">
        <li>
          <button
            type="button"
            className={`folder-item${selected === null ? ' active' : ''}`}
            aria-current={selected === null ? 'true' : undefined}
            onClick={() => onSelect(null)}
          >
            <span className="folder-name">All photos</span>
            <span className="folder-count">{folders ? countLabel(folders.reduce((n, f) => n + f.photoCount, 0)) : ''}</span>
          </button>
        </li>
        {folders?.map((f) => (
          <li key={f.id} className="folder-entry" data-testid="folder-item">
            <button
              type="button"
              className={`folder-item${selected === f.id ? ' active' : ''}`}
              aria-current={selected === f.id ? 'true' : undefined}
              title={f.path}
              onClick={() => onSelect(f.id)}
            >
              <span className="folder-name">{baseName(f.path)}</span>
              {f.status !== 'ok' ? (
                <span className={`badge badge-${f.status === 'missing' ? 'missing' : 'warn'}`} data-testid="folder-status">
                  {f.status === 'missing' ? 'Missing' : 'Polling'}
                </span>
              ) : null}
              <span className="folder-count" data-testid="folder-count">
                {countLabel(f.photoCount)}
              </span>
            </button>
            <button
              type="button"
              className="icon-button folder-remove"
              aria-label={`Remove folder ${f.path}`}
              onClick={() => setRemoving(f)}
              data-testid="folder-remove"
            >
              ×
            </button>
            {f.warning ? <p className="folder-warning">{f.warning}</p> : null}
            {f.scanWarnings.length ? (
              <details className="folder-warning" data-testid="folder-scan-warnings">
                <summary>{f.scanWarnings.length === 1 ? '1 problem' : `${f.scanWarnings.length} problems`} in the last scan</summary>
                <ul>
                  {f.scanWarnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
      {client.pickFolder ? (
        <div className="add-folder">
          <button
            type="button"
            ref={addRef as RefObject<HTMLButtonElement | null>}
            onClick={() => void pick()}
            disabled={adding}
            aria-describedby={addError ? 'add-folder-error' : undefined}
            data-testid="add-folder-button"
          >
            {adding ? 'Adding…' : 'Add folder…'}
          </button>
        </div>
      ) : (
        <form className="add-folder" onSubmit={onSubmit} noValidate>
          <label htmlFor="add-folder-path" className="visually-hidden">
            Folder path
          </label>
          <input
            id="add-folder-path"
            ref={addRef as RefObject<HTMLInputElement | null>}
            type="text"
            placeholder="/path/to/photos"
            value={path}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              setPath(e.target.value);
              if (addError) setAddError(null);
            }}
            aria-invalid={addError ? true : undefined}
            aria-describedby={addError ? 'add-folder-error' : undefined}
            data-testid="add-folder-path"
          />
          <button type="submit" disabled={adding} data-testid="add-folder-submit">
            {adding ? 'Adding…' : 'Add'}
          </button>
        </form>
      )}
      {addError ? (
        <p id="add-folder-error" className="inline-error" role="alert" data-testid="add-folder-error">
          {addError}
        </p>
      ) : null}
      {removing ? (
        <ConfirmDialog
          title="Remove folder?"
          message={`Shoebox forgets ${removing.path} and the ${countLabel(removing.photoCount)} photos in it, with their captions and tags. The files on disk are not touched.`}
          confirmLabel="Remove"
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(null)}
        />
      ) : null}
    </section>
  );
}
