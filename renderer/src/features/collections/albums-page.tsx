/**
 * @file The Albums view of the Library page: every album with its cover and photo count; create,
 * open, rename and delete (deleting an album never deletes its photos, and the confirmation says so).
 * Runs in the renderer.
 */
import { useRef, useState } from 'react';
import type { AlbumDto } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useClient, useInfo } from '../../hooks';
import { thumbUrl } from '../../media';
import { turnedStyle } from '../library/thumb-turn';
import { photosLabel } from './collection-texts';
import { NameDialog } from './name-dialog';
import type { RequestState } from '../../hooks';

export interface AlbumsPageProps {
  albums: RequestState<AlbumDto[]>;
  onOpen: (album: AlbumDto) => void;
}

type Editing = { kind: 'create' } | { kind: 'rename'; album: AlbumDto } | { kind: 'delete'; album: AlbumDto } | null;

export function AlbumsPage({ albums, onOpen }: AlbumsPageProps) {
  const client = useClient();
  const { mediaBase } = useInfo();
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  // After a delete the card (and its focused button) is gone: the keyboard goes to "New album…".
  const createRef = useRef<HTMLButtonElement>(null);

  const remove = async (album: AlbumDto) => {
    setEditing(null);
    setError(null);
    try {
      await client.call('albums:delete', { albumId: album.id });
      setStatus(`Deleted the album ${album.name}. Its photos are still in the library.`);
      albums.reload();
      createRef.current?.focus();
    } catch (err) {
      setError(`Could not delete ${album.name}: ${errorMessage(err)}`);
    }
  };

  const list = albums.data;
  return (
    <div className="albums-page" data-testid="albums-page">
      <div className="albums-actions">
        <button ref={createRef} type="button" className="primary" onClick={() => setEditing({ kind: 'create' })} data-testid="album-create">
          New album…
        </button>
        <p className="visually-hidden" role="status">
          {status}
        </p>
      </div>
      {error || albums.error ? (
        <p className="inline-error" role="alert">
          {error ?? albums.error}
        </p>
      ) : null}
      {!list ? (
        albums.error ? null : (
          <div className="spinner centered" aria-label="Loading albums" />
        )
      ) : list.length === 0 ? (
        <div className="empty-state" data-testid="albums-empty">
          <h2>No albums yet</h2>
          <p>Create one here, or select photos in the library and choose Add to album. A photo can be in many albums.</p>
        </div>
      ) : (
        <ul className="album-list" aria-label="Albums">
          {list.map((a) => (
            <li key={a.id} className="album-card" data-testid="album-card" data-album-id={a.id}>
              <button type="button" className="album-open" onClick={() => onOpen(a)}>
                <span className="album-cover" aria-hidden="true">
                  {a.cover ? (
                    <img
                      src={thumbUrl(mediaBase, a.cover)}
                      alt=""
                      draggable={false}
                      style={turnedStyle(a.coverRotation)}
                      data-rotation={a.coverRotation}
                    />
                  ) : null}
                </span>
                <span className="album-name" data-testid="album-name">
                  {a.name}
                </span>
                <span className="muted" data-testid="album-count">
                  {photosLabel(a.count)}
                </span>
              </button>
              <span className="album-tools">
                <button
                  type="button"
                  onClick={() => setEditing({ kind: 'rename', album: a })}
                  aria-label={`Rename ${a.name}`}
                  data-testid="album-rename"
                >
                  Rename
                </button>
                <button
                  type="button"
                  onClick={() => setEditing({ kind: 'delete', album: a })}
                  aria-label={`Delete ${a.name}`}
                  data-testid="album-delete"
                >
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {editing?.kind === 'create' ? (
        <NameDialog
          title="New album"
          label="Album name"
          submitLabel="Create"
          onSubmit={async (name) => {
            const album = await client.call('albums:create', { name });
            setEditing(null);
            setStatus(`Created the album ${album.name}.`);
            albums.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {editing?.kind === 'rename' ? (
        <NameDialog
          title="Rename album"
          label="Album name"
          initial={editing.album.name}
          submitLabel="Rename"
          onSubmit={async (name) => {
            const album = await client.call('albums:rename', { albumId: editing.album.id, name });
            setEditing(null);
            setStatus(`Renamed the album to ${album.name}.`);
            albums.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {editing?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete the album “${editing.album.name}”?`}
          message={`The album goes away; its ${photosLabel(editing.album.count)} stay in your library and in any other album. Deleting an album never deletes photos.`}
          confirmLabel="Delete album"
          onConfirm={() => void remove(editing.album)}
          onCancel={() => setEditing(null)}
        />
      ) : null}
    </div>
  );
}
