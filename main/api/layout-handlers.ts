/**
 * @file The grid-layout request (preload/contract/layout.ts): the justified grid's days and aspect ratios.
 * Runs in main.
 */
import type { Handlers } from '../../preload/contract';
import type { layoutRequestSchemas } from '../../preload/contract/layout';
import type { LibraryService } from '../library/types';

type LayoutHandlers = Pick<Handlers, keyof typeof layoutRequestSchemas>;

export function createLayoutHandlers({ library }: { library: Pick<LibraryService, 'layout'> }): LayoutHandlers {
  return {
    'photos:layout': ({ folderId, bbox, view }) => library.layout(folderId, bbox, view),
  };
}
