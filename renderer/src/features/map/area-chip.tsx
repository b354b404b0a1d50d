/**
 * @file The "In this area" chip of the library's toolbar: says the grid shows only the photos taken in
 * the map area chosen on the Map page (./map-area.ts), goes back to the map, and × shows every photo
 * again. Runs in the renderer, in the library's first chunk (it is small; the map itself is not).
 */
import { clearMapArea, useMapArea } from './map-area';
import './area-chip.css';

export function AreaChip() {
  const area = useMapArea();
  if (!area) return null;
  return (
    <span className="search-chip area-chip" data-testid="area-chip">
      <a className="chip-main" href="#/map" title="Only photos taken in the area chosen on the map. Open the map">
        <span className="chip-kind">Map</span>
        <span className="chip-label">In this area</span>
      </a>
      <button
        type="button"
        className="chip-remove"
        aria-label="Remove the map area filter: show every photo"
        onClick={clearMapArea}
        data-testid="area-chip-remove"
      >
        ×
      </button>
    </span>
  );
}
