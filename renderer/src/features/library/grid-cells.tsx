/**
 * @file The library grid's rows and cells: a month header row, a row of photo cells, and one cell (its
 * placeholder, thumbnail, day label, badges and decoration). Runs in the renderer; rendered by
 * ./photo-grid.tsx, which owns scrolling, focus and paging.
 *
 * [Note: Grid renders per scroll] The virtualizer re-renders the grid each time a row enters or leaves
 * the rendered range (every ~170 px of scrolling). Rows and cells are memoized on props that stay equal
 * while a row is on screen (its offset, the store's version, a stable click handler), so such a render
 * re-creates only the rows that came in; a row re-renders when the store changed (a page arrived) or the
 * focus ring moved into or out of it. Each row is its own layout and paint root (CSS containment in
 * library.css), so a new row does not make the browser re-lay the others. During a fling (./use-fling.ts)
 * cells that come in paint their placeholder only: decoding and rastering some 500 thumbnails a second
 * that are on screen for 50 ms each was what cost a fling its frames; they load when the fling ends.
 */
import { memo, useEffect, useId, useState, type ComponentType, type CSSProperties } from 'react';
import type { PhotoSummary } from '../../../../preload/contract';
import { countLabel, dateTimeLabel, dayLabel, monthLabel } from '../../format';
import { thumbUrl } from '../../media';
import { placeholderUrl } from './placeholder';
import type { PhotoStore } from './photo-store';

export interface CellDecorationProps {
  photo: PhotoSummary;
  id: string;
}

/** Where a row sits: its offset in the scrolled content and its height (CSS pixels). */
interface RowBox {
  rowIndex: number;
  start: number;
  height: number;
  /** Side padding of the grid. */
  pad: number;
}

const rowStyle = ({ start, height, pad }: RowBox, gap?: number): CSSProperties => ({
  transform: `translateY(${start}px)`,
  height,
  left: pad,
  right: pad,
  ...(gap !== undefined ? { gap } : {}),
});

/** A month's header row: its name and photo count. */
export const MonthRow = memo(function MonthRow({ monthKey, count, ...box }: RowBox & { monthKey: string; count: number }) {
  return (
    <div className="grid-row month-row" role="row" aria-rowindex={box.rowIndex + 1} style={rowStyle(box)}>
      <div role="rowheader" className="month-header" data-testid="month-header">
        <h2>{monthLabel(monthKey)}</h2>
        <span className="muted">
          {countLabel(count)} {count === 1 ? 'photo' : 'photos'}
        </span>
      </div>
    </div>
  );
});

export interface PhotoRowProps extends RowBox {
  /** Global indexes start (inclusive) to end (exclusive). */
  first: number;
  end: number;
  store: PhotoStore;
  /** The store's version: a new one re-renders the row with the pages that arrived. */
  version: number;
  /** Whether the row's first photo opens a month (its day label is always shown). */
  monthStart: boolean;
  dated: boolean;
  decoration: ComponentType<CellDecorationProps> | undefined;
  /** The focused photo's index when it is in this row, else -1 (so other rows keep their memo). */
  focusIndex: number;
  gap: number;
  cell: number;
  mediaBase: string;
  /** False during a fling: cells that mount then show their placeholder only. */
  thumbs: boolean;
  onCellClick: (index: number) => void;
}

/** One row of photo cells. */
export const PhotoRow = memo(function PhotoRow({
  first,
  end,
  store,
  monthStart,
  dated,
  decoration,
  focusIndex,
  gap,
  cell,
  mediaBase,
  thumbs,
  onCellClick,
  ...box
}: PhotoRowProps) {
  const cells = [];
  let previousDay = store.get(first - 1)?.day;
  for (let i = first; i < end; i++) {
    const photo = store.get(i);
    cells.push(
      <PhotoCell
        key={i}
        index={i}
        photo={photo}
        newDay={dated && photo !== undefined && ((i === first && monthStart) || previousDay !== photo.day)}
        decoration={decoration}
        focused={i === focusIndex}
        size={cell}
        mediaBase={mediaBase}
        thumbs={thumbs}
        onCellClick={onCellClick}
      />,
    );
    previousDay = photo?.day;
  }
  return (
    <div className="grid-row" role="row" aria-rowindex={box.rowIndex + 1} style={rowStyle(box, gap)}>
      {cells}
    </div>
  );
});

interface PhotoCellProps {
  index: number;
  photo: PhotoSummary | undefined;
  /** Shows the day label (the first photo of a day). */
  newDay: boolean;
  decoration: ComponentType<CellDecorationProps> | undefined;
  focused: boolean;
  size: number;
  mediaBase: string;
  thumbs: boolean;
  onCellClick: (index: number) => void;
}

/**
 * One photo: its placeholder painted at once as the cell's background ([Note: Placeholders] in
 * main/library/placeholders.ts), the thumbnail over it once loaded.
 */
const PhotoCell = memo(function PhotoCell({
  index,
  photo,
  newDay,
  decoration: Decoration,
  focused,
  size,
  mediaBase,
  thumbs,
  onCellClick,
}: PhotoCellProps) {
  const [failed, setFailed] = useState(false);
  // A cell that mounted during a fling loads its thumbnail once the fling ends; one that had it keeps it.
  const [armed, setArmed] = useState(thumbs);
  if (thumbs && !armed) setArmed(true);
  const decorationId = useId();
  const decorated = photo !== undefined && Decoration !== undefined;
  const thumb = photo?.thumb ?? null;
  useEffect(() => setFailed(false), [thumb]);
  const placeholder = photo?.placeholder ? placeholderUrl(photo.placeholder) : null;
  const label = photo
    ? `${photo.name}, ${dateTimeLabel(photo.takenAt)}${photo.status !== 'ok' ? `, ${photo.status}` : ''}`
    : 'Loading photo';
  return (
    <div
      role="gridcell"
      className={`cell${focused ? ' focused' : ''}${photo ? '' : ' loading'}`}
      style={{ width: size, height: size, ...(placeholder ? { backgroundImage: `url("${placeholder}")` } : {}) }}
      tabIndex={focused ? 0 : -1}
      data-index={index}
      data-testid="photo-cell"
      data-photo-id={photo?.id}
      aria-label={label}
      aria-describedby={decorated ? decorationId : undefined}
      aria-selected={focused}
      onClick={() => onCellClick(index)}
    >
      {photo && thumb && armed && !failed ? (
        <img
          src={thumbUrl(mediaBase, thumb)}
          alt=""
          decoding="async"
          draggable={false}
          onError={() => setFailed(true)}
          data-testid="thumb"
        />
      ) : photo && !placeholder ? (
        <div className="cell-placeholder" aria-hidden="true">
          <span>{failed ? 'No thumbnail' : photo.status === 'ok' ? 'Processing…' : ''}</span>
        </div>
      ) : null}
      {newDay && photo ? <span className="day-chip">{dayLabel(photo.day)}</span> : null}
      {photo && photo.status !== 'ok' ? (
        <span
          className={`badge badge-${photo.status}`}
          data-testid={`badge-${photo.status}`}
          title={photo.status === 'missing' ? 'The file is gone from disk' : 'The file could not be read'}
        >
          {photo.status === 'missing' ? 'Missing' : 'Error'}
        </span>
      ) : photo && photo.kind !== 'image' ? (
        <span className="badge badge-kind">{photo.kind === 'raw' ? 'RAW' : 'Video'}</span>
      ) : null}
      {decorated ? <Decoration photo={photo} id={decorationId} /> : null}
    </div>
  );
});
