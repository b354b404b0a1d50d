/**
 * @file The app shell: sidebar (navigation, collections, folders, progress summary), the current page, banners for
 * a lost connection and a missing model, and the window-wide state every page shares (folders, jobs,
 * models). Pages are chosen by the location hash (`#/library`, `#/map`, `#/activity`, `#/tags`, `#/models`,
 * `#/settings`, `#/about`). Runs in the renderer.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectionState } from './api';
import { NoticeProvider, useNotify } from './components/notices';
import { openShortcuts, ShortcutsDialog } from './components/shortcuts-dialog';
import { DrawerBackdrop, MAIN_ID, SkipLink, SmallWindowBar, useNavDrawer } from './components/small-window';
import { CollectionsSidebar } from './features/collections/collections-sidebar';
import { ALL_PHOTOS, type LibraryScope } from './features/collections/library-scope';
import { useAlbums } from './features/collections/use-albums';
import { FoldersSidebar } from './features/folders/folders-sidebar';
import { ProgressPanel, ProgressSummary } from './features/activity/progress-panel';
import { JobsPausedContext } from './features/activity/jobs-paused';
import { overall, useJobs } from './features/activity/use-jobs';
import { LibraryView } from './features/library/library-view';
import { FirstRunOffer } from './features/models/first-run-offer';
import { hasRealModel, useModels } from './features/models/use-models';
import { useSearchShortcut } from './features/search/search-shortcut';
import { useSearch } from './features/search/use-search';
import { useClient, useEvent, useRequest, useThrottled } from './hooks';
import { AboutPage, AskPage, MapPage, ModelsPage, SettingsPage, TagsPage } from './on-demand';

const PAGES = ['library', 'map', 'ask', 'activity', 'tags', 'models', 'settings', 'about'] as const;
type Page = (typeof PAGES)[number];
const PAGE_LABELS: Record<Page, string> = {
  library: 'Library',
  map: 'Map',
  ask: 'Ask',
  activity: 'Activity',
  tags: 'Tags',
  models: 'Models',
  settings: 'Settings',
  about: 'About',
};

function pageFromHash(): Page {
  const h = window.location.hash.replace(/^#\/?/, '');
  return (PAGES as readonly string[]).includes(h) ? (h as Page) : 'library';
}

export function App() {
  return (
    <NoticeProvider>
      <Shell />
      <ShortcutsDialog />
    </NoticeProvider>
  );
}

function Shell() {
  const client = useClient();
  const notify = useNotify();
  const [page, setPage] = useState<Page>(pageFromHash);
  // Under 900 px the sidebar is a drawer (components/small-window.tsx, styles/small-window.css).
  const drawer = useNavDrawer();
  const [folderId, setFolderId] = useState<number | null>(null);
  // A collection (Favourites, an album…) or all photos, filtered by `folderId`: [Note: Library scopes].
  const [scope, setScope] = useState<LibraryScope>(ALL_PHOTOS);
  const albums = useAlbums();
  const [connection, setConnection] = useState<ConnectionState>(client.connectionState());
  const addRef = useRef<HTMLInputElement | HTMLButtonElement | null>(null);

  const folders = useRequest('library:folders', {});
  useEvent('library:folders', folders.set);
  // Photo counts per folder change while a scan runs; the folder list follows, at most once a second.
  const refreshFolders = useThrottled(folders.reload, 1000);
  useEvent('library:changed', refreshFolders);
  const onError = useCallback((m: string) => notify('error', m), [notify]);
  const jobs = useJobs(onError);
  const models = useModels();
  useEvent('app:warning', (w) => notify('warning', w.message));

  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback((p: Page) => {
    window.location.hash = `/${p}`;
    setPage(p);
  }, []);

  // Search lives on the library page but is held here: it survives a visit to another page, and `/` or
  // Ctrl/Cmd+K anywhere goes to the library with the cursor in the field.
  const search = useSearch();
  const { focusField } = search;
  useSearchShortcut(
    useCallback(() => {
      go('library');
      focusField();
    }, [go, focusField]),
  );

  // After a reconnect, events may have been missed: reload what every page shares.
  const reloadFolders = folders.reload;
  const reloadJobs = jobs.reload;
  const reloadModels = models.reload;
  const reloadAlbums = albums.reload;
  useEffect(
    () =>
      client.onConnection((state) => {
        setConnection(state);
        if (state === 'open') {
          reloadFolders();
          reloadJobs();
          reloadModels();
          reloadAlbums();
        }
      }),
    [client, reloadFolders, reloadJobs, reloadModels, reloadAlbums],
  );

  // If the selected folder was removed, show everything.
  const shownFolderId = folderId !== null && folders.data && !folders.data.some((f) => f.id === folderId) ? null : folderId;

  // The empty library's call to action: in Electron it opens the folder picker, in a browser it puts
  // the cursor in the path field.
  const focusAdd = useCallback(() => {
    const el = addRef.current;
    if (el instanceof HTMLButtonElement) el.click();
    else el?.focus();
  }, []);
  const { clear: clearSearch } = search;
  const selectFolder = useCallback(
    (id: number | null) => {
      setFolderId(id);
      setScope(ALL_PHOTOS);
      // Search covers the whole library: picking a folder means "show me this folder".
      clearSearch();
      go('library');
    },
    [go, clearSearch],
  );
  const selectScope = useCallback(
    (next: LibraryScope) => {
      setScope(next);
      clearSearch();
      go('library');
    },
    [go, clearSearch],
  );
  // An album deleted (here or elsewhere) leaves its view for the Albums list; a renamed one keeps its new name.
  const album = scope.kind === 'album' ? albums.data?.find((a) => a.id === scope.albumId) : undefined;
  const shownScope: LibraryScope =
    scope.kind !== 'album' || !albums.data ? scope : album ? { ...scope, name: album.name } : { kind: 'albums' };

  const noModel = models.models !== undefined && !hasRealModel(models.models);
  const jobsBusy = jobs.status ? overall(jobs.status).left > 0 : true;

  return (
    <div className={drawer.open ? 'app nav-open' : 'app'}>
      <SkipLink label={page === 'library' ? 'Skip to the photos' : 'Skip to the page'} />
      <aside
        className="sidebar"
        id="sidebar"
        aria-label="Sidebar"
        // In the small-window drawer, choosing a page, a collection or a folder closes it.
        onClickCapture={(e) => (e.target as HTMLElement).closest('a, .folder-item') && drawer.close()}
      >
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          Shoebox
        </div>
        <nav aria-label="Pages">
          <ul className="nav">
            {PAGES.map((p) => (
              <li key={p}>
                <a
                  href={`#/${p}`}
                  className={page === p ? 'active' : undefined}
                  aria-current={page === p ? 'page' : undefined}
                  data-testid={`nav-${p}`}
                >
                  {PAGE_LABELS[p]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <CollectionsSidebar scope={shownScope} albums={albums.data} onSelect={selectScope} />
        <FoldersSidebar
          folders={folders.data}
          error={folders.error}
          selected={shownScope.kind === 'all' ? shownFolderId : undefined}
          onSelect={selectFolder}
          onChanged={folders.reload}
          addRef={addRef}
        />
        <div className="sidebar-foot">
          <ProgressSummary jobs={jobs} onOpen={() => go('activity')} />
          <button type="button" className="link-button shortcuts-hint" onClick={openShortcuts} data-testid="shortcuts-button">
            Keyboard shortcuts <kbd>?</kbd>
          </button>
        </div>
      </aside>
      <DrawerBackdrop drawer={drawer} />
      <JobsPausedContext.Provider value={jobs.status?.paused ?? false}>
        <main className="content" id={MAIN_ID} tabIndex={-1}>
          <SmallWindowBar drawer={drawer} controls="sidebar" />
          {connection !== 'open' ? (
            <div className="banner banner-error" role="alert" data-testid="connection-banner">
              {connection === 'connecting' ? 'Connecting to Shoebox…' : 'Lost the connection to Shoebox. Reconnecting…'}
            </div>
          ) : null}
          {noModel && page !== 'models' ? (
            <div className="banner banner-warn" role="status" data-testid="no-model-banner">
              No real model is installed, so photos are not captioned or tagged yet.{' '}
              <button type="button" className="link-button" onClick={() => go('models')}>
                Set up a model
              </button>
              <FirstRunOffer state={models} compact />
            </div>
          ) : null}
          {page === 'library' ? (
            <LibraryView
              folders={folders.data}
              folderId={shownScope.kind === 'all' ? shownFolderId : null}
              onAddFolder={focusAdd}
              busy={jobsBusy}
              search={search}
              scope={shownScope}
              onScope={selectScope}
              albums={albums}
            />
          ) : null}
          {page === 'activity' ? <ProgressPanel jobs={jobs} onModels={() => go('models')} /> : null}
          {page === 'map' ? <MapPage /> : null}
          {page === 'ask' ? <AskPage /> : null}
          {page === 'tags' ? <TagsPage /> : null}
          {page === 'models' ? <ModelsPage state={models} /> : null}
          {page === 'settings' ? <SettingsPage folders={folders.data} /> : null}
          {page === 'about' ? <AboutPage /> : null}
        </main>
      </JobsPausedContext.Provider>
    </div>
  );
}
