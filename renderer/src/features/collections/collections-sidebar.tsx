/**
 * @file The sidebar's collection entries above the folders: Favourites, Albums (with each album
 * under it), Hidden and Recently removed. Picking one shows it on the Library page
 * ([Note: Library scopes] in ./library-scope.ts). Runs in the renderer.
 */
import type { AlbumDto } from '../../../../preload/contract';
import './collections.css';
import { countLabel } from '../../format';
import type { LibraryScope } from './library-scope';

export interface CollectionsSidebarProps {
  scope: LibraryScope;
  albums: AlbumDto[] | undefined;
  onSelect: (scope: LibraryScope) => void;
}

const ENTRIES = [
  { kind: 'favourites', label: 'Favourites' },
  { kind: 'albums', label: 'Albums' },
  { kind: 'hidden', label: 'Hidden' },
  { kind: 'trash', label: 'Recently removed' },
] as const;

export function CollectionsSidebar({ scope, albums, onSelect }: CollectionsSidebarProps) {
  const item = (active: boolean, label: string, next: LibraryScope, testId: string, count?: number) => (
    <button
      type="button"
      className={`folder-item${active ? ' active' : ''}`}
      aria-current={active ? 'true' : undefined}
      onClick={() => onSelect(next)}
      data-testid={testId}
    >
      <span className="folder-name">{label}</span>
      {count !== undefined ? <span className="folder-count">{countLabel(count)}</span> : null}
    </button>
  );
  return (
    <nav className="collections" aria-label="Collections" data-testid="collections">
      <ul className="folder-list">
        {ENTRIES.map((e) => (
          <li key={e.kind}>
            {item(scope.kind === e.kind, e.label, { kind: e.kind }, `collection-${e.kind}`)}
            {e.kind === 'albums' && albums && albums.length > 0 ? (
              <ul className="folder-list album-entries" aria-label="Albums">
                {albums.map((a) => (
                  <li key={a.id}>
                    {item(
                      scope.kind === 'album' && scope.albumId === a.id,
                      a.name,
                      { kind: 'album', albumId: a.id, name: a.name },
                      'collection-album',
                      a.count,
                    )}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </nav>
  );
}
