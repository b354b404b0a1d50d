/**
 * @file Text-embedder speed on the full-size random granite-embedding-97m-multilingual-r2-shaped bundle
 * (fp32 and int8) with onnxruntime-node: one query, and a batch of 32 passages, through the engine's
 * `embed` pipeline; plus the int8 variant's cosine to fp32. Prints one JSON line per variant.
 *
 * Runs under tsx in plain Node: `node --import tsx test/bench/embed.ts [--bundle DIR] [--reps N]`. The
 * bundle comes from `/usr/bin/python3 native/export/export.py random-embedder --config
 * native/export/configs/granite-embedding-97m-r2.json --seed 0 --out models/granite-embedding-97m-r2-random
 * --variants fp32,int8` (15 s, git-ignored). Its byte tokenizer has few merges, so a text is several
 * times more tokens than with the real 180K vocabulary: token counts are printed, and `--tokens Q,P`
 * times synthetic rows of those lengths instead.
 */
import { existsSync } from 'node:fs';
import { embedTexts } from '../../native/pipelines/embed';
import { cpuFeatures, int8KernelFamily } from '../../native/runtime/cpu-features';
import { threadCounts } from '../../native/runtime/execution-providers';
import { TextEmbedderModel } from '../../native/runtime/text-embedder-model';
import { cosine } from '../ml/helpers/embed-goldens';
import { arg, round } from './bench-helpers';

const BUNDLE = arg('bundle') ?? 'models/granite-embedding-97m-r2-random';
const REPS = Number(arg('reps') ?? 5);
const QUERY = 'kids on the beach last summer';
const PASSAGES = Array.from(
  { length: 32 },
  (_, i) => `Photo ${i}: two children build a sandcastle on a sunny beach while waves roll in; tags: beach, kids, summer, sand, sea.`,
);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: first run allocates the arena
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

if (!existsSync(BUNDLE)) {
  console.error(`no bundle at ${BUNDLE}; make it with native/export/export.py random-embedder (see this file's header)`);
  process.exit(2);
}
const tokensArg = arg('tokens');
const vectors: Record<string, number[][]> = {};
for (const variant of ['fp32', 'int8']) {
  const model = await TextEmbedderModel.load(BUNDLE, { variant, executionProviders: ['cpu'] });
  const queryTokens = model.encode(QUERY, 'query').length;
  const passageTokens = model.encode(PASSAGES[0]!, 'passage').length;
  let queryMs: number;
  let passagesMs: number;
  if (tokensArg === undefined) {
    queryMs = await time(() => embedTexts(model, { texts: [QUERY], kind: 'query' }));
    passagesMs = await time(() => embedTexts(model, { texts: PASSAGES, kind: 'passage' }));
    vectors[variant] = (await embedTexts(model, { texts: PASSAGES, kind: 'passage' })).vectors;
  } else {
    const [q, p] = tokensArg.split(',').map(Number) as [number, number];
    const row = (n: number) => Array.from({ length: n }, (_, i) => 1000 + i);
    queryMs = await time(() => model.runBatch([row(q)]));
    passagesMs = await time(() => model.runBatch(Array.from({ length: 32 }, () => row(p))));
  }
  const n = tokensArg?.split(',').map(Number) ?? [queryTokens, passageTokens];
  console.log(
    JSON.stringify({
      bundle: BUNDLE,
      variant,
      threads: threadCounts().intraOp,
      int8_kernels: int8KernelFamily(cpuFeatures()),
      load_ms: round(model.loadMs, 0),
      query_tokens: n[0],
      query_ms: round(queryMs, 1),
      passage_tokens: n[1],
      passages_32_ms: round(passagesMs, 1),
      passages_per_s: round((32 * 1000) / passagesMs, 1),
      rss_mb: round(process.memoryUsage().rss / 2 ** 20, 0),
    }),
  );
  await model.release();
}
if (vectors.fp32 && vectors.int8) {
  const cos = vectors.fp32.map((v, i) => cosine(v, vectors.int8![i]!));
  console.log(
    JSON.stringify({ int8_vs_fp32_cosine_min: round(Math.min(...cos), 5), mean: round(cos.reduce((a, b) => a + b) / cos.length, 5) }),
  );
}
