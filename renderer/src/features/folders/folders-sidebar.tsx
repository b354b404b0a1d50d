/**
 * @file The sidebar's folder section: every watched folder with its photo count, status, warning and
 * the problems of its last scan (unreadable sub-folders, symlink loops);
 * "All photos" and per-folder filters; adding a folder (native picker in Electron, the host's folder
 * browser in a browser: folder-browser.tsx; errors inline); removing one after a confirmation. Runs in
 * the renderer.
 */
import { useState, type RefObject } from 'react';
import { ApiError } from '../../../../preload/api-error';
import type { FolderDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useNotify } from '../../components/notices';
import { countLabel } from '../../format';
import { useClient } from '../../hooks';
import { FolderBrowser } from './folder-browser';

export interface FoldersSidebarProps {
  folders: FolderDto[] | undefined;
  error: string | null;
  /** The folder shown, null for all photos, undefined while a collection is shown instead (none is marked). */
  selected: number | null | undefined;
  onSelect: (folderId: number | null) => void;
  /** Called with the new list after an add or remove, before the event arrives. */
  onChanged: () => void;
  /** The add-folder button, clicked by the empty library's call to action. */
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
  const [browsing, setBrowsing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<FolderDto | null>(null);

  /** Adds the folder; the error message when that failed, else null. */
  const add = async (folderPath: string): Promise<string | null> => {
    setAdding(true);
    setAddError(null);
    try {
      const folder = await client.call('library:addFolder', { path: folderPath });
      onChanged();
      onSelect(null);
      notify('info', `Added ${folder.path}. Scanning…`);
      return null;
    } catch (err) {
      return addErrorText(err);
    } finally {
      setAdding(false);
    }
  };

  const pick = async () => {
    if (!client.pickFolder) return;
    setAddError(null);
    try {
      const chosen = await client.pickFolder();
      if (chosen) setAddError(await add(chosen));
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
      <div className="add-folder">
        <button
          type="button"
          ref={addRef as RefObject<HTMLButtonElement | null>}
          onClick={() => (client.pickFolder ? void pick() : setBrowsing(true))}
          disabled={adding}
          aria-describedby={addError ? 'add-folder-error' : undefined}
          data-testid="add-folder-button"
        >
          {adding ? 'Adding…' : 'Add folder…'}
        </button>
      </div>
      {browsing ? (
        <FolderBrowser
          onCancel={() => setBrowsing(false)}
          onChoose={async (p) => {
            const problem = await add(p);
            if (!problem) setBrowsing(false);
            return problem;
          }}
        />
      ) : null}
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
