/**
 * @file Migration 4: previews are made on demand, no longer by a pipeline step ([Note: Previews on
 * demand] in main/library/steps.ts). The retired 'preview' step's jobs go: pending ones would never run
 * and would show as work left in the progress panel forever. Previews already made stay in the cache and
 * in `photos.preview`, and are served as before.
 */
export const sql = /* sql */ `
DELETE FROM jobs WHERE step = 'preview';
`;
