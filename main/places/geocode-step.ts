/**
 * @file The geocode pipeline step: gives each photo with a GPS fix its city, region and country from the
 * bundled gazetteer (./gazetteer.ts), in batches, right after its metadata is read, so that "Lisbon" or
 * "Portugal" finds it minutes after indexing, long before understanding. Registered by
 * main/library/library.ts; see [Note: Pluggable steps] in main/library/jobs.ts.
 *
 * Runs in main: a lookup is microseconds, a batch is one transaction; the gazetteer is decoded once, on
 * the first batch.
 *
 * [Note: Geocoding as a step] A step of its own, not part of the metadata step: it needs no file (the fix
 * is in the photos row), so registering it queues a job for every photo already indexed (the runner's
 * backfill), and its version names the gazetteer's data, so a newer table re-geocodes every photo
 * without reading a single file again. It waits for the photo's metadata job (`after`), runs in a slot
 * of its own beside thumbnails, and writes a whole batch in one transaction: a kill -9 leaves every
 * photo of the batch either geocoded or pending, and running it again writes the same rows. A photo
 * without a fix, or with a bad one (NaN, out of range, 0,0), simply has no place: done, no error. A
 * change of a photo's fix drops its place and queues its job again (trigger in migration 0006).
 */
import type { PlaceRow, PlacesRepo } from '../db/places.repo';
import type { PipelineStep, StepContext } from '../library/pipeline-step';
import { gazetteer as defaultGazetteer, type Gazetteer, type Place } from './gazetteer';
import { PLACES_VERSION } from './places-data.generated';

export const GEOCODE_STEP = 'geocode';
/** Bump to geocode every photo again (a new rule); a new gazetteer table re-geocodes on its own. */
const GEOCODE_LOGIC_VERSION = 1;
/** Photos per batch: a few milliseconds of lookups and one transaction of index rebuilds. */
const BATCH = 200;

export interface GeocodeDeps {
  places: PlacesRepo;
  /** The gazetteer (the bundled one by default). */
  gazetteer?: () => Gazetteer;
  /** Called after a batch with the number of photos whose place was written. */
  onChanged?: (count: number) => void;
}

/** The stored form of a gazetteer place. */
export function placeRow(p: Place): PlaceRow {
  const other = [...p.cityOther, ...(p.countryLocal !== p.country ? [p.countryLocal] : [])];
  return {
    id: p.cityId,
    country_code: p.countryCode,
    region_code: p.regionCode,
    city: p.city,
    region: p.region,
    country: p.country,
    other_names: other.join(' ; '),
  };
}

/** Builds the step. */
export function createGeocodeStep(deps: GeocodeDeps): PipelineStep {
  const load = deps.gazetteer ?? defaultGazetteer;
  const geocode = (ctxs: readonly StepContext[]) => {
    const g = load();
    const entries = ctxs.map(({ photo }) => {
      const p = g.reverse(photo.gps_lat ?? Number.NaN, photo.gps_lon ?? Number.NaN);
      return { photoId: photo.id, place: p ? placeRow(p) : null };
    });
    deps.places.setPlaces(entries, Date.now());
    const placed = entries.filter((e) => e.place !== null).length;
    if (placed > 0) deps.onChanged?.(placed);
  };
  return {
    name: GEOCODE_STEP,
    version: `${GEOCODE_STEP}:${GEOCODE_LOGIC_VERSION}:${PLACES_VERSION}`,
    rank: 20,
    kinds: ['image', 'raw', 'video'],
    needsFile: false,
    after: ['metadata'],
    ownSlots: true,
    concurrency: 1,
    maxBatch: () => BATCH,
    async runBatch(ctxs) {
      geocode(ctxs);
      return ctxs.map(() => null);
    },
    async run(ctx) {
      geocode([ctx]);
    },
  };
}
