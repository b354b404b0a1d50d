/**
 * @file Calls the typed API through a test's services, as the renderer would (`services.router`), and
 * reads a file's photo id: the two lines every library integration test starts with.
 */
import type { Services } from '../../../main/services';

/** `call(method, args)` through the router of `services()`; a refusal throws with its error. */
export function routerCaller(services: () => Services) {
  return async <T>(method: string, args: unknown): Promise<T> => {
    const r = await services().router.call(method, args);
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result as T;
  };
}

/** The photo id of the file at `relPath` (relative to its folder), from the index. */
export const photoIdOfFile = (services: Services, relPath: string): number =>
  services.db.prepare('SELECT photo_id FROM files WHERE rel_path = ?').pluck().get(relPath) as number;
