/**
 * @file The device understanding check's program (bundled by prep_understand.sh into
 * `.gpu/u/understand.mjs`, run by understand.sh): photos/s of the whole understanding step (caption
 * of 30 tokens + the default taxonomy's calibrated tags) at batch 1 and batched, with the KV cache
 * on the device and on the host ([Note: KV cache on the device]). Prints one JSON line.
 *
 * `node understand.mjs weights BUNDLE` fills the bundle's external data from a seed (layout.json, as
 * bench.mjs does: the weights never travel). `node understand.mjs run BUNDLE VARIANT PROVIDER PHOTOS_DIR
 * N BATCH` runs one child per KV placement (`SHOEBOX_KV_ON_DEVICE=1|0`, so each has its own device
 * memory) and prints the summary; `child …` is one such child.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LABELS, DEFAULT_TEXT_LABELS } from '../../../main/understanding/default-taxonomy';
import { contentFreeOffsets, understand, type UnderstandParams } from '../../../native/pipelines/understand';
import { InternVLModel } from '../../../native/runtime/internvl-model';

const CAPTION_TOKENS = 30;
const MARK = 'UNDERSTAND_CHILD ';

/** Seeded weights: the LCG and ±0.02 range of bench.mjs, float32 (1) or float16 (10) tensors. */
function writeWeights(bundle: string): number {
  const layout = JSON.parse(readFileSync(path.join(bundle, 'layout.json'), 'utf8')) as Record<
    string,
    { data: string; tensors: [number, number, number][] }
  >;
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 0.04 - 0.02;
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const toHalf = (v: number): number => {
    f32[0] = v;
    const x = u32[0]!;
    const s = (x >>> 16) & 0x8000;
    const e = ((x >>> 23) & 0xff) - 127 + 15;
    if (e <= 0) return s;
    if (e >= 31) return s | 0x7c00;
    return s | (e << 10) | ((x & 0x7fffff) >>> 13);
  };
  let bytes = 0;
  for (const L of Object.values(layout)) {
    if (L.tensors.length === 0) continue;
    const fd = openSync(path.join(bundle, 'onnx', L.data), 'w');
    for (const [off, len, dt] of L.tensors) {
      for (let done = 0; done < len;) {
        const n = Math.min(1 << 24, len - done);
        const buf = Buffer.alloc(n);
        if (dt === 1) {
          const a = new Float32Array(buf.buffer, buf.byteOffset, n / 4);
          for (let i = 0; i < a.length; i++) a[i] = rnd();
        } else if (dt === 10) {
          const a = new Uint16Array(buf.buffer, buf.byteOffset, n / 2);
          for (let i = 0; i < a.length; i++) a[i] = toHalf(rnd());
        } else throw new Error(`cannot seed tensors of ONNX type ${dt}`);
        writeSync(fd, buf, 0, n, off + done);
        done += n;
      }
      bytes += len;
    }
    closeSync(fd);
  }
  return bytes;
}

const round = (x: number, d = 3): number => Number(x.toFixed(d));

