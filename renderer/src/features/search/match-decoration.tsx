/**
 * @file What a search result's grid cell adds to the thumbnail: its relevance score (a small badge)
 * and why it matched (a caption line with the matched words marked; "Similar meaning" for a match by
 * meaning; nothing for a filter-only match). Drawn by the library's PhotoGrid through its `decoration`
 * prop. Runs in the renderer.
 *
 * The highlights are rendered as <mark> elements from offsets, never as HTML: captions and text in
 * photos come from a model and from files, and may contain anything.
 */
import type { PhotoSummary, SearchItem } from '../../../../preload/contract';
import type { CellDecorationProps } from '../library/photo-grid';
import { highlightParts, reasonLabel, reasonsText, scorePercent, shownReasons } from './match-text';

/** Whether a grid cell's photo came from a search (the grid's store holds search items). */
function isSearchItem(photo: PhotoSummary): photo is SearchItem {
  return 'score' in photo && 'why' in photo && Array.isArray((photo as Partial<SearchItem>).why);
}

export function MatchDecoration({ photo, id }: CellDecorationProps) {
  if (!isSearchItem(photo)) return null;
  const score = scorePercent(photo.score);
  const reason = shownReasons(photo.why)[0];
  const why = reasonsText(photo.why);
  return (
    <div className="match" id={id} title={why ? `${why}\nRelevance ${score}` : `Relevance ${score}`} data-testid="match">
      <span className="match-score" data-testid="match-score">
        <span className="visually-hidden">Relevance </span>
        {score}
      </span>
      {reason ? (
        <span className="match-why" data-testid="match-why">
          <span className="match-field">{reasonLabel(reason)}</span>
          {reason.field === 'meaning'
            ? null
            : highlightParts(reason.snippet).map((part, i) =>
                part.mark ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
              )}
        </span>
      ) : null}
    </div>
  );
}
