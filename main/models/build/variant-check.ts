/**
 * @file The accuracy check of a freshly built bundle's variants: each variant's first-token logits
 * compared with fp32's (cosine) on a fixed image and question, measured by an inference worker of its
 * own, recorded beside the bundle, and read back for the Models page.
 *
 * Runs in main (and the CLI / headless host), inside the checkpoint build (checkpoint-build.ts); the
 * measuring itself runs in a worker process (native/pipelines/variant-accuracy.ts), since main never
 * loads onnxruntime.
 *
 * [Note: Variant accuracy check] After a build, each variant is measured on the bundle itself on this
 * machine: the cosine of its first-step logits to fp32's after prefilling "Hi" about one 448×448 tile
 * of a fixed synthetic image (a gradient with a pattern, written by sharp in the models folder and
 * removed after). A variant below {@link ACCURACY_BAR} fails: it stays on disk but is not offered by
 * default (the Models page says so). The bar, 0.95, sits between what was measured: int8 0.995 on the
 * tiny random bundle and on full-size InternVL3-1B with VNNI (0.968 for the tiny bundle on AVX2-only,
 * environment.md), q4 0.914 on the tiny random bundle. The result is kept in the bundle folder as
 * `.shoebox-variant-check.json` (a name no manifest may list); a failed measurement is logged and
 * leaves the install as it is, with no figures.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { RESERVED_NAMES } from '../../../native/bundle/manifest';
import type { Log } from '../../log';
import { createWorkerClient } from '../../inference/worker-client';
import { BUILDS_DIR } from './build-bundle';

/** Least first-logits cosine to fp32 a variant needs to be offered by default. */
export const ACCURACY_BAR = 0.95;

/** What the check recorded for one bundle. */
export interface VariantCheck {
  prompt: string;
  bar: number;
  /** Cosine to fp32 per variant (fp32: 1). */
  cosine: Record<string, number>;
  measuredAt: string;
}

/** Measures `variants` of the bundle in `dir` on `image`; the default runs a worker of its own. */
export type MeasureVariants = (
  o: { dir: string; variants: string[]; image: string },
  signal?: AbortSignal,
) => Promise<{ cosine: Record<string, number>; prompt: string }>;

/** A measurer that forks an inference worker for the one request and closes it after. */
export function workerMeasure(env: NodeJS.ProcessEnv, log: Log): MeasureVariants {
  return async (o, signal) => {
    const client = createWorkerClient({ env, maxRestarts: 0, log: (m) => log.debug(m) });
    // A cancel (or the app closing) ends the worker rather than waiting for minutes of measuring.
    const stop = () => void client.close();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      return await client.request('variantAccuracy', o, { timeoutMs: 15 * 60_000 });
    } finally {
      signal?.removeEventListener('abort', stop);
      await client.close();
    }
  };
}

/** The fixed probe image: 448×448 RGB, a colour gradient crossed by stripes (deterministic). */
async function writeProbe(file: string): Promise<void> {
  const size = 448;
  const px = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const stripe = ((x + y) >> 5) % 2 === 0 ? 40 : 0;
      px[i] = Math.min(255, ((x * 255) / size + stripe) | 0);
      px[i + 1] = Math.min(255, ((y * 255) / size + stripe) | 0);
      px[i + 2] = ((x ^ y) & 0xff) >> 1;
    }
  }
  await sharp(px, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(file);
}

/**
 * Measures every variant of the installed bundle `dir` and records the result beside it; returns it,
 * or null (logged) when the measurement could not be made. Never throws for a failed measurement.
 */
export async function checkVariants(o: {
  id: string;
  dir: string;
  variants: readonly string[];
  modelsDir: string;
  measure: MeasureVariants;
  log: Log;
  signal?: AbortSignal;
}): Promise<VariantCheck | null> {
  const probe = path.join(o.modelsDir, BUILDS_DIR, `${o.id}.probe.png`);
  try {
    await mkdir(path.dirname(probe), { recursive: true });
    await writeProbe(probe);
    const r = await o.measure({ dir: o.dir, variants: [...o.variants], image: probe }, o.signal);
    const check: VariantCheck = { prompt: r.prompt, bar: ACCURACY_BAR, cosine: r.cosine, measuredAt: new Date().toISOString() };
    const file = path.join(o.dir, RESERVED_NAMES.variantCheck);
    await writeFile(`${file}.tmp`, JSON.stringify(check, null, 2) + '\n');
    await rename(`${file}.tmp`, file);
    o.log.info(`accuracy of ${o.id}'s variants against fp32`, { cosine: r.cosine, bar: ACCURACY_BAR });
    return check;
  } catch (err) {
    o.log.warn(`could not measure the accuracy of ${o.id}'s variants: ${(err as Error).message}`);
    return null;
  } finally {
    await rm(probe, { force: true });
  }
}

/** The recorded check of the bundle in `dir`, or null when there is none (imported, or not measured). */
export function readVariantCheck(dir: string): VariantCheck | null {
  try {
    const v = JSON.parse(readFileSync(path.join(dir, RESERVED_NAMES.variantCheck), 'utf8')) as Partial<VariantCheck>;
    if (typeof v.bar !== 'number' || typeof v.cosine !== 'object' || v.cosine === null) return null;
    const cosine = Object.fromEntries(Object.entries(v.cosine).filter((e): e is [string, number] => typeof e[1] === 'number'));
    return { prompt: String(v.prompt ?? ''), bar: v.bar, cosine, measuredAt: String(v.measuredAt ?? '') };
  } catch {
    return null;
  }
}
