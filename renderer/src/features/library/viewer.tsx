/**
 * @file The photo viewer: one photo large with its metadata beside it; ← / → move through the library
 * (or the search results), Esc closes. Zoom and pan, full screen, display rotation, favourite and
 * rating, the slideshow and "Show in folder" / "Copy path" live in features/viewer/ (the photo itself:
 * photo-pane.tsx; the keys: viewer-keys.ts). Runs in the renderer, loaded on demand (on-demand.tsx).
 *
 * The viewer is a modal <dialog> that owns the keyboard while open (a capture-phase listener on
 * window), so the grid's keys never fire under it; the library view moves the grid's focus ring to the
 * last photo shown on close. Each photo is a fresh `PhotoPane` (keyed by index), so nothing of the
 * previous photo's state can leak into the next; what outlives a photo (the details panel, the
 * slideshow, full screen) is kept here.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useInfo } from '../../hooks';
import { thumbUrl } from '../../media';
import '../../styles/viewer.css';
import { PhotoPane, type PaneHandle } from '../viewer/photo-pane';
import { useFullscreen } from '../viewer/use-fullscreen';
import { useSlideshow } from '../viewer/use-slideshow';
import { isNavigation, viewerCommand } from '../viewer/viewer-keys';
import type { PhotoStore } from './photo-store';

export interface ViewerProps {
  store: PhotoStore;
  index: number;
  total: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}

/** Previews fetched ahead that the viewer keeps referenced, so the browser finishes loading them. */
const PREFETCH_KEPT = 4;

export function Viewer({ store, index, total, onIndex, onClose }: ViewerProps) {
  const { mediaBase } = useInfo();
  const [showInfo, setShowInfo] = useState(true);
  const rootRef = useRef<HTMLDialogElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const paneRef = useRef<PaneHandle>(null);
  const prefetched = useRef(new Map<string, HTMLImageElement>());
  const prefetch = useCallback((url: string) => {
    const kept = prefetched.current;
    if (kept.has(url)) return;
    const img = new Image();
    img.src = url;
    kept.set(url, img);
    for (const old of kept.keys()) if (kept.size > PREFETCH_KEPT) kept.delete(old);
  }, []);
  const slideshow = useSlideshow(index, total, onIndex);
  const fullscreen = useFullscreen(frameRef);
  const { stop: stopSlideshow } = slideshow;
  // The user moving or closing stops the slideshow ([Note: Viewer keys]).
  const userIndex = useCallback(
    (i: number) => {
      stopSlideshow();
      onIndex(i);
    },
    [stopSlideshow, onIndex],
  );
  const userClose = useCallback(() => {
    stopSlideshow();
    onClose();
  }, [stopSlideshow, onClose]);

  // Warm the neighbours' thumbnails so ← / → show something at once.
  useEffect(() => {
    for (const i of [index - 1, index + 1]) {
      const s = i >= 0 && i < total ? store.get(i) : undefined;
      if (s?.thumb) new Image().src = thumbUrl(mediaBase, s.thumb);
    }
  }, [store, index, total, mediaBase]);

  const latest = useRef({ index, total, onIndex, onClose, slideshow, fullscreen });
  useEffect(() => {
    latest.current = { index, total, onIndex, onClose, slideshow, fullscreen };
  });
  useEffect(() => {
    // A modal <dialog> makes the rest of the page inert: Tab stays inside, screen readers see only it.
    const dialog = rootRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    dialog?.focus();
    const onKey = (e: KeyboardEvent) => {
      // Typing in a field (the Describe question) keeps its keys; only Esc still closes the viewer, except
      // in a field that uses Esc itself (data-escape="field": an inline editor, where Esc cancels the edit).
      if (
        (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement) &&
        (e.key !== 'Escape' || e.target.dataset['escape'] === 'field')
      )
        return;
      // Keys meant for a dialog opened above the viewer (the shortcuts list) are not the viewer's.
      if (dialog && e.target instanceof Node && e.target !== document.body && !dialog.contains(e.target)) return;
      const command = viewerCommand(e);
      if (!command) return;
      e.preventDefault();
      e.stopPropagation();
      const { index: i, total: n, slideshow: show, fullscreen: full } = latest.current;
      if (isNavigation(command)) show.stop();
      switch (command.kind) {
        case 'close':
          // Esc backs out one level: full screen (which the browser may have left on this very Esc),
          // then a running slideshow, then the viewer.
          if (full.active) full.exit();
          else if (full.justLeft()) return;
          else if (show.playing) show.stop();
          else latest.current.onClose();
          return;
        case 'go': {
          const to = command.to === 'previous' ? i - 1 : command.to === 'next' ? i + 1 : command.to === 'first' ? 0 : n - 1;
          if (to >= 0 && to < n && to !== i) latest.current.onIndex(to);
          return;
        }
        case 'toggle-info':
          setShowInfo((v) => !v);
          return;
        case 'fullscreen':
          full.toggle();
          return;
        case 'slideshow':
          show.toggle();
          return;
        case 'zoom':
        case 'rotate':
        case 'favourite':
        case 'rate':
          paneRef.current?.run(command);
          return;
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      dialog?.close();
    };
  }, []);

  return (
    <dialog
      ref={rootRef}
      className={slideshow.playing ? 'viewer slideshow' : 'viewer'}
      aria-label="Photo viewer"
      tabIndex={-1}
      data-testid="viewer"
      onCancel={(e) => {
        // Esc is handled by the key listener above; keep the browser from closing the dialog itself.
        e.preventDefault();
      }}
    >
      <div ref={frameRef} className="viewer-frame" data-testid="viewer-frame">
        <PhotoPane
          key={index}
          ref={paneRef}
          store={store}
          index={index}
          total={total}
          showInfo={showInfo}
          onToggleInfo={() => setShowInfo((v) => !v)}
          onIndex={userIndex}
          onClose={userClose}
          prefetch={prefetch}
          slideshow={slideshow}
          fullscreen={fullscreen}
          container={frameRef}
        />
      </div>
      {fullscreen.error ? (
        <p className="viewer-toast" role="alert">
          {fullscreen.error}
        </p>
      ) : null}
    </dialog>
  );
}
