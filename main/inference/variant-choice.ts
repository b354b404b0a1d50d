/**
 * @file Which variant of a bundle (fp32, fp16, int8, q4) main asks the worker to load: the
 * `understanding.variant` setting, the bundle's variants and recorded accuracy, and where the worker
 * is expected to run. A pure function, so the table is tested on its own (test/unit/variant-choice.test.ts).
 *
 * Runs in main (the inference service); the worker loads whatever variant it is told.
 *
 * [Note: Which variant runs] The variant is part of what made a result (results record model id and
 * variant, and the understanding step's version is `understand:1:<id>:<variant>`), so it is decided in
 * main, before any request, from facts that do not change while the app runs:
 * - A variant the user chose (`understanding.variant`) runs when the bundle has it; else 'auto' decides.
 * - 'auto' on a random-weight (demo) bundle is fp32: its output is meaningless anyway, and tests
 *   compare it with goldens made with fp32.
 * - 'auto' where the worker is expected to run on CUDA or DirectML, with fp16 in the bundle: fp16.
 * - 'auto' on the CPU, with int8 in the bundle whose recorded accuracy passes the bar (or was never
 *   measured: a downloaded bundle's int8 was checked by whoever published it): int8, the CPU variant
 *   (README, "Which variant"). An int8 below the bar ([Note: Variant accuracy check])
 *   is "not offered by default", so 'auto' passes it over.
 * - Else fp32, or the bundle's first variant when it has no fp32.
 * The expected provider comes from `SHOEBOX_EP` (the preference list main hands the worker) when set,
 * else from the platform's first candidate (native/runtime/execution-providers.ts): DirectML on
 * Windows, CoreML on macOS ('other': fp32), the CPU on Linux, where CUDA needs a separate install that
 * main cannot see (main never loads onnxruntime): with it, set SHOEBOX_EP=cuda or choose fp16. The
 * provider the worker ends up with is deliberately not fed back: a choice that changed after the first
 * load would change the step's version and queue every photo again, at every start.
 */

import type { Settings } from '../../preload/contract';

/** The values of the `understanding.variant` setting (preload/contract/settings.ts). */
export type VariantSetting = Settings['understanding']['variant'];

/** Where the worker is expected to run: the CPU, a GPU provider that runs fp16 well, or another one. */
export type ProviderKind = 'cpu' | 'gpu' | 'other';

export interface VariantFacts {
  setting: VariantSetting;
  /** The bundle's variants, in manifest order. */
  variants: readonly string[];
  /** A random-weight (demo) bundle. */
  demo: boolean;
  /** The build's accuracy check (cosine to fp32 per variant, and the bar it applied), when one was recorded. */
  accuracy: { bar: number; cosine: Readonly<Record<string, number>> } | null;
  provider: ProviderKind;
}

/** The variant to load and why, in words for `shoebox doctor` and the logs. */
export interface VariantChoice {
  variant: string;
  why: string;
}

/** [Note: Which variant runs]. */
export function chooseVariant(f: VariantFacts): VariantChoice {
  const has = (v: string) => f.variants.includes(v);
  const auto = (): VariantChoice => {
    const fallback = has('fp32') ? 'fp32' : (f.variants[0] ?? 'fp32');
    if (f.demo) return { variant: fallback, why: 'a demo (random-weight) bundle runs its reference variant' };
    if (f.provider === 'gpu' && has('fp16')) return { variant: 'fp16', why: 'fp16 on a GPU provider' };
    if (f.provider === 'cpu' && has('int8')) {
      const cosine = f.accuracy?.cosine['int8'];
      const bar = f.accuracy?.bar;
      if (cosine === undefined || bar === undefined) return { variant: 'int8', why: 'int8 on the CPU' };
      if (cosine >= bar) return { variant: 'int8', why: `int8 on the CPU (accuracy ${cosine.toFixed(3)} ≥ ${bar})` };
      return { variant: fallback, why: `int8 is below the accuracy bar (${cosine.toFixed(3)} < ${bar})` };
    }
    return {
      variant: fallback,
      why:
        f.provider === 'cpu'
          ? 'the bundle has no int8'
          : `the bundle's reference variant on ${f.provider === 'gpu' ? 'a GPU without fp16' : 'this provider'}`,
    };
  };
  if (f.setting === 'auto') return auto();
  if (has(f.setting)) return { variant: f.setting, why: `chosen in settings (understanding.variant = ${f.setting})` };
  const a = auto();
  return { variant: a.variant, why: `the bundle has no ${f.setting} (understanding.variant): ${a.why}` };
}

/**
 * Where the worker is expected to run ([Note: Which variant runs]): `SHOEBOX_EP`'s first provider
 * when set, else the platform's first candidate.
 */
export function expectedProvider(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ProviderKind {
  const first = (env['SHOEBOX_EP'] ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  const kind = (name: string): ProviderKind => (name === 'cpu' ? 'cpu' : name === 'cuda' || name === 'dml' ? 'gpu' : 'other');
  if (first !== '') return kind(first);
  return platform === 'win32' ? 'gpu' : platform === 'darwin' ? 'other' : 'cpu';
}
