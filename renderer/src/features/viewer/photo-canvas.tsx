/**
 * @file The photo drawn at the viewer's zoom, pan and display rotation: the thumbnail standing in until
 * the large image has decoded, the large image (the preview, else the original or the thumbnail), and
 * the original on top once the zoom asks for more pixels than the preview has. Runs in the renderer.
 *
 * The canvas is sized in CSS pixels (photo size × scale) rather than scaled by a transform, so the
 * browser resamples the image for the size it is drawn at and a zoomed photo stays sharp; it is moved
 * and turned by a transform about its centre ([Note: Viewer zoom model] in zoom-math.ts).
 */
import { useState } from 'react';
import type { Size, View } from './zoom-math';

export interface PhotoCanvasProps {
  /** The photo's full-resolution size before display rotation; null until known. */
  size: Size | null;
  view: View;
  /** Quarter turns clockwise for display. */
  rotation: number;
  /** The thumbnail shown, scaled up, until `src` has decoded; null when there is none or no need. */
  placeholder: string | null;
  src: string;
  alt: string;
  loaded: boolean;
  onLoad: (natural: Size) => void;
  onError: () => void;
  /** The original, to draw over `src` (zoomed past the preview's pixels); null when not wanted. */
  original: string | null;
  onOriginalError: () => void;
}

export function PhotoCanvas({
  size,
  view,
  rotation,
  placeholder,
  src,
  alt,
  loaded,
  onLoad,
  onError,
  original,
  onOriginalError,
}: PhotoCanvasProps) {
  const [originalLoaded, setOriginalLoaded] = useState<string | null>(null);
  const style = size
    ? {
        width: `${size.width * view.scale}px`,
        height: `${size.height * view.scale}px`,
        transform: `translate(-50%, -50%) translate(${view.x}px, ${view.y}px) rotate(${rotation * 90}deg)`,
      }
    : // Size unknown (no dimensions in the index): load the image hidden to learn it.
      { width: 0, height: 0, visibility: 'hidden' as const };
  const covered = original !== null && originalLoaded === original;
  return (
    <div
      className="viewer-canvas"
      style={style}
      data-testid="viewer-canvas"
      data-scale={view.scale.toFixed(4)}
      data-x={Math.round(view.x)}
      data-y={Math.round(view.y)}
      data-rotation={rotation}
    >
      {placeholder ? <img className="viewer-placeholder" src={placeholder} alt="" aria-hidden="true" draggable={false} /> : null}
      <img
        key={src}
        src={src}
        alt={alt}
        draggable={false}
        className={[loaded ? null : 'pending', covered ? 'covered' : null].filter(Boolean).join(' ') || undefined}
        data-testid="viewer-image"
        onLoad={(e) => onLoad({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
        onError={onError}
      />
      {original ? (
        <img
          key={original}
          src={original}
          alt=""
          aria-hidden="true"
          draggable={false}
          className={covered ? undefined : 'pending'}
          data-testid="viewer-original"
          onLoad={() => setOriginalLoaded(original)}
          onError={onOriginalError}
        />
      ) : null}
    </div>
  );
}
