/**
 * @file Which file the model reads for a photo: the original for still images, else the library's
 * preview. Shared by Describe, the understanding step and (later) chat, so every model sees the same
 * pixels for the same photo.
 *
 * Runs in main. Reads the library's read side only; never touches the file.
 */
import { ApiError } from '../../preload/api-error';
import type { LibraryService } from './types';

/**
 * The absolute path of the file the model should read for `photoId`; a typed ApiError when there is none.
 * A RAW's preview is made here if nothing has asked for it yet ([Note: Previews on demand] in steps.ts).
 */
export async function modelInputFor(library: Pick<LibraryService, 'getPhoto' | 'ensurePreview'>, photoId: number): Promise<string> {
  const photo = library.getPhoto(photoId);
  if (!photo) throw new ApiError('not-found', `No photo with id ${photoId}`);
  if (photo.status === 'error') throw new ApiError('bad-argument', `This photo cannot be read: ${photo.error ?? 'unknown error'}`);
  const file = photo.files.find((f) => f.status === 'ok');
  if (photo.kind === 'image' && file) return file.absPath;
  if (!photo.preview && !file) throw new ApiError('not-found', 'The file of this photo is missing (moved or deleted?).');
  if (!photo.preview) throw new ApiError('unavailable', `There is no still image of this ${photo.kind} to read.`);
  const preview = await library.ensurePreview(photo.preview);
  if (preview.ok) return preview.file;
  throw new ApiError(preview.status === 404 ? 'not-found' : 'unavailable', `No preview of this photo can be made: ${preview.reason}`);
}
