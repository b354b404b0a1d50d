/**
 * @file The app shell: sidebar (navigation, folders, progress summary), the current page, banners for
 * a lost connection and a missing model, and the window-wide state every page shares (folders, jobs,
 * models). Pages are chosen by the location hash (`#/library`, `#/activity`, `#/tags`, `#/models`,
 * `#/settings`, `#/about`). Runs in the renderer.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectionState } from './api';
import { NoticeProvider, useNotify } from './components/notices';
import { ShortcutsDialog } from './components/shortcuts-dialog';
import { FoldersSidebar } from './features/folders/folders-sidebar';
import { ProgressPanel, ProgressSummary } from './features/activity/progress-panel';
import { overall, useJobs } from './features/activity/use-jobs';
import { LibraryView } from './features/library/library-view';
import { FirstRunOffer } from './features/models/first-run-offer';
import { hasRealModel, useModels } from './features/models/use-models';
import { useSearchShortcut } from './features/search/search-shortcut';
import { useSearch } from './features/search/use-search';
import { useClient, useEvent, useRequest, useThrottled } from './hooks';
import { AboutPage, AskPage, ModelsPage, SettingsPage, TagsPage } from './on-demand';

const PAGES = ['library', 'ask', 'activity', 'tags', 'models', 'settings', 'about'] as const;
type Page = (typeof PAGES)[number];
const PAGE_LABELS: Record<Page, string> = {
  library: 'Library',
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
  const [folderId, setFolderId] = useState<number | null>(null);
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
  useEffect(
    () =>
      client.onConnection((state) => {
        setConnection(state);
        if (state === 'open') {
          reloadFolders();
          reloadJobs();
          reloadModels();
        }
      }),
    [client, reloadFolders, reloadJobs, reloadModels],
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
      // Search covers the whole library: picking a folder means "show me this folder".
      clearSearch();
      go('library');
    },
    [go, clearSearch],
  );

  const noModel = models.models !== undefined && !hasRealModel(models.models);
  const jobsBusy = jobs.status ? overall(jobs.status).left > 0 : true;

  return (
    <div className="app">
      <aside className="sidebar" aria-label="Sidebar">
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
        <FoldersSidebar
          folders={folders.data}
          error={folders.error}
          selected={shownFolderId}
          onSelect={selectFolder}
          onChanged={folders.reload}
          addRef={addRef}
        />
        <div className="sidebar-foot">
          <ProgressSummary jobs={jobs} onOpen={() => go('activity')} />
        </div>
      </aside>
      <main className="content">
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
          <LibraryView folders={folders.data} folderId={shownFolderId} onAddFolder={focusAdd} busy={jobsBusy} search={search} />
        ) : null}
        {page === 'activity' ? <ProgressPanel jobs={jobs} onModels={() => go('models')} /> : null}
        {page === 'ask' ? <AskPage /> : null}
        {page === 'tags' ? <TagsPage /> : null}
        {page === 'models' ? <ModelsPage state={models} /> : null}
        {page === 'settings' ? <SettingsPage folders={folders.data} /> : null}
        {page === 'about' ? <AboutPage /> : null}
      </main>
    </div>
  );
}
