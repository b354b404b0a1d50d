/**
 * @file The library grid's rows and cells: a month header row, a row of photo cells (square, or justified
 * with day headers over it), and one cell (its placeholder, thumbnail, day label, selection check, badges
 * and decoration). Runs in the renderer; rendered by ./photo-grid.tsx, which owns scrolling, focus,
 * selection keys and paging.
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
import { memo, useId, useState, type ComponentType, type CSSProperties, type MouseEvent } from 'react';
import { useJobsPaused } from '../activity/jobs-paused';
import type { PhotoSummary } from '../../../../preload/contract';
import { countLabel, dateTimeLabel, dayLabel, monthLabel } from '../../format';
import { thumbUrl } from '../../media';
import type { DayLabel, GridLayout } from './grid-layout';
import { placeholderUrl } from './placeholder';
import type { PhotoStore } from './photo-store';
import type { SelectionStore } from './selection';
import { turnedStyle } from './thumb-turn';

/** What a click on a cell or its check asks for: Shift extends a range, Ctrl/Cmd toggles. */
export interface CellClick {
  shift: boolean;
  toggle: boolean;
  /** The click was on the check (always selects, never opens). */
  check: boolean;
}

const clickOf = (e: MouseEvent, check: boolean): CellClick => ({ shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey, check });

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

/** A justified row's geometry: its photos' boxes and height, and the days that start in it. */
export interface JustifiedRow {
  boxes: NonNullable<GridLayout['boxes']>;
  photoHeight: number;
  labels: readonly DayLabel[] | undefined;
  /** Height of the day headers' band over the photos (0 without). */
  labelHeight: number;
  /** The row's width, which the last day header may take up to. */
  width: number;
}

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
  onCellClick: (index: number, click: CellClick) => void;
  /** A justified row's geometry; a square row without. */
  justified: JustifiedRow | undefined;
  /** The grid's selection (none: cells have no check), and its version so the row re-renders. */
  selection: SelectionStore | undefined;
  selectionVersion: number;
}

/** A day's header over its first photo in a justified row, as wide as the day's photos. */
function DayHeader({ label, next, width }: { label: DayLabel; next: DayLabel | undefined; width: number }) {
  return (
    <div
      className="day-header"
      data-testid="day-header"
      data-day={label.day}
      style={{ transform: `translateX(${Math.round(label.x)}px)`, maxWidth: Math.max(0, (next ? next.x : width) - label.x - 8) }}
    >
      {dayLabel(label.day)} {monthLabel(label.day.slice(0, 7))}
    </div>
  );
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
  justified,
  selection,
  ...box
}: PhotoRowProps) {
  const cells = [];
  let previousDay = store.get(first - 1)?.day;
  for (let i = first; i < end; i++) {
    const photo = store.get(i);
    let place: CellBox | undefined;
    if (justified) {
      // Whole pixels, each edge rounded once, so neighbours meet the gap exactly.
      const left = Math.round(justified.boxes.left[i] ?? 0);
      const right = Math.round((justified.boxes.left[i] ?? 0) + (justified.boxes.width[i] ?? 0));
      place = { left, top: justified.labelHeight, width: Math.max(1, right - left), height: Math.round(justified.photoHeight) };
    }
    cells.push(
      <PhotoCell
        key={i}
        index={i}
        photo={photo}
        newDay={!justified && dated && photo !== undefined && ((i === first && monthStart) || previousDay !== photo.day)}
        decoration={decoration}
        focused={i === focusIndex}
        size={cell}
        place={place}
        mediaBase={mediaBase}
        thumbs={thumbs}
        onCellClick={onCellClick}
        selected={selection ? selection.isSelected(photo?.id, i) : undefined}
      />,
    );
    previousDay = photo?.day;
  }
  const labels = justified?.labels;
  return (
    <div
      className={`grid-row${justified ? ' justified-row' : ''}`}
      role="row"
      aria-rowindex={box.rowIndex + 1}
      style={rowStyle(box, justified ? undefined : gap)}
    >
      {labels?.map((l, k) => (
        <DayHeader key={l.day} label={l} next={labels[k + 1]} width={justified?.width ?? 0} />
      ))}
      {cells}
    </div>
  );
});

