/**
 * @file What the Models page says of each installed variant: its accuracy against fp32 as measured on
 * the bundle at build time ([Note: Variant accuracy check] in main/models/build/variant-check.ts), and
 * whether it meets the bar to be offered by default. Runs in the renderer; pure.
 */
import type { ModelDto } from '../../../../preload/contract';

/** One variant's line. */
export interface VariantNote {
  variant: string;
  /** e.g. 'reference', 'cosine 0.995 to fp32', 'cosine 0.914 to fp32, below 0.95: not used by default'. */
  text: string;
  /** False when it fails the bar. */
  ok: boolean;
}

/** A line per installed variant, in the bundle's order; empty when nothing was measured. */
export function variantNotes(m: Pick<ModelDto, 'variants' | 'accuracy'>): VariantNote[] {
  const acc = m.accuracy;
  if (!acc) return [];
  return m.variants.map((variant) => {
    if (variant === 'fp32') return { variant, text: 'the reference', ok: true };
    const c = acc.cosine[variant];
    if (c === undefined) return { variant, text: 'not measured', ok: true };
    const ok = c >= acc.bar;
    const figure = `first-token agreement with fp32 ${c.toFixed(3)} (cosine)`;
    return { variant, text: ok ? figure : `${figure}, below ${acc.bar}: not offered by default`, ok };
  });
}
