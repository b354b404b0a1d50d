/**
 * @file One photo in the viewer: its bar (name, position, marks, zoom, slideshow, full screen, file),
 * the photo at its zoom, the ‹ › buttons, and the side panels. Mounted anew for each photo (keyed by
 * index in viewer.tsx), so nothing of one photo's state (zoom, messages, failed sources) leaks into the
 * next. Runs in the renderer.
 *
 * The thumbnail (in the browser's cache from the grid) stands in, scaled up, until the large image has
 * decoded. A preview is made by its first request ([Note: Previews on demand] in main/library/steps.ts),
 * so the first view of a photo shows the thumbnail for the ~0.1–0.2 s that takes; once a photo is on
 * screen, the previews of the photos before and after it are fetched ahead, so ← / → find them made.
 * When the preview fails, the viewer falls back to the original or the thumbnail and says why. Zoomed past
 * the preview's pixels, the original (when the browser can decode it) is loaded and drawn over it.
 */
import { useCallback, useEffect, useImperativeHandle, useRef, useState, type Ref, type RefObject } from 'react';
import type { PhotoDetail, PhotoSummary } from '../../../../preload/contract';
import { errorMessage } from '../../api';
import { countLabel } from '../../format';
import { useClient, useInfo } from '../../hooks';
import { pickSource, previewFailedNote, thumbUrl, viewerSources, type ViewerSource } from '../../media';
import { ChatPanel } from '../chat/chat-panel';
import { DescribePanel } from '../library/describe-panel';
import { MetadataPanel } from '../library/metadata-panel';
import type { PhotoStore } from '../library/photo-store';
import { UnderstandingPanel } from '../library/understanding-panel';
import { copyText } from './copy-text';
import { PhotoCanvas } from './photo-canvas';
import { usePhotoMarks } from './use-photo-marks';
import type { Fullscreen } from './use-fullscreen';
import type { Slideshow } from './use-slideshow';
import { useZoom } from './use-zoom';
import { FavouriteRating, FileButton, FullscreenButton, RotateButtons, SlideshowButtons, ZoomButtons } from './viewer-actions';
import type { ViewerCommand } from './viewer-keys';
import { needsOriginal, turnedSize, type Size } from './zoom-math';

/** What the viewer's keys ask of the photo shown. */
export interface PaneHandle {
  run: (command: ViewerCommand) => void;
}

export interface PhotoPaneProps {
  store: PhotoStore;
  index: number;
  total: number;
  /** Moves to another photo on the user's request (stops a slideshow). */
  onIndex: (index: number) => void;
  onClose: () => void;
  showInfo: boolean;
  onToggleInfo: () => void;
  /** Starts loading an image the viewer will likely show next. */
  prefetch: (url: string) => void;
  slideshow: Slideshow;
  fullscreen: Fullscreen;
  /** The element a hidden copy field may go in (inside the modal dialog). */
  container: RefObject<HTMLElement | null>;
  ref?: Ref<PaneHandle>;
}

type Message = { kind: 'status' | 'error'; text: string; path?: string };

const sizeOf = (p: { width: number | null; height: number | null } | null | undefined): Size | null =>
  p?.width && p.height ? { width: p.width, height: p.height } : null;

