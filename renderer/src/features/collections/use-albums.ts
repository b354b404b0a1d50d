/**
 * @file The album list (`albums:list`), kept current by the `albums:changed` event the host sends after
 * any album change, from this window or another. Runs in the renderer.
 */
import type { AlbumDto } from '../../../../preload/contract';
import { useEvent, useRequest, type RequestState } from '../../hooks';

export function useAlbums(): RequestState<AlbumDto[]> {
  const albums = useRequest('albums:list', {});
  useEvent('albums:changed', albums.set);
  return albums;
}
