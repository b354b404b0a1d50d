/**
 * @file The photo viewer: one photo large (preview, else the original when the browser can decode it,
 * else the thumbnail) with its metadata beside it; ← / → move through the library, Esc closes. Runs
 * in the renderer.
 *
 * The viewer is a modal <dialog> that owns the keyboard while open (a capture-phase listener on
 * window), so the grid's keys never fire under it; the library view moves the grid's focus ring to the
 * last photo shown on close. Each photo is a fresh `PhotoPane` (keyed by index), so nothing of the
 * previous photo's state can leak into the next.
 */
import { useEffect, useRef, useState } from 'react';
import type { PhotoDetail, PhotoSummary } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { countLabel } from '../../format';
import { useClient, useInfo } from '../../hooks';
import { thumbUrl, viewerSources } from '../../media';
import { DescribePanel } from './describe-panel';
import { MetadataPanel } from './metadata-panel';
import type { PhotoStore } from './photo-store';

export interface ViewerProps {
  store: PhotoStore;
  index: number;
  total: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}

export function Viewer({ store, index, total, onIndex, onClose }: ViewerProps) {
  const { mediaBase } = useInfo();
  const [showInfo, setShowInfo] = useState(true);
  const rootRef = useRef<HTMLDialogElement>(null);

  // Warm the neighbours' thumbnails so ← / → show something at once.
  useEffect(() => {
    for (const i of [index - 1, index + 1]) {
      const s = i >= 0 && i < total ? store.get(i) : undefined;
      if (s?.thumb) new Image().src = thumbUrl(mediaBase, s.thumb);
    }
  }, [store, index, total, mediaBase]);

  const latest = useRef({ index, total, onIndex, onClose });
  useEffect(() => {
    latest.current = { index, total, onIndex, onClose };
  });
  useEffect(() => {
    // A modal <dialog> makes the rest of the page inert: Tab stays inside, screen readers see only it.
    const dialog = rootRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    dialog?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      // Typing in a field (the Describe question) keeps its keys; only Esc still closes the viewer.
      if ((e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) && e.key !== 'Escape') return;
      // Keys meant for a dialog opened above the viewer (the shortcuts list) are not the viewer's.
      if (dialog && e.target instanceof Node && e.target !== document.body && !dialog.contains(e.target)) return;
      const { index: i, total: n } = latest.current;
      let handled = true;
      if (e.key === 'Escape') latest.current.onClose();
      else if (e.key === 'ArrowLeft') {
        if (i > 0) latest.current.onIndex(i - 1);
      } else if (e.key === 'ArrowRight') {
        if (i < n - 1) latest.current.onIndex(i + 1);
      } else if (e.key === 'i') setShowInfo((v) => !v);
      else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
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
      className="viewer"
      aria-label="Photo viewer"
      tabIndex={-1}
      data-testid="viewer"
      onCancel={(e) => {
        // Esc is handled by the key listener above; keep the browser from closing the dialog itself.
        e.preventDefault();
      }}
    >
      <PhotoPane
        key={index}
        store={store}
        index={index}
        total={total}
        showInfo={showInfo}
        onToggleInfo={() => setShowInfo((v) => !v)}
        onIndex={onIndex}
        onClose={onClose}
      />
    </dialog>
  );
}

interface PhotoPaneProps extends ViewerProps {
  showInfo: boolean;
  onToggleInfo: () => void;
}

/** One photo: its bar, image with ‹ › buttons, and metadata. Mounted anew for each index. */
function PhotoPane({ store, index, total, showInfo, onToggleInfo, onIndex, onClose }: PhotoPaneProps) {
  const client = useClient();
  const { mediaBase } = useInfo();
  const [summary, setSummary] = useState<PhotoSummary | undefined>(() => store.get(index));
  const [detail, setDetail] = useState<PhotoDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sourceIndex, setSourceIndex] = useState(0);
  const [loadedSrc, setLoadedSrc] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    store
      .at(index)
      .then((s) => {
        if (!live) return undefined;
        if (!s) throw new Error(`There is no photo at position ${index + 1}.`);
        setSummary(s);
        return client.call('photos:get', { id: s.id });
      })
      .then((d) => {
        if (live && d) setDetail(d);
      })
      .catch((err: unknown) => {
        if (live) setError(errorMessage(err));
      });
    return () => {
      live = false;
    };
  }, [client, store, index]);

  const sources = detail ? viewerSources(mediaBase, detail) : summary?.thumb ? [thumbUrl(mediaBase, summary.thumb)] : [];
  const src = sources[sourceIndex];
  // Until the large image has decoded, the (prefetched) thumbnail stands in, scaled up, so ← / → feel
  // instant.
  const placeholder = summary?.thumb ? thumbUrl(mediaBase, summary.thumb) : null;
  const showPlaceholder = placeholder !== null && src !== placeholder && loadedSrc !== src && !error;
  const name = summary?.name ?? 'Photo';

  return (
    <>
      <div className="viewer-stage">
        <div className="viewer-bar">
          <span className="viewer-name" data-testid="viewer-name">
            {name}
          </span>
          <span className="muted" data-testid="viewer-position">
            {countLabel(index + 1)} of {countLabel(total)}
          </span>
          <span className="spacer" />
          <button type="button" className="ghost" aria-pressed={showInfo} onClick={onToggleInfo} title="Details (I)">
            Details
          </button>
          <button type="button" className="ghost" aria-label="Close viewer (Esc)" onClick={onClose} data-testid="viewer-close">
            ✕
          </button>
        </div>
        <div className="viewer-image">
          {showPlaceholder ? <img className="viewer-placeholder" src={placeholder} alt="" aria-hidden="true" /> : null}
          {error ? (
            <p className="inline-error" role="alert">
              {error}
            </p>
          ) : src ? (
            <img
              key={src}
              src={src}
              alt={name}
              className={loadedSrc === src ? undefined : 'pending'}
              data-testid="viewer-image"
              onLoad={() => setLoadedSrc(src)}
              onError={() => setSourceIndex((s) => s + 1)}
            />
          ) : detail ? (
            <p className="muted">
              No preview of this file yet{detail.kind === 'raw' ? ' (RAW files are shown once their preview is made)' : ''}.
            </p>
          ) : (
            <div className="spinner" aria-label="Loading" />
          )}
          <button
            type="button"
            className="nav-button prev"
            aria-label="Previous photo (←)"
            disabled={index <= 0}
            onClick={() => onIndex(index - 1)}
          >
            ‹
          </button>
          <button
            type="button"
            className="nav-button next"
            aria-label="Next photo (→)"
            disabled={index >= total - 1}
            onClick={() => onIndex(index + 1)}
          >
            ›
          </button>
        </div>
      </div>
      {showInfo ? (
        detail ? (
          <MetadataPanel photo={detail}>
            <DescribePanel photoId={detail.id} />
          </MetadataPanel>
        ) : (
          <aside className="meta-panel" aria-hidden="true" />
        )
      ) : null}
    </>
  );
}
