/**
 * @file The offline basemap: land, country borders and coastlines from Natural Earth (public domain, 1:50m,
 * the `world-atlas` package's TopoJSON), drawn by Leaflet as vector layers; nothing is fetched from any
 * server. The outlines are drawn three times, the world and its copies to the west and east, so a view
 * across the antimeridian (the Pacific) shows land on both sides. Runs in the renderer, in the Map page's
 * chunk; the ~0.75 MB of outlines are a chunk of their own, loaded when the map first opens.
 *
 * Colours come from CSS (renderer/src/features/map/map.css) through class names, so the map follows the
 * light and dark themes.
 */
import L from 'leaflet';
import type { FeatureCollection, MultiLineString, Position } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

type Countries = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;

/** The outlines as GeoJSON: land (one feature per country) and the borders between countries. */
export async function loadOutlines(): Promise<{ land: FeatureCollection; borders: MultiLineString }> {
  // `?raw` keeps the JSON out of the type checker and parses it in one JSON.parse (faster than a JS literal).
  const raw = (await import('world-atlas/countries-50m.json?raw')).default;
  const topo = JSON.parse(raw) as Countries;
  const land = feature(topo, topo.objects.countries) as FeatureCollection;
  const borders = mesh(topo, topo.objects.countries, (a, b) => a !== b);
  for (const f of land.features) {
    const g = f.geometry;
    if (g.type === 'Polygon') g.coordinates.forEach(unwrap);
    else if (g.type === 'MultiPolygon') g.coordinates.forEach((p) => p.forEach(unwrap));
  }
  borders.coordinates.forEach(unwrap);
  return { land, borders };
}

/**
 * Makes a ring or line's longitudes continuous: a step of more than 180° (Chukotka or Fiji crossing the
 * antimeridian, stored as 179.9 → -179.9) continues past ±180 instead. Drawn flat, such a step would be a
 * line (and for a polygon, a filled band) across the whole world; continued, the shape runs onto the next
 * world copy, which the copies in `basemapLayer` show.
 */
function unwrap(points: Position[]): void {
  let shift = 0;
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    const step = p[0]! + shift - points[i - 1]![0]!;
    if (step > 180) shift -= 360;
    else if (step < -180) shift += 360;
    p[0] = p[0]! + shift;
  }
}

/** The outlines as one layer for `map`, with copies 360° west and east. */
export function basemapLayer(outlines: { land: FeatureCollection; borders: MultiLineString }, renderer: L.Renderer): L.LayerGroup {
  const group = L.layerGroup();
  for (const shift of [-360, 0, 360]) {
    const at = (c: number[]) => L.latLng(c[1]!, c[0]! + shift);
    const common = { renderer, interactive: false, coordsToLatLng: at } as const;
    group.addLayer(L.geoJSON(outlines.land, { ...common, style: { className: 'map-land', weight: 0.8 } }));
    group.addLayer(L.geoJSON(outlines.borders, { ...common, style: { className: 'map-border', weight: 0.6, fill: false } }));
  }
  return group;
}
