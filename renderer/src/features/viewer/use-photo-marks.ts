/**
 * @file What the viewer lets the user mark on the photo shown: favourite, rating and display rotation,
 * stored by the library (photos:setFavourite, photos:setRating, photos:rotate in
 * preload/contract/collections.ts), never written to the file. Runs in the renderer.
 *
 * Each change shows at once; when the library refuses it the old value comes back and the reason is
 * shown. After a favourite or rating change the photo is read again, so what is shown is what the library
 * holds (clearing a rating may bring back the one read from the file).
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { PhotoDetail, PhotoSummary, Rotation } from '../../../../preload/contract';
import { errorMessage, type ShoeboxClient } from '../../api';

export interface PhotoMarks {
  favourite: boolean;
  rating: number;
  ratingSource: 'user' | 'file' | 'none';
  rotation: Rotation;
  setFavourite: (favourite: boolean) => void;
  setRating: (rating: number) => void;
  rotate: (quarterTurns: 1 | -1) => void;
}

interface Overrides {
  favourite?: boolean;
  rating?: number;
  rotation?: Rotation;
}

const turn = (r: Rotation, by: number): Rotation => ((((r + by) % 4) + 4) % 4) as Rotation;

/**
 * Marks of the photo `detail` (or, until it loads, `summary`). `reload` reads the photo again;
 * `onError` shows why a change was refused.
 */
export function usePhotoMarks(
  client: ShoeboxClient,
  summary: PhotoSummary | undefined,
  detail: PhotoDetail | null,
  reload: () => Promise<unknown>,
  onError: (message: string) => void,
): PhotoMarks {
  const [overrides, setOverrides] = useState<Overrides>({});
  const favourite = overrides.favourite ?? detail?.favourite ?? summary?.favourite ?? false;
  const rating = overrides.rating ?? detail?.rating ?? summary?.rating ?? 0;
  const rotation = overrides.rotation ?? detail?.rotation ?? summary?.rotation ?? 0;
  const ratingSource = overrides.rating !== undefined ? 'user' : (detail?.ratingSource ?? 'none');
  const current = useRef({ favourite, rating, rotation });
  useLayoutEffect(() => {
    current.current = { favourite, rating, rotation };
  });
  const id = detail?.id ?? summary?.id;

  /** Shows `patch` now, runs `request`, then takes the library's word (or puts the old values back). */
  const change = useCallback(
    (patch: Overrides, request: () => Promise<Overrides | void>) => {
      const before: Overrides = {};
      for (const k of Object.keys(patch) as (keyof Overrides)[]) {
        (before as Record<string, unknown>)[k] = current.current[k];
      }
      setOverrides((o) => ({ ...o, ...patch }));
      request()
        .then(async (settled) => {
          if (settled) setOverrides((o) => ({ ...o, ...settled }));
          else {
            await reload();
            // The photo as read again says it all now.
            setOverrides((o) => {
              const rest = { ...o };
              for (const k of Object.keys(patch) as (keyof Overrides)[]) delete rest[k];
              return rest;
            });
          }
        })
        .catch((err: unknown) => {
          setOverrides((o) => ({ ...o, ...before }));
          onError(errorMessage(err));
        });
    },
    [reload, onError],
  );

  const setFavourite = useCallback(
    (value: boolean) => {
      if (id === undefined) return;
      change({ favourite: value }, async () => {
        await client.call('photos:setFavourite', { selection: { ids: [id] }, favourite: value });
      });
    },
    [client, id, change],
  );
  const setRating = useCallback(
    (value: number) => {
      if (id === undefined) return;
      change({ rating: value }, async () => {
        await client.call('photos:setRating', { selection: { ids: [id] }, rating: value });
      });
    },
    [client, id, change],
  );
  const rotate = useCallback(
    (quarterTurns: 1 | -1) => {
      if (id === undefined) return;
      change({ rotation: turn(current.current.rotation, quarterTurns) }, async () => {
        const r = await client.call('photos:rotate', { id, quarterTurns });
        return { rotation: r.rotation };
      });
    },
    [client, id, change],
  );
  return { favourite, rating, ratingSource, rotation, setFavourite, setRating, rotate };
}
