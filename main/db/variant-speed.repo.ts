/**
 * @file SQL for the speed each model variant has shown on this library: the per-photo times the
 * understanding step recorded (`photo_understanding.ms`, migration 0003: one photo's share of its
 * batch's wall time), most recent first.
 *
 * Runs in main (and the CLI / headless host). What the Models page makes of them is policy
 * (main/models/variant-costs.ts); this file only reads rows.
 */
import type { Db } from './open';

/** How many recent photos a variant's speed is taken from. */
export const RECENT_PHOTOS = 200;

export interface VariantSpeedRepo {
  /** Milliseconds per photo of the most recent photos `modelId`'s `variant` understood (errors left out). */
  recentMs: (modelId: string, variant: string) => number[];
}

export function createVariantSpeedRepo(db: Db): VariantSpeedRepo {
  const stmt = db
    .prepare<[string, string, number], number>(
      `SELECT ms FROM photo_understanding
        WHERE model_id = ? AND variant = ? AND state <> 'error' AND ms IS NOT NULL AND ms > 0
        ORDER BY made_at DESC LIMIT ?`,
    )
    .pluck();
  return { recentMs: (modelId, variant) => stmt.all(modelId, variant, RECENT_PHOTOS) };
}
