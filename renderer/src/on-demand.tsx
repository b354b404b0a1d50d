/**
 * @file Parts of the UI loaded on demand, each in a chunk of its own: the photo viewer (with its
 * metadata, describe, understanding and chat panels) and the pages other than the library. Runs in the
 * renderer.
 *
 * [Note: A small first chunk] The library's first screen needs only the shell, the grid and the API
 * client; parsing and running the rest up front was one long task before the first thumbnail (issue 14).
 * Each export here has the props of the component it stands for and its own Suspense boundary, so a
 * caller only imports from here instead. Once the app is idle the viewer's chunk is fetched ahead, so the
 * first photo opened does not wait for it.
 */
import { lazy, Suspense, type ComponentProps, type ComponentType, type ReactNode } from 'react';
import type { Viewer as ViewerType } from './features/library/viewer';
import type { ModelsPage as ModelsPageType } from './features/models/models-page';
import type { SettingsPage as SettingsPageType } from './features/settings/settings-page';

const loadViewer = () => import('./features/library/viewer');

/** A component of `load`'s module, shown inside a Suspense boundary with `fallback` while it loads. */
function onDemand<P extends object>(load: () => Promise<ComponentType<P>>, fallback: ReactNode): (props: P) => ReactNode {
  const Lazy = lazy(async () => ({ default: await load() }));
  return function OnDemand(props: P) {
    return (
      <Suspense fallback={fallback}>
        <Lazy {...props} />
      </Suspense>
    );
  };
}

const pageSpinner = <div className="spinner centered" aria-label="Loading" />;

export const Viewer = onDemand<ComponentProps<typeof ViewerType>>(() => loadViewer().then((m) => m.Viewer), null);
export const ModelsPage = onDemand<ComponentProps<typeof ModelsPageType>>(
  () => import('./features/models/models-page').then((m) => m.ModelsPage),
  pageSpinner,
);
export const SettingsPage = onDemand<ComponentProps<typeof SettingsPageType>>(
  () => import('./features/settings/settings-page').then((m) => m.SettingsPage),
  pageSpinner,
);
export const TagsPage = onDemand<object>(() => import('./features/tags/tags-page').then((m) => m.TagsPage), pageSpinner);
export const AboutPage = onDemand<object>(() => import('./features/about/about-page').then((m) => m.AboutPage), pageSpinner);
export const AskPage = onDemand<object>(() => import('./features/chat/ask-page').then((m) => m.AskPage), pageSpinner);
/** Leaflet, the clusters and the outlines load with the Map page only. */
export const MapPage = onDemand<object>(() => import('./features/map/map-page').then((m) => m.MapPage), pageSpinner);

// Fetch the viewer's chunk once the first screen is up; only a head start (opening the viewer loads it anyway).
if (typeof requestIdleCallback === 'function') requestIdleCallback(() => void loadViewer().catch(() => {}), { timeout: 5000 });
