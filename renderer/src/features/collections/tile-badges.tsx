/**
 * @file The favourite heart and star rating drawn over a grid tile (the grid's `decoration` slot,
 * ../library/grid-cells.tsx). Its root's text describes the tile to assistive technology
 * ("Favourite, 4 stars"); nothing is drawn for a plain photo. Runs in the renderer.
 */
import type { CellDecorationProps } from '../library/photo-grid';

/** "Favourite, 4 stars", "" for neither. */
export function badgeText(photo: { favourite?: boolean; rating?: number }): string {
  const parts: string[] = [];
  if (photo.favourite) parts.push('Favourite');
  if (photo.rating) parts.push(`${photo.rating} ${photo.rating === 1 ? 'star' : 'stars'}`);
  return parts.join(', ');
}

export function TileBadges({ photo, id }: CellDecorationProps) {
  const text = badgeText(photo);
  return (
    <span id={id} className="tile-badges" data-testid={text ? 'tile-badges' : undefined}>
      {text ? <span className="visually-hidden">{text}</span> : null}
      {photo.favourite ? (
        <span className="tile-heart" aria-hidden="true" data-testid="tile-favourite">
          ♥
        </span>
      ) : null}
      {photo.rating ? (
        <span className="tile-stars" aria-hidden="true" data-testid="tile-rating" data-rating={photo.rating}>
          {'★'.repeat(photo.rating)}
        </span>
      ) : null}
    </span>
  );
}
