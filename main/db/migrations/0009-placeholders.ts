/**
 * @file Migration 9: placeholders. `photos.placeholder` holds a ThumbHash (https://evanw.github.io/thumbhash/,
 * ~20–25 bytes) of the photo's thumbnail: the grid paints it, blurred, while the thumbnail loads. See
 * [Note: Placeholders] in main/library/placeholders.ts.
 *
 * Nothing is filled here: a library's existing photos get theirs from the thumbnail step, whose version
 * went up with this change (main/library/steps.ts) so its jobs run once more; for a photo whose current
 * thumbnail is in the cache that run reads the 256 px thumbnail instead of the original (~1–2 ms a photo,
 * a few minutes for 100k in the background), and the grid shows flat cells only until then.
 */
export const sql = /* sql */ `
ALTER TABLE photos ADD COLUMN placeholder BLOB CHECK (placeholder IS NULL OR length(placeholder) BETWEEN 5 AND 64);
`;
