/**
 * @file How the model manager's failures map onto the contract's error codes: what the renderer and
 * CLI can branch on ('not-found' for a model the server lacks, 'conflict' for "already installed",
 * 'bad-argument' for a folder that is not a bundle, 'unauthorized' for a repository that needs an
 * access token, 'unavailable' for network, disk and server trouble).
 *
 * Runs in main.
 */
import { ApiError } from '../../preload/api-error';
import { DownloadError } from './http-client';
import { ImportError } from './import';

/** Maps a download failure onto the contract's error codes. */
export function downloadErrorToApi(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DownloadError) {
    const code =
      err.code === 'not-found'
        ? 'not-found'
        : err.code === 'exists' || err.code === 'busy'
          ? 'conflict'
          : err.code === 'unauthorized'
            ? 'unauthorized'
            : 'unavailable';
    return new ApiError(code, err.message);
  }
  return new ApiError('internal', `download failed: ${(err as Error).message}`);
}

/** Maps an import failure onto the contract's error codes. */
export function importErrorToApi(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ImportError) {
    const code = err.code === 'exists' ? 'conflict' : err.code === 'disk-full' || err.code === 'cancelled' ? 'unavailable' : 'bad-argument';
    return new ApiError(code, err.message);
  }
  return new ApiError('internal', `import failed: ${(err as Error).message}`);
}
