/**
 * @file What the Models page says each installed variant costs and gives on this machine: size on
 * disk, memory, seconds per photo — each figure either measured here or labelled as an estimate
 * ([Note: Variant costs are measured or say so] in main/models/variant-costs.ts). Runs in the
 * renderer; pure.
 */
import type { ModelDto, ModelOffer, ModelVariantCost } from '../../../../preload/contract';
import { bytesLabel } from '../../format';

/**
 * The memory a variant needs, in words: measured on this machine (after a photo, or only after its
 * load, which says less), with its peak and what a GPU leaves out; else the weights, labelled as an
 * estimate ([Note: Worker memory reports] in native/protocol.ts).
 */
export function memoryLabel(m: ModelVariantCost['memory']): string {
  if (!m.measured) return `at least ${bytesLabel(m.bytes)} (its weights; an estimate, not measured)`;
  const notes: string[] = [];
  if (m.basis === 'loaded') notes.push('loaded, before its first photo; describing needs more');
  if (m.peakBytes !== null && m.peakBytes > m.bytes * 1.05) notes.push(`${bytesLabel(m.peakBytes)} at its peak`);
  if (m.provider !== 'cpu') notes.push(`main memory only: what it holds on the ${m.provider} device is not counted`);
  return `${bytesLabel(m.bytes)} measured on this machine${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** One variant's row. */
export interface VariantCostRow {
  variant: string;
  size: string;
  memory: string;
  speed: string;
  /** 'measured' when the speed was measured here, 'estimate' when it is the recommendation's, 'none' otherwise. */
  speedSource: 'measured' | 'estimate' | 'none';
}

/**
 * A row per installed variant, in the bundle's order. `offer` is the first-run recommendation: its
 * speed estimate stands in for a variant it covers until that variant has run here.
 */
export function variantCostRows(
  m: Pick<ModelDto, 'id' | 'variantCosts'>,
  offer: Pick<ModelOffer, 'id' | 'variants' | 'secondsPerPhoto'> | null,
): VariantCostRow[] {
  return m.variantCosts.map((c) => {
    const row = {
      variant: c.variant,
      size: bytesLabel(c.bytes),
      memory: memoryLabel(c.memory),
    };
    const s = c.secondsPerPhoto;
    if (s !== null) {
      const photos = `${s.photos} photo${s.photos === 1 ? '' : 's'}`;
      return {
        ...row,
        speed: `${s.seconds.toFixed(1)} s per photo, measured here (median of the last ${photos})`,
        speedSource: 'measured',
      };
    }
    const estimate =
      offer !== null && offer.id === m.id && (offer.variants as readonly string[]).includes(c.variant) ? offer.secondsPerPhoto : null;
    return estimate === null
      ? { ...row, speed: 'not measured yet: it has not described a photo here', speedSource: 'none' }
      : { ...row, speed: `about ${estimate.toFixed(1)} s per photo (an estimate; not measured here yet)`, speedSource: 'estimate' };
  });
}
