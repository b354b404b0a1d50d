/**
 * @file Placeholders: a ThumbHash (the `thumbhash` package, https://github.com/evanw/thumbhash) of a
 * photo's thumbnail, made by the thumbnail step and stored in `photos.placeholder`. Runs in main: the
 * decode and the shrink to ≤ 100 px run on libvips' threads, the hash (~0.3 ms on 100×100) in JS.
 *
 * [Note: Placeholders] A cell of the grid paints the photo's placeholder at once (the colours and rough
 * layout of the photo, blurred; ~25 bytes in `PhotoSummary.placeholder`, base64) and the thumbnail over
 * it when it has loaded, so a fast fling shows the photos' colours instead of grey squares (issue 14).
 * The hash is made from the 256 px JPEG the thumbnail step just encoded, not from the original: a second
 * decode of the original would cost far more than decoding 30 KB again. A library indexed before
 * placeholders existed gets them when the thumbnail step runs once more (its version went up): that run
 * finds the current thumbnail in the cache and hashes it without touching the original
 * (`placeholderFromCache` in steps.ts). The renderer decodes a hash into a small PNG data URL once and
 * caches it (renderer/src/features/library/placeholder.ts).
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';

/** ThumbHash takes images up to 100 px a side. */
const MAX_SIDE = 100;

/** The ThumbHash of an encoded image (a thumbnail JPEG). Throws on an image sharp cannot decode. */
export async function placeholderOf(image: Buffer): Promise<Uint8Array> {
  const { data, info } = await sharp(image)
    .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return rgbaToThumbHash(info.width, info.height, data);
}

/** The ThumbHash of an image file, or null when it cannot be read or decoded (a thumbnail gone from the cache). */
export async function placeholderOfFile(file: string): Promise<Uint8Array | null> {
  const data = await readFile(file).catch(() => null);
  return data && (await placeholderOf(data).catch(() => null));
}
