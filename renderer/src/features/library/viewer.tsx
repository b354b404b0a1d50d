/**
 * @file The photo viewer: one photo large (preview, else the original when the browser can decode it,
 * else the thumbnail) with its metadata beside it; ← / → move through the library, Esc closes. Runs
 * in the renderer.
 *
 * The thumbnail (in the browser's cache from the grid) stands in, scaled up, until the large image has
 * decoded. A preview is made by its first request ([Note: Previews on demand] in main/library/steps.ts),
 * so the first view of a photo shows the thumbnail for the ~0.1–0.2 s that takes; once a photo is on
 * screen, the previews of the photos before and after it are fetched ahead, so ← / → find them made.
 * When the preview fails, the viewer falls back to the original or the thumbnail and says why.
 *
 * The viewer is a modal <dialog> that owns the keyboard while open (a capture-phase listener on
 * window), so the grid's keys never fire under it; the library view moves the grid's focus ring to the
 * last photo shown on close. Each photo is a fresh `PhotoPane` (keyed by index), so nothing of the
 * previous photo's state can leak into the next.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PhotoDetail, PhotoSummary } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { countLabel } from '../../format';
import { useClient, useInfo } from '../../hooks';
import { pickSource, previewFailedNote, thumbUrl, viewerSources, type ViewerSource } from '../../media';
import { ChatPanel } from '../chat/chat-panel';
import { DescribePanel } from './describe-panel';
import { MetadataPanel } from './metadata-panel';
import { UnderstandingPanel } from './understanding-panel';
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
  const prefetched = useRef(new Map<string, HTMLImageElement>());
  const prefetch = useCallback((url: string) => {
    const kept = prefetched.current;
    if (kept.has(url)) return;
    const img = new Image();
    img.src = url;
    kept.set(url, img);
    for (const old of kept.keys()) if (kept.size > PREFETCH_KEPT) kept.delete(old);
  }, []);

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
      // Typing in a field (the Describe question) keeps its keys; only Esc still closes the viewer, except
      // in a field that uses Esc itself (data-escape="field": an inline editor, where Esc cancels the edit).
      if (
        (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) &&
        (e.key !== 'Escape' || e.target.dataset['escape'] === 'field')
      )
        return;
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
        prefetch={prefetch}
      />
    </dialog>
  );
}

interface PhotoPaneProps extends ViewerProps {
  showInfo: boolean;
  onToggleInfo: () => void;
  /** Starts loading an image the viewer will likely show next. */
  prefetch: (url: string) => void;
}

/** One photo: its bar, image with ‹ › buttons, and metadata. Mounted anew for each index. */
function PhotoPane({ store, index, total, showInfo, onToggleInfo, onIndex, onClose, prefetch }: PhotoPaneProps) {
  const client = useClient();
  const { mediaBase } = useInfo();
  const [summary, setSummary] = useState<PhotoSummary | undefined>(() => store.get(index));
  const [detail, setDetail] = useState<PhotoDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Sources that failed to load; the next one in `viewerSources` order is shown. */
  const [failed, setFailed] = useState<ReadonlySet<string>>(() => new Set());
  const [previewFailed, setPreviewFailed] = useState(false);
  const [loadedSrc, setLoadedSrc] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

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

  const sources: ViewerSource[] = detail
    ? viewerSources(mediaBase, detail)
    : summary?.thumb
      ? [{ kind: 'thumb', url: thumbUrl(mediaBase, summary.thumb) }]
      : [];
  const current = pickSource(sources, failed);
  const src = current?.url;

  // Once this photo's best image is on screen (not before: its own preview goes first), fetch the
  // neighbours' previews, which that request makes.
  const settled = detail !== null && src !== undefined && loadedSrc === src;
  useEffect(() => {
    if (!settled) return undefined;
    let live = true;
    for (const i of [index + 1, index - 1]) {
      if (i < 0 || i >= total) continue;
      store
        .at(i)
        .then((s) => (live && s && s.kind !== 'video' ? client.call('photos:get', { id: s.id }) : null))
        .then((d) => {
          if (live && d?.preview) prefetch(thumbUrl(mediaBase, d.preview));
        })
        .catch(() => {}); // only a head start: the photo loads when shown anyway
    }
    return () => {
      live = false;
    };
  }, [settled, store, index, total, client, mediaBase, prefetch]);

  const onImageError = () => {
    if (!current) return;
    setFailed((f) => new Set(f).add(current.url));
    if (current.kind !== 'preview' || !detail) return;
    setPreviewFailed(true);
    // Read the photo again: making the preview may have taught the library why it failed (its file went
    // missing, or it no longer decodes), which the note then says.
    client
      .call('photos:get', { id: detail.id })
      .then((d) => {
        if (mounted.current && d) setDetail(d);
      })
      .catch(() => {});
  };
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
          {previewFailed && detail ? (
            <span className="muted" role="status" data-testid="viewer-note">
              {previewFailedNote(current?.kind ?? null, detail)}
            </span>
          ) : null}
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
              onError={onImageError}
            />
          ) : detail ? (
            <p className="muted">
              {detail.error ? `This file cannot be shown: ${detail.error}` : 'There is nothing to show for this file yet.'}
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
            <UnderstandingPanel photoId={detail.id} />
            <DescribePanel photoId={detail.id} />
            <ChatPanel photoId={detail.id} />
          </MetadataPanel>
        ) : (
          <aside className="meta-panel" aria-hidden="true" />
        )
      ) : null}
    </>
  );
}