/** Where a justified cell sits in its row (CSS px). */
interface CellBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface PhotoCellProps {
  index: number;
  photo: PhotoSummary | undefined;
  /** Shows the day label (the first photo of a day). */
  newDay: boolean;
  decoration: ComponentType<CellDecorationProps> | undefined;
  focused: boolean;
  size: number;
  /** A justified cell's box; square cells (`size`) flow in their row. */
  place: CellBox | undefined;
  mediaBase: string;
  thumbs: boolean;
  onCellClick: (index: number, click: CellClick) => void;
  /** Whether the photo is selected; undefined where the grid has no selection (search results). */
  selected: boolean | undefined;
}

/**
 * One photo: its placeholder painted at once as the cell's background ([Note: Placeholders] in
 * main/library/placeholders.ts), the thumbnail over it once loaded; both turned when the user turned the
 * photo (./thumb-turn.ts: a turned placeholder is its own element, as a background cannot turn).
 */
const PhotoCell = memo(function PhotoCell({
  index,
  photo,
  newDay,
  decoration: Decoration,
  focused,
  size,
  place,
  mediaBase,
  thumbs,
  onCellClick,
  selected,
}: PhotoCellProps) {
  /** The thumbnail key that failed to load; a new key (the thumbnail was remade) tries again. */
  const [failedThumb, setFailedThumb] = useState<string | null>(null);
  // A cell that mounted during a fling loads its thumbnail once the fling ends; one that had it keeps it.
  const [armed, setArmed] = useState(thumbs);
  if (thumbs && !armed) setArmed(true);
  const decorationId = useId();
  // A tile waiting for its thumbnail says so truthfully: nothing is processed while jobs are paused.
  const paused = useJobsPaused();
  const decorated = photo !== undefined && Decoration !== undefined;
  const thumb = photo?.thumb ?? null;
  const failed = thumb !== null && failedThumb === thumb;
  const placeholder = photo?.placeholder ? placeholderUrl(photo.placeholder) : null;
  const label = photo
    ? `${photo.name}, ${dateTimeLabel(photo.takenAt)}${photo.status !== 'ok' ? `, ${photo.status}` : ''}`
    : 'Loading photo';
  const selectable = selected !== undefined;
  const geometry: CSSProperties = place
    ? { position: 'absolute', left: place.left, top: place.top, width: place.width, height: place.height }
    : { width: size, height: size };
  const turned = turnedStyle(photo?.rotation, place ?? { width: size, height: size });
  return (
    <div
      role="gridcell"
      className={`cell${focused ? ' focused' : ''}${photo ? '' : ' loading'}${selected ? ' selected' : ''}`}
      style={{ ...geometry, ...(placeholder && !turned ? { backgroundImage: `url("${placeholder}")` } : {}) }}
      tabIndex={focused ? 0 : -1}
      data-index={index}
      data-testid="photo-cell"
      data-photo-id={photo?.id}
      aria-label={label}
      aria-describedby={decorated ? decorationId : undefined}
      // With a selection, aria-selected says what is ticked (the grid is multiselectable); without, the focus ring.
      aria-selected={selectable ? selected : focused}
      onClick={(e) => onCellClick(index, clickOf(e, false))}
    >
      {placeholder && turned ? (
        <span className="cell-backdrop" aria-hidden="true" style={{ ...turned, backgroundImage: `url("${placeholder}")` }} />
      ) : null}
      {photo && thumb && armed && !failed ? (
        <img
          src={thumbUrl(mediaBase, thumb)}
          alt=""
          decoding="async"
          draggable={false}
          onError={() => setFailedThumb(thumb)}
          style={turned}
          data-rotation={photo.rotation}
          data-testid="thumb"
        />
      ) : photo && !placeholder ? (
        <div className="cell-placeholder" aria-hidden="true">
          <span>{failed ? 'No thumbnail' : photo.status === 'ok' ? (paused ? 'Paused' : 'Processing…') : ''}</span>
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
      {selectable ? (
        <button
          type="button"
          className="cell-check"
          // Not a tab stop: the cell holds the keyboard (Space ticks it); the button is for the pointer.
          tabIndex={-1}
          aria-pressed={selected}
          aria-label={`Select ${photo?.name ?? 'photo'}`}
          data-testid="cell-check"
          onClick={(e) => {
            e.stopPropagation();
            onCellClick(index, clickOf(e, true));
          }}
        />
      ) : null}
    </div>
  );
});