async function child(bundle: string, variant: string, provider: string, photos: string[], batch: number): Promise<void> {
  const t0 = performance.now();
  const model = await InternVLModel.load(bundle, { variant, executionProviders: [provider] });
  const loadS = (performance.now() - t0) / 1000;
  const info = model.describe();
  const tags = { labels: [...DEFAULT_LABELS], textLabels: [...DEFAULT_TEXT_LABELS] };
  await understand(model, { images: [{ path: photos[0]! }], caption: { maxNewTokens: 2 }, tags: { labels: tags.labels.slice(0, 4) } });
  const offsets = await contentFreeOffsets(model, { labels: tags.labels });
  const params = (images: string[]): UnderstandParams => ({
    images: images.map((p) => ({ path: p })),
    // Random weights rarely say EOS: the minimum keeps every caption at 30 tokens.
    caption: { maxNewTokens: CAPTION_TOKENS, sampling: { minNewTokens: CAPTION_TOKENS } },
    tags: { ...tags, offsets },
    ocr: { mode: 'never' },
  });
  let failed = 0;
  const timed = async (size: number): Promise<{ s: number; phases: Record<string, number> }> => {
    const phases: Record<string, number> = {};
    const t = performance.now();
    for (let i = 0; i < photos.length; i += size) {
      const res = await understand(model, params(photos.slice(i, i + size)));
      failed += res.photos.filter((p) => !p.ok).length;
      for (const [k, v] of Object.entries(res.timings)) phases[k] = (phases[k] ?? 0) + v;
    }
    return { s: (performance.now() - t) / 1000, phases };
  };
  const one = await timed(1);
  const many = await timed(batch);
  const n = photos.length;
  const out = {
    kv_cache: model.describe().kvCache ?? null,
    kv_cache_at_load: info.kvCache ?? null,
    provider: info.providers.decoder_model_merged?.chosen ?? 'unknown',
    load_s: round(loadS, 1),
    photos_per_s_batch1: round(n / one.s),
    photos_per_s_batched: round(n / many.s),
    phases_ms_batch1: one.phases,
    phases_ms_batched: many.phases,
    failed,
  };
  await model.release();
  process.stdout.write(`${MARK}${JSON.stringify(out)}\n`);
}

function runChild(args: string[], kvOnDevice: boolean): unknown {
  const r = spawnSync(process.execPath, [process.argv[1]!, 'child', ...args], {
    env: { ...process.env, SHOEBOX_KV_ON_DEVICE: kvOnDevice ? '1' : '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: Number(process.env.UNDERSTAND_CHILD_TIMEOUT_S ?? 240) * 1000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined) {
    const why = r.error?.message ?? `exit ${r.status} ${r.signal ?? ''}`;
    return {
      error: `${why}: ${(r.stderr || r.stdout)
        .split('\n')
        .filter((l) => !/W:onnxruntime/.test(l))
        .slice(-6)
        .join(' | ')
        .slice(0, 800)}`,
    };
  }
  return JSON.parse(line.slice(MARK.length)) as unknown;
}

async function main(): Promise<void> {
  const [mode, bundle, variant, provider, photoDir, nArg, batchArg] = process.argv.slice(2);
  if (mode === 'weights' && bundle !== undefined) {
    const t = performance.now();
    const bytes = writeWeights(bundle);
    process.stdout.write(
      `${JSON.stringify({ weights_gb: round(bytes / 2 ** 30, 2), write_s: round((performance.now() - t) / 1000, 1) })}\n`,
    );
    return;
  }
  if (
    (mode !== 'run' && mode !== 'child') ||
    bundle === undefined ||
    variant === undefined ||
    provider === undefined ||
    photoDir === undefined
  ) {
    throw new Error('usage: understand.mjs weights BUNDLE | run BUNDLE VARIANT PROVIDER PHOTOS_DIR N BATCH');
  }
  const all = readdirSync(photoDir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort()
    .map((f) => path.join(photoDir, f));
  const n = Number(nArg ?? all.length);
  const batch = Number(batchArg ?? n);
  if (all.length === 0 || !(n >= 1) || !(batch >= 1)) throw new Error(`no photos in ${photoDir}, or a bad N/BATCH`);
  const photos = Array.from({ length: n }, (_, i) => all[i % all.length]!);
  if (mode === 'child') return child(bundle, variant, provider, photos, batch);
  const args = [bundle, variant, provider, photoDir, String(n), String(batch)];
  const on = runChild(args, true);
  const off = runChild(args, false);
  const rate = (x: unknown, k: string): number | null => (x as Record<string, number | undefined>)[k] ?? null;
  const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b > 0 ? round(a / b, 2) : null);
  process.stdout.write(
    `${JSON.stringify({
      check: 'understand',
      variant,
      provider,
      photos: n,
      batch,
      labels: DEFAULT_LABELS.length,
      caption_tokens: CAPTION_TOKENS,
      kv_on_device: on,
      kv_on_host: off,
      speedup_batch1: ratio(rate(on, 'photos_per_s_batch1'), rate(off, 'photos_per_s_batch1')),
      speedup_batched: ratio(rate(on, 'photos_per_s_batched'), rate(off, 'photos_per_s_batched')),
    })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
