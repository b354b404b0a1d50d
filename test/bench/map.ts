/**
 * @file The Map at 100,000 GPS photos: how long `map:points` takes (SQL and the compact arrays) and how
 * big its JSON is, how long the grid filtered to an area takes (`photos:page` and `photos:timeline` with a
 * `bbox`: a city and a continent, the count reading every photo as there is no index on the coordinates),
 * and how long the renderer's clustering takes (building the supercluster index, then the markers of a
 * world view and a city view). Prints a table, then one JSON line.
 *
 * Run: node --import tsx test/bench/map.ts [--photos 100000] [--gps-share 0.8] [--seed 7]
 *
 * The library is made directly in a temporary SQLite file (photos, their files, GPS around 200 cities),
 * so the figures are main's and the clustering's alone, without the host or a browser.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMapHandlers } from '../../main/api/map-handlers';
import { createFilesRepo } from '../../main/db/files.repo';
import { createFoldersRepo } from '../../main/db/folders.repo';
import { openDatabase } from '../../main/db/open';
import { createPhotosRepo } from '../../main/db/photos.repo';
import { createAreaRead } from '../../main/library/area-read';
import type { MapPoints } from '../../preload/contract';
import { buildClusterIndex } from '../../renderer/src/features/map/cluster-index';
import { arg, printTable, rng, round } from './bench-helpers';

const N = Number(arg('photos', '100000'));
const GPS_SHARE = Number(arg('gps-share', '0.8'));
const random = rng(Number(arg('seed', '7')));

/** Median of `runs` timings of `f` (ms), after one warm-up. */
function time(f: () => unknown, runs = 5): number {
  f();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return round(t.sort((a, b) => a - b)[Math.floor(runs / 2)]!, 1);
}

const dir = mkdtempSync(join(tmpdir(), 'shoebox-bench-map-'));
try {
  const db = openDatabase(join(dir, 'library.db'));
  const photos = createPhotosRepo(db);
  const files = createFilesRepo(db);
  const folder = createFoldersRepo(db).insert(join(dir, 'photos'), 0);
  const cities = Array.from({ length: 200 }, () => [random() * 140 - 60, random() * 360 - 180] as const);
  const t0 = performance.now();
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const day = new Date(Date.UTC(2024, 0, 1) - i * 3_600_000).toISOString().slice(0, 19);
      const id = photos.insert({ hash: `h${i}`, kind: 'image', mime: 'image/jpeg', fileTime: day, error: null, now: 0 });
      const row = photos.get(id)!;
      const city = cities[Math.floor(random() * cities.length)]!;
      const gps = random() < GPS_SHARE;
      photos.setMetadata(id, {
        ...row,
        taken_at: day,
        gps_lat: gps ? city[0] + (random() - 0.5) * 0.2 : null,
        gps_lon: gps ? city[1] + (random() - 0.5) * 0.2 : null,
      });
      files.upsert({ folderId: folder, relPath: `p/${i}.jpg`, photoId: id, size: 1, mtimeMs: 0, status: 'ok', error: null, now: 0 });
    }
  })();
  process.stderr.write(`made ${N} photos in ${round((performance.now() - t0) / 1000, 1)} s\n`);

  const map = createMapHandlers({ db });
  const area = createAreaRead(db);
  let points: MapPoints = { ids: [], lat: [], lon: [] };
  const pointsMs = time(() => (points = map['map:points']({}) as MapPoints));
  let json = '';
  const jsonMs = time(() => (json = JSON.stringify(points)));
  const [cLat, cLon] = cities[0]!;
  const city = { west: cLon - 0.2, south: cLat - 0.2, east: cLon + 0.2, north: cLat + 0.2 };
  const continent = { west: -30, south: 30, east: 40, north: 70 };
  const pageCity = time(() => area.page({ offset: 0, limit: 200, bbox: city }));
  const pageContinent = time(() => area.page({ offset: 0, limit: 200, bbox: continent }));
  const timelineCity = time(() => area.timeline(city));
  const cityTotal = area.page({ offset: 0, limit: 1, bbox: city }).total;
  let index = buildClusterIndex(points.lat, points.lon);
  const buildMs = time(() => (index = buildClusterIndex(points.lat, points.lon)), 3);
  let worldMarkers = 0;
  const worldMs = time(() => (worldMarkers = index.markers([-180, -85, 180, 85], 2).length));
  const cityMs = time(() => index.markers([city.west, city.south, city.east, city.north], 12));

  const figures = {
    photos: N,
    gpsPhotos: points.ids.length,
    points_ms: pointsMs,
    points_json_mb: round(json.length / 1e6, 2),
    points_stringify_ms: jsonMs,
    area_page_city_ms: pageCity,
    area_city_photos: cityTotal,
    area_page_continent_ms: pageContinent,
    area_timeline_city_ms: timelineCity,
    cluster_build_ms: buildMs,
    markers_world_ms: worldMs,
    markers_world: worldMarkers,
    markers_city_ms: cityMs,
  };
  printTable([['measure', 'value'], ...Object.entries(figures).map(([k, v]) => [k, String(v)])]);
  console.log(JSON.stringify(figures));
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
