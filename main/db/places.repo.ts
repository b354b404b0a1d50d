/**
 * @file SQL for places (migration 0006): the place of each geocoded photo, the places themselves, and
 * which places the library has photos in (the query parser's tie-breaker).
 *
 * Runs in main (and the CLI and tests). Which place a coordinate is in is main/places/'s business.
 */
import { AWAY_IDS } from './collections-views.repo';
import type { Db } from './open';

/** A place as stored: a city with its region and country ([Note: Places in the search index]). */
export interface PlaceRow {
  id: number;
  country_code: string;
  region_code: string | null;
  city: string;
  region: string | null;
  country: string;
  other_names: string;
}

/** A place a filter can name: a city (its GeoNames id), a region ('PT.14') or a country ('PT'). */
export type PlaceKey = { level: 'city'; id: number } | { level: 'region'; code: string } | { level: 'country'; code: string };

export interface PlacesRepo {
  /**
   * Records the places of a batch of photos in one transaction: a photo with a place gets it (the place
   * row is added or its names updated), a photo with null loses any it had. Idempotent.
   */
  setPlaces(entries: readonly { photoId: number; place: PlaceRow | null }[], now: number): void;
  /** A photo's place, or null. */
  forPhoto(photoId: number): PlaceRow | null;
  /**
   * How many photos the library shows in the place: hidden ones and those in the Trash are not counted,
   * so a place name never resolves to where only they were taken (search would find none of them).
   */
  count(key: PlaceKey): number;
}

/** Builds the repository over an open, migrated database. */
export function createPlacesRepo(db: Db): PlacesRepo {
  // The names are rewritten only when they differ, so an unchanged place rebuilds no search rows.
  const upsertPlace = db.prepare<PlaceRow>(
    `INSERT INTO places (id, country_code, region_code, city, region, country, other_names)
     VALUES (@id, @country_code, @region_code, @city, @region, @country, @other_names)
     ON CONFLICT (id) DO UPDATE SET country_code = excluded.country_code, region_code = excluded.region_code,
       city = excluded.city, region = excluded.region, country = excluded.country, other_names = excluded.other_names
     WHERE places.country_code IS NOT excluded.country_code OR places.region_code IS NOT excluded.region_code
       OR places.city IS NOT excluded.city OR places.region IS NOT excluded.region
       OR places.country IS NOT excluded.country OR places.other_names IS NOT excluded.other_names`,
  );
  const upsertPhoto = db.prepare<{ photoId: number; placeId: number; country: string; region: string | null; now: number }>(
    // A photo removed while its batch ran is skipped, not a foreign-key failure of the whole batch.
    `INSERT INTO photo_places (photo_id, place_id, country_code, region_code, made_at)
     SELECT @photoId, @placeId, @country, @region, @now WHERE EXISTS (SELECT 1 FROM photos WHERE id = @photoId)
     ON CONFLICT (photo_id) DO UPDATE SET place_id = excluded.place_id, country_code = excluded.country_code,
       region_code = excluded.region_code, made_at = excluded.made_at
     WHERE photo_places.place_id IS NOT excluded.place_id OR photo_places.region_code IS NOT excluded.region_code
       OR photo_places.country_code IS NOT excluded.country_code`,
  );
  const deletePhoto = db.prepare<[number]>('DELETE FROM photo_places WHERE photo_id = ?');
  const forPhotoStmt = db.prepare<[number], PlaceRow>(
    'SELECT pl.* FROM photo_places pp JOIN places pl ON pl.id = pp.place_id WHERE pp.photo_id = ?',
  );
  // The place's photos less its away ones (as the grid counts): the place's count stays one index range,
  // and the away set is a few marked photos, each one probe of photo_places.
  const shownIn = (where: string) =>
    `SELECT (SELECT count(*) FROM photo_places WHERE ${where}) - (SELECT count(*) FROM photo_places WHERE ${where} AND photo_id IN (${AWAY_IDS}))`;
  const countCity = db.prepare<[{ id: number }], number>(shownIn('place_id = @id')).pluck();
  const countRegion = db
    .prepare<[{ country: string; region: string }], number>(shownIn('country_code = @country AND region_code = @region'))
    .pluck();
  const countCountry = db.prepare<[{ country: string }], number>(shownIn('country_code = @country')).pluck();

  const setTx = db.transaction((entries: readonly { photoId: number; place: PlaceRow | null }[], now: number) => {
    for (const { photoId, place } of entries) {
      if (!place) {
        deletePhoto.run(photoId);
        continue;
      }
      upsertPlace.run(place);
      upsertPhoto.run({ photoId, placeId: place.id, country: place.country_code, region: place.region_code, now });
    }
  });

  return {
    setPlaces: (entries, now) => setTx.immediate(entries, now),
    forPhoto: (photoId) => forPhotoStmt.get(photoId) ?? null,
    count(key) {
      switch (key.level) {
        case 'city':
          return countCity.get({ id: key.id }) ?? 0;
        case 'region':
          return countRegion.get({ country: key.code.slice(0, 2), region: key.code }) ?? 0;
        case 'country':
          return countCountry.get({ country: key.code }) ?? 0;
      }
    },
  };
}
