/**
 * @file The collections requests (favourites, ratings, hidden, rotation, albums, trash: see
 * preload/contract/collections.ts) on top of the collections and trash services. Thin: arguments were
 * validated by the router, policy lives in main/library/collections.ts and main/library/trash.ts.
 */
import type { Handlers } from '../../preload/contract';
import type { collectionsRequestSchemas } from '../../preload/contract/collections';
import type { Collections } from '../library/collections';
import type { Trash } from '../library/trash';

type CollectionsHandlers = Pick<Handlers, keyof typeof collectionsRequestSchemas>;

export interface CollectionsHandlerDeps {
  collections: Collections;
  trash: Trash;
}

export function createCollectionsHandlers(deps: CollectionsHandlerDeps): CollectionsHandlers {
  // Read when a request comes, not now: the contract test builds the handler map without services.
  const c = () => deps.collections;
  const t = () => deps.trash;
  return {
    'photos:setFavourite': ({ selection, favourite }) => c().setFavourite(selection, favourite),
    'photos:setRating': ({ selection, rating }) => c().setRating(selection, rating),
    'photos:setHidden': ({ selection, hidden }) => c().setHidden(selection, hidden),
    'photos:rotate': ({ id, quarterTurns }) => c().rotate(id, quarterTurns),
    'collections:undo': ({ undoToken }) => c().undo(undoToken),
    'albums:list': () => c().listAlbums(),
    'albums:create': ({ name, selection }) => c().createAlbum(name, selection),
    'albums:rename': ({ albumId, name }) => c().renameAlbum(albumId, name),
    'albums:delete': ({ albumId }) => ({ deleted: c().deleteAlbum(albumId) }),
    'albums:add': ({ albumId, selection }) => c().addToAlbum(albumId, selection),
    'albums:remove': ({ albumId, selection }) => c().removeFromAlbum(albumId, selection),
    'trash:plan': ({ selection }) => t().plan(selection),
    'trash:move': ({ selection }) => t().move(selection),
    'trash:undo': ({ undoToken }) => t().undo(undoToken),
    'trash:restore': ({ selection }) => t().restore(selection),
  };
}
