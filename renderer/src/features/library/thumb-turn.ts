/**
 * @file A thumbnail shown at the photo's display rotation: the quarter turns the user gave it in the viewer
 * (`PhotoSummary.rotation`, `AlbumDto.coverRotation`, `LibrarySourceDto.rotation`; never written to the file).
 * Runs in the renderer; used by the grid's cells, album covers, map markers and the Ask page's sources.
 *
 * The thumbnail file stays as it was made (its key is by content, shared by every view of it), so the turn is
 * CSS: the individual `rotate` property, which composes with the `transform` a selected cell already scales
 * its image with. An image that fills a square box covers it turned as well; in a box that is not square, a
 * quarter-turned image is laid out in the box's swapped shape around the same centre, so turned it covers the
 * box again. The box itself is already the turned photo's shape in the justified grid ([Note: Turned photos in
 * the grid] in main/db/layout.repo.ts).
 */
import type { CSSProperties } from 'react';
import type { Rotation } from '../../../../preload/contract';

/** The CSS `rotate` value of `rotation` quarter turns clockwise; '' for none (the property unset). */
export function turnAngle(rotation: Rotation | undefined): string {
  return rotation ? `${rotation * 90}deg` : '';
}

/**
 * The inline style that turns an image filling `box` (CSS px; a square box when absent) by `rotation`;
 * undefined when it is not turned. For a quarter turn in a box that is not square, the box must be the
 * image's containing block (positioned, as a grid cell is).
 */
export function turnedStyle(rotation: Rotation | undefined, box?: { width: number; height: number }): CSSProperties | undefined {
  if (!rotation) return undefined;
  const turn: CSSProperties = { rotate: turnAngle(rotation) };
  if (rotation % 2 === 0 || !box || box.width === box.height) return turn;
  return {
    ...turn,
    position: 'absolute',
    left: (box.width - box.height) / 2,
    top: (box.height - box.width) / 2,
    width: box.height,
    height: box.width,
  };
}
