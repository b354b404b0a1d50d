/**
 * @file The remote-backends requests (preload/contract/backends.ts) on top of main/remote/backends.service.ts.
 * Thin: arguments were validated by the router; an API key passes through to the secret store and is
 * never answered back (only `hasKey`).
 */
import { ApiError } from '../../preload/api-error';
import type { Handlers } from '../../preload/contract';
import type { backendsRequestSchemas } from '../../preload/contract/backends';
import type { BackendsService } from '../remote/backends.service';

type BackendsHandlers = Pick<Handlers, keyof typeof backendsRequestSchemas>;

/** `backends` is read when a request comes (absent where no services run: the contract test). */
export function createBackendsHandlers(deps: { backends?: BackendsService | undefined }): BackendsHandlers {
  const b = () => {
    if (!deps.backends) throw new ApiError('unavailable', 'remote backends are not available here');
    return deps.backends;
  };
  return {
    'backends:list': () => b().list(),
    'backends:add': ({ url, model, apiKey }) => b().add({ url, model, apiKey: apiKey ?? null }),
    'backends:remove': ({ which }) => b().remove(which),
    'backends:check': () => b().check(),
  };
}
