/**
 * @file The controls in the viewer's bar: favourite and stars, turn, zoom, slideshow, full screen, and
 * "Show in folder" (the app) or "Copy path" (a browser). Presentational: photo-pane.tsx owns the photo's
 * state and calls the API. Runs in the renderer.
 */
import type { ReactNode } from 'react';
import type { Rotation } from '../../../../preload/contract';
import type { Fullscreen } from './use-fullscreen';
import { SLIDESHOW_SECONDS, type Slideshow, type SlideshowSeconds } from './use-slideshow';
import type { Zoom } from './use-zoom';

export interface FavouriteRatingProps {
  favourite: boolean;
  rating: number;
  /** Where the rating comes from ('file': read from the photo's XMP/EXIF). */
  ratingSource: 'user' | 'file' | 'none';
  onFavourite: (favourite: boolean) => void;
  onRate: (rating: number) => void;
}

/** ♥ and five stars; a click on the current star count clears the rating. */
export function FavouriteRating({ favourite, rating, ratingSource, onFavourite, onRate }: FavouriteRatingProps) {
  return (
    <span className="viewer-group" data-testid="viewer-collections">
      <button
        type="button"
        className={`ghost icon favourite${favourite ? ' on' : ''}`}
        aria-pressed={favourite}
        aria-label="Favourite (.)"
        title={favourite ? 'Favourite: click or press . to unmark' : 'Mark as favourite (.)'}
        data-testid="viewer-favourite"
        onClick={() => onFavourite(!favourite)}
      >
        {favourite ? '♥' : '♡'}
      </button>
      <span
        className="stars"
        role="group"
        aria-label={`Rating: ${rating === 0 ? 'none' : `${rating} of 5`}${ratingSource === 'file' ? ' (from the file)' : ''}`}
        data-testid="viewer-rating"
        data-rating={rating}
      >
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            className={`ghost star${n <= rating ? ' on' : ''}`}
            aria-pressed={n === rating}
            aria-label={`${n} star${n === 1 ? '' : 's'} (${n})`}
            title={n === rating ? `Clear the rating (0)` : `${n} star${n === 1 ? '' : 's'} (${n})`}
            onClick={() => onRate(n === rating ? 0 : n)}
          >
            {n <= rating ? '★' : '☆'}
          </button>
        ))}
      </span>
    </span>
  );
}

export function RotateButtons({ rotation, onRotate }: { rotation: Rotation; onRotate: (quarterTurns: 1 | -1) => void }) {
  return (
    <span className="viewer-group" data-testid="viewer-rotation" data-rotation={rotation}>
      <button
        type="button"
        className="ghost icon"
        aria-label="Turn left (Shift+R)"
        title="Turn left (Shift+R); the file is not changed"
        onClick={() => onRotate(-1)}
      >
        ↺
      </button>
      <button
        type="button"
        className="ghost icon"
        aria-label="Turn right (R)"
        title="Turn right (R); the file is not changed"
        onClick={() => onRotate(1)}
      >
        ↻
      </button>
    </span>
  );
}

export function ZoomButtons({ zoom }: { zoom: Zoom }) {
  const percent = Math.round(zoom.view.scale * 100);
  return (
    <span className="viewer-group">
      <button type="button" className="ghost icon" aria-label="Zoom out (−)" title="Zoom out (−)" onClick={zoom.zoomOut}>
        −
      </button>
      <button
        type="button"
        className="ghost zoom-level"
        aria-label={`Zoom ${percent} %: ${zoom.zoomed ? 'fit to the window' : 'show at 100 %'}`}
        title={zoom.zoomed ? 'Fit to the window (Ctrl+0 or double-click)' : 'Show at 100 % (double-click)'}
        data-testid="viewer-zoom-level"
        onClick={zoom.toggle}
      >
        {percent} %
      </button>
      <button type="button" className="ghost icon" aria-label="Zoom in (+)" title="Zoom in (+)" onClick={zoom.zoomIn}>
        +
      </button>
    </span>
  );
}

export function SlideshowButtons({ slideshow }: { slideshow: Slideshow }) {
  return (
    <span className="viewer-group">
      <ToggleButton
        pressed={slideshow.playing}
        label={slideshow.playing ? 'Stop the slideshow (S)' : 'Play a slideshow (S)'}
        testId="viewer-slideshow"
        onClick={slideshow.toggle}
      >
        {slideshow.playing ? <Icon d="M6 4v12M14 4v12" /> : <Icon d="M6 4l10 6-10 6z" fill />}
      </ToggleButton>
      <select
        aria-label="Seconds per photo in the slideshow"
        title="Seconds per photo"
        data-testid="viewer-slideshow-seconds"
        value={slideshow.seconds}
        onChange={(e) => slideshow.setSeconds(Number(e.target.value) as SlideshowSeconds)}
      >
        {SLIDESHOW_SECONDS.map((s) => (
          <option key={s} value={s}>
            {s} s
          </option>
        ))}
      </select>
    </span>
  );
}

export function FullscreenButton({ fullscreen }: { fullscreen: Fullscreen }) {
  return (
    <ToggleButton
      pressed={fullscreen.active}
      label={fullscreen.active ? 'Leave full screen (F or Esc)' : 'Full screen (F or F11)'}
      testId="viewer-fullscreen"
      onClick={fullscreen.toggle}
    >
      <Icon d={fullscreen.active ? 'M8 3v5H3M12 3v5h5M8 17v-5H3M12 17v-5h5' : 'M3 8V3h5M17 8V3h-5M3 12v5h5M17 12v5h-5'} />
    </ToggleButton>
  );
}

/** A 20×20 line icon in the text colour (glyphs such as ⛶ are missing from many system fonts). */
function Icon({ d, fill = false }: { d: string; fill?: boolean }) {
  return (
    <svg className="viewer-icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d={d} fill={fill ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
    </svg>
  );
}

/** An icon button that is on or off, named (and titled) by what a click does now. */
function ToggleButton(props: { pressed: boolean; label: string; testId: string; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      className="ghost icon"
      aria-pressed={props.pressed}
      aria-label={props.label}
      title={props.label}
      data-testid={props.testId}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

/** "Show in folder" in the app, "Copy path" in a browser ([Note: Show in folder or Copy path]). */
export function FileButton({ shell, disabled, onClick }: { shell: 'electron' | 'headless'; disabled: boolean; onClick: () => void }) {
  return shell === 'electron' ? (
    <button type="button" className="ghost" disabled={disabled} onClick={onClick} data-testid="viewer-show-in-folder">
      Show in folder
    </button>
  ) : (
    <button
      type="button"
      className="ghost"
      disabled={disabled}
      onClick={onClick}
      data-testid="viewer-copy-path"
      title="Copy the file's path"
    >
      Copy path
    </button>
  );
}
