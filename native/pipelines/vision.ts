/**
 * @file Images of one request → image features: preprocess every image, check the tile budget,
 * run the vision encoder over all tiles in prompt order.
 *
 * Runs in the inference worker; shared by caption, chat and classify.
 */
import type { ImageInput } from '../protocol';
import { concatPixelValues, prepareImageFile, type PreparedImage } from '../preprocess/image-input';
import { throwIfCancelled, type CancelToken, type InternVLModel } from '../runtime/internvl-model';

/** Features of a request's images. */
export interface EncodedImages {
  prepared: PreparedImage[];
  tilesPerImage: number[];
  /** [sum(tiles), 256, D] flattened, or null without images. */
  features: Float32Array | null;
  preprocessMs: number;
  visionMs: number;
}

/** Preprocesses images; the budget check runs before the (expensive) vision encoder. */
export async function encodeImages(
  model: InternVLModel,
  images: readonly ImageInput[],
  textTokensEstimate: number,
  cancel?: CancelToken,
): Promise<EncodedImages> {
  const t0 = performance.now();
  const prepared: PreparedImage[] = [];
  for (const img of images) {
    throwIfCancelled(cancel);
    prepared.push(await prepareImageFile(img.path, model.manifest.image, img.maxTiles ?? model.defaultMaxTiles()));
  }
  const tilesPerImage = prepared.map((p) => p.pixelValues.dims[0]);
  const tiles = tilesPerImage.reduce((a, b) => a + b, 0);
  model.checkBudget(tiles * model.manifest.image.num_image_token + textTokensEstimate, tiles);
  const t1 = performance.now();
  if (prepared.length === 0) return { prepared, tilesPerImage, features: null, preprocessMs: t1 - t0, visionMs: 0 };
  const px = concatPixelValues(prepared.map((p) => p.pixelValues));
  const features = await model.encodeImages(px, cancel);
  return { prepared, tilesPerImage, features, preprocessMs: t1 - t0, visionMs: performance.now() - t1 };
}