export function PhotoPane(props: PhotoPaneProps) {
  const { store, index, total, showInfo, onToggleInfo, onIndex, onClose, prefetch, slideshow, fullscreen, container, ref } = props;
  const client = useClient();
  const { mediaBase, shell } = useInfo();
  const [summary, setSummary] = useState<PhotoSummary | undefined>(() => store.get(index));
  const [detail, setDetail] = useState<PhotoDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Sources that failed to load; the next one in `viewerSources` order is shown. */
  const [failed, setFailed] = useState<ReadonlySet<string>>(() => new Set());
  const [previewFailed, setPreviewFailed] = useState(false);
  const [loaded, setLoaded] = useState<{ src: string; natural: Size } | null>(null);
  const [originalFailed, setOriginalFailed] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const areaRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
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

  const id = detail?.id ?? summary?.id;
  const reload = useCallback(async () => {
    if (id === undefined) return;
    const d = await client.call('photos:get', { id });
    if (mounted.current) setDetail(d);
  }, [client, id]);
  const showError = useCallback((text: string) => setMessage({ kind: 'error', text }), []);
  const marks = usePhotoMarks(client, summary, detail, reload, showError);

  const sources: ViewerSource[] = detail
    ? viewerSources(mediaBase, detail)
    : summary?.thumb
      ? [{ kind: 'thumb', url: thumbUrl(mediaBase, summary.thumb) }]
      : [];
  const current = pickSource(sources, failed);
  const src = current?.url;
  const shown = loaded && loaded.src === src ? loaded.natural : null;

  // Sizes: the photo's own (from the index; the image's when the index has none), turned for display.
  const size = sizeOf(detail) ?? sizeOf(summary) ?? shown;
  const zoom = useZoom(areaRef, stageRef, size ? turnedSize(size, marks.rotation) : null, marks.rotation, slideshow.stop);
  const originalSource = current?.kind === 'preview' ? sources.find((s) => s.kind === 'original') : undefined;
  const original =
    originalSource && !originalFailed && size && shown && needsOriginal(zoom.peakScale, size, shown, window.devicePixelRatio || 1)
      ? originalSource.url
      : null;

  useImperativeHandle(
    ref,
    () => ({
      run(command) {
        if (command.kind === 'zoom') (command.how === 'in' ? zoom.zoomIn : command.how === 'out' ? zoom.zoomOut : zoom.fit)();
        else if (command.kind === 'rotate') marks.rotate(command.quarterTurns);
        else if (command.kind === 'favourite') marks.setFavourite(!marks.favourite);
        else if (command.kind === 'rate') marks.setRating(command.rating);
      },
    }),
    [zoom, marks],
  );

  // Once this photo's best image is on screen (not before: its own preview goes first), fetch the
  // neighbours' previews, which that request makes.
  const settled = detail !== null && shown !== null;
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
    reload().catch(() => {});
  };

  const filePath = detail ? (detail.files.find((f) => f.status === 'ok') ?? detail.files[0])?.absPath : undefined;
  const onFile = () => {
    if (!detail || !filePath) return;
    if (shell === 'electron') {
      client.call('photos:showInFolder', { id: detail.id }).then(
        () => setMessage(null),
        (err: unknown) => showError(errorMessage(err)),
      );
      return;
    }
    const host = container.current ?? document.body;
    copyText(filePath, host)
      .then((ok) => {
        if (!mounted.current) return;
        setMessage(
          ok
            ? { kind: 'status', text: 'Path copied' }
            : { kind: 'error', text: 'The browser did not allow copying. Select the path and copy it:', path: filePath },
        );
      })
      .catch(() => {});
  };

  // Until the large image has decoded, the (prefetched) thumbnail stands in, scaled up, so ← / → feel
  // instant.
  const placeholder = summary?.thumb ? thumbUrl(mediaBase, summary.thumb) : null;
  const showPlaceholder = placeholder !== null && src !== placeholder && shown === null && !error;
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
          {message ? (
            <span
              className={message.kind === 'error' ? 'viewer-message error' : 'viewer-message muted'}
              role={message.kind === 'error' ? 'alert' : 'status'}
              data-testid="viewer-message"
            >
              {message.text}
              {message.path ? (
                <input readOnly value={message.path} aria-label="File path" onFocus={(e) => e.currentTarget.select()} />
              ) : null}
            </span>
          ) : null}
          <span className="spacer" />
          <FavouriteRating
            favourite={marks.favourite}
            rating={marks.rating}
            ratingSource={marks.ratingSource}
            onFavourite={marks.setFavourite}
            onRate={marks.setRating}
          />
          <RotateButtons rotation={marks.rotation} onRotate={marks.rotate} />
          <ZoomButtons zoom={zoom} />
          <SlideshowButtons slideshow={slideshow} />
          <FullscreenButton fullscreen={fullscreen} />
          <FileButton shell={shell} disabled={!filePath} onClick={onFile} />
          <button type="button" className="ghost" aria-pressed={showInfo} onClick={onToggleInfo} title="Details (I)">
            Details
          </button>
          <button type="button" className="ghost" aria-label="Close viewer (Esc)" onClick={onClose} data-testid="viewer-close">
            ✕
          </button>
        </div>
        <div ref={areaRef} className={zoom.zoomed ? 'viewer-image zoomed' : 'viewer-image'} data-testid="viewer-area">
          <div ref={stageRef} className="viewer-viewport">
            {error ? (
              <p className="inline-error" role="alert">
                {error}
              </p>
            ) : src ? (
              <PhotoCanvas
                size={size && zoom.stage.width > 0 ? size : null}
                view={zoom.view}
                rotation={marks.rotation}
                placeholder={showPlaceholder ? placeholder : null}
                src={src}
                alt={name}
                loaded={shown !== null}
                onLoad={(natural) => setLoaded({ src, natural })}
                onError={onImageError}
                original={original}
                onOriginalError={() => {
                  setOriginalFailed(true);
                  showError('The original could not be loaded; showing the preview.');
                }}
              />
            ) : detail ? (
              <p className="muted">
                {detail.error ? `This file cannot be shown: ${detail.error}` : 'There is nothing to show for this file yet.'}
              </p>
            ) : (
              <div className="spinner" aria-label="Loading" />
            )}
          </div>
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
